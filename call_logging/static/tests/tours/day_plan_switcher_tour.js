import { registry } from "@web/core/registry";

const UPCOMING = ".o_call_day_plan_section_upcoming";
const card = (name) => `.o_call_day_plan_card:contains(${name})`;
/** The upcoming column shows ``shown`` and not ``hidden``. */
const upcomingShows = (shown, hidden) => `${UPCOMING}:not(:has(${card(hidden)})) ${card(shown)}`;

/** A call manager opens a salesperson's day plan, then the whole team's, then comes back to their own. */
registry.category("web_tour.tours").add("call_logging_day_plan_switcher", {
    steps: () => [
        {
            content: "The manager's own plan comes first",
            trigger: upcomingShows("Tour boss budget call", "Tour seller demo call"),
        },
        {
            content: "Open the salesperson's plan",
            trigger: "select.o_call_day_plan_owner",
            run: "selectByLabel Ewa Tour",
        },
        {
            content: "The salesperson's calls, not the manager's",
            trigger: upcomingShows("Tour seller demo call", "Tour boss budget call"),
        },
        {
            content: "The salesperson's colleague is not in that plan",
            trigger: `${UPCOMING}:not(:has(${card("Tour colleague demo call")}))`,
        },
        {
            content: "Open the whole team's plan",
            trigger: "select.o_call_day_plan_owner",
            run: "selectByLabel Tour Floor: whole team",
        },
        {
            content: "Every member's calls are in the team's plan",
            trigger: `${UPCOMING}:has(${card("Tour seller demo call")}) ${card("Tour colleague demo call")}`,
        },
        {
            content: "Back to the manager's own plan",
            trigger: "select.o_call_day_plan_owner",
            run: "selectByLabel My day plan",
        },
        {
            content: "The manager's own calls again",
            trigger: upcomingShows("Tour boss budget call", "Tour seller demo call"),
        },
    ],
});
