import { registry } from "@web/core/registry";

/** Call activities planned in other apps sit in the day plan beside the calls and open their record. */
registry.category("web_tour.tours").add("call_logging_day_plan_tasks", {
    steps: () => [
        {
            content: "Today's column shows the lead's call activity as a task",
            trigger: ".o_call_day_plan_section_today .o_call_day_plan_task:contains(Tour call about the invoice)",
            run: "click",
        },
        {
            content: "It opens the lead the activity is planned on",
            trigger: ".o_breadcrumb:contains(Tour invoice lead)",
        },
    ],
});
