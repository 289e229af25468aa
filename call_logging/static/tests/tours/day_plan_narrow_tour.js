import { registry } from "@web/core/registry";

/**
 * The day plan on a 1,024 px screen: its fifth column (Done Today) is on
 * screen without scrolling; cards say what a call is about and which way it
 * went, in words.
 */
registry.category("web_tour.tours").add("call_logging_day_plan_narrow", {
    steps: () => [
        {
            content: "The fifth column is fully on screen",
            trigger: ".o_call_day_plan_section_done_today",
            run() {
                const right = this.anchor.getBoundingClientRect().right;
                if (right > window.innerWidth) {
                    throw new Error(`Done Today ends at ${right}px on a ${window.innerWidth}px screen`);
                }
            },
        },
        {
            content: "A card shows what the call is about rather than repeating the contact",
            trigger: ".o_call_day_plan_card .o_call_day_plan_subject:contains(Confirm the delivery date)",
        },
        {
            content: "A card's time reads like the lists': the language's time format, without seconds",
            trigger: ".o_call_day_plan_card:contains(Tour narrow call) .o_call_day_plan_time",
            run() {
                const label = this.anchor.textContent.trim();
                if (!/(^|\s)\d{2}:\d{2}$/.test(label)) {
                    throw new Error(`The card's time "${label}" is not in the language's format (HH:mm)`);
                }
            },
        },
        {
            content: "A scheduled call's card says it is outbound",
            trigger: ".o_call_day_plan_card:contains(Tour narrow call) .o_call_day_plan_direction:contains(Outbound)",
        },
    ],
});
