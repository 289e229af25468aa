import { registry } from "@web/core/registry";

/**
 * The Calls dashboard as a manager: the average duration of a rep's month,
 * the status breakdown, calls per day, then the pre-sales team's leads per week.
 */
registry.category("web_tour.tours").add("call_logging_calls_dashboard", {
    steps: () => [
        {
            content: "The rep's average call duration of the month: (125 + 300) / 2 = 212.5 s, shown 03:33",
            trigger: ".o_calls_dashboard_avg_duration tr:contains(Dash Rep) td:contains(03:33)",
        },
        {
            content: "The status breakdown counts the completed calls",
            trigger: ".o_calls_dashboard_states div:contains(Completed) span:contains(100 %)",
        },
        {
            content: "Calls per day draws a bar for the day of the calls",
            trigger: ".o_calls_dashboard_per_day .o_calls_dashboard_bar",
        },
        {
            content: "Show the leads contacted per week",
            trigger: ".o_calls_dashboard_leads button:contains(Per Week)",
            run: "click",
        },
        {
            content: "The pre-sales team contacted one lead",
            trigger: ".o_calls_dashboard_leads tr:contains(Dash Pre-Sales) td.fw-bold:contains(1)",
        },
    ],
});
