import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

const card = (section, name) =>
    `.o_call_day_plan_section_${section} .o_call_day_plan_card:contains(${name})`;

/**
 * The day plan follows changes made elsewhere (another tab, the PBX) as they
 * happen, without a reload of its own.
 */
registry.category("web_tour.tours").add("call_logging_day_plan_live", {
    steps: () => [
        {
            content: "The call is planned for later",
            trigger: card("upcoming", "Tour live review"),
        },
        {
            content: "Elsewhere, the call is completed",
            trigger: ".o_call_day_plan",
            run: async () => {
                const [call] = await rpc("/web/dataset/call_kw/crm.call/search_read", {
                    model: "crm.call", method: "search_read",
                    args: [[["name", "=", "Tour live review"]], ["id"]], kwargs: {},
                });
                await rpc("/web/dataset/call_kw/crm.call/action_mark_done", {
                    model: "crm.call", method: "action_mark_done", args: [[call.id]], kwargs: {},
                });
            },
        },
        {
            content: "The plan drops it from the upcoming calls by itself",
            trigger: `.o_call_day_plan_section_upcoming:not(:has(.o_call_day_plan_card:contains(Tour live review)))`,
            timeout: 20000,
        },
    ],
});
