import { registry } from "@web/core/registry";

/**
 * A missed call with a voicemail: its card in the Missed column plays the
 * message, beside the Call back button.
 */
registry.category("web_tour.tours").add("call_logging_day_plan_voicemail", {
    steps: () => [
        {
            content: "The missed call's card has a player for the voicemail",
            trigger: ".o_call_day_plan_section_missed .o_call_day_plan_card:contains(Tour voicemail caller) audio.o_call_day_plan_voicemail[src^='/web/content/']",
        },
        {
            trigger: ".o_call_day_plan_section_missed .o_call_day_plan_card:contains(Tour voicemail caller) .o_call_day_plan_call_back",
        },
    ],
});
