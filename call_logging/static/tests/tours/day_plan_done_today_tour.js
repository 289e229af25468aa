import { registry } from "@web/core/registry";

const doneToday = ".o_call_day_plan_section_done_today";

/**
 * Done Today keeps the real conversations in sight: a 20-second call and a
 * call with an unknown number fold away behind one button.
 */
registry.category("web_tour.tours").add("call_logging_day_plan_done_today", {
    steps: () => [
        {
            content: "The five-minute call is shown",
            trigger: `${doneToday} .o_call_day_plan_card:contains(Tour real talk)`,
        },
        {
            content: "the short and the unknown call are folded",
            trigger: `${doneToday}:not(:has(.o_call_day_plan_card:contains(Tour wrong number))):not(:has(.o_call_day_plan_card:contains(+48 500 111 222)))`,
        },
        {
            content: "Unfold them",
            trigger: `${doneToday} .o_call_day_plan_fold:contains(2)`,
            run: "click",
        },
        {
            content: "Both are there now",
            trigger: `${doneToday} .o_call_day_plan_card:contains(Tour wrong number)`,
        },
        {
            trigger: `${doneToday} .o_call_day_plan_card:contains(+48 500 111 222)`,
        },
    ],
});
