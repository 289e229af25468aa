import { registry } from "@web/core/registry";

/**
 * The Calls dashboard as a manager: the average duration of a rep's month, the status
 * breakdown, calls per day on titled axes, the pre-sales team's leads per week, then the
 * figures narrowed to one sales team and to one salesperson.
 */
registry.category("web_tour.tours").add("call_logging_calls_dashboard", {
    steps: () => [
        {
            content: "The rep's average call duration of the month: (125 + 300) / 2 = 212.5 s, shown 03:33",
            trigger: ".o_calls_dashboard_avg_duration tr:contains(Dash Rep) td:contains(03:33)",
        },
        {
            content: "Every rep is counted before narrowing",
            trigger: ".o_calls_dashboard_avg_duration tr:contains(Dash Field Rep) td:contains(01:00)",
        },
        {
            content: "The status breakdown counts the completed calls",
            trigger: ".o_calls_dashboard_states div:contains(Completed) span:contains(100 %)",
        },
        {
            content: "Calls per day draws a bar for the day of the calls, on a counted and titled axis",
            trigger: ".o_calls_dashboard_per_day .o_calls_dashboard_bar[title*=': 3']",
        },
        {
            content: "The count axis goes up to the busiest day",
            trigger: ".o_calls_dashboard_y_ticks span:first:contains(3)",
        },
        {
            content: "The time axis names days",
            trigger: ".o_calls_dashboard_x_ticks span",
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
        {
            content: "The field team is not pre-sales: not in the leads contacted yet",
            trigger: ".o_calls_dashboard_leads:not(:has(tr:contains(Dash Field Sales)))",
        },
        {
            content: "Narrow to the field team",
            trigger: "select.o_calls_dashboard_team",
            run: "selectByLabel Dash Field Sales",
        },
        {
            content: "Only the field rep's calls are left",
            trigger: ".o_calls_dashboard_avg_duration:not(:has(tr:contains(Dash Rep))) tr:contains(Dash Field Rep)",
        },
        {
            content: "The chosen team's leads are shown, pre-sales or not",
            trigger: ".o_calls_dashboard_leads tr:contains(Dash Field Sales) td.fw-bold:contains(1)",
        },
        {
            content: "One call in total for that team",
            trigger: ".o_calls_dashboard_totals .card:contains(Calls) .fs-3:contains(1)",
        },
        {
            content: "Back to every team",
            trigger: "select.o_calls_dashboard_team",
            run: "selectByLabel All sales teams",
        },
        {
            content: "Narrow to one salesperson",
            trigger: "select.o_calls_dashboard_user",
            run: "selectByLabel Dash Rep",
        },
        {
            content: "Only that salesperson's calls are left",
            trigger: ".o_calls_dashboard_avg_duration:not(:has(tr:contains(Dash Field Rep))) tr:contains(Dash Rep)",
        },
        {
            content: "Two calls for that salesperson",
            trigger: ".o_calls_dashboard_totals .card:contains(Calls) .fs-3:contains(2)",
        },
    ],
});
