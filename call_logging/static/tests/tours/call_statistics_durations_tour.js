import { registry } from "@web/core/registry";

/**
 * Call Statistics as a manager: the average duration reads mm:ss like every
 * other call length, not a number of seconds.
 */
registry.category("web_tour.tours").add("call_logging_call_statistics_durations", {
    steps: () => [
        {
            content: "The rep's average of (125 + 300) / 2 = 212.5 s reads 03:33",
            trigger: ".o_pivot tr:contains(Dash Rep) .o_pivot_cell_value:contains(03:33)",
        },
        {
            content: "and no cell shows it in seconds",
            trigger: ".o_pivot:not(:contains(212.5))",
        },
    ],
});
