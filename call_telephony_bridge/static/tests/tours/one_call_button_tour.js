import { registry } from "@web/core/registry";

/**
 * One Call button: with a PBX connection and an extension, a contact's Calls page has one primary
 * Call, which rings the user's desk phone through the PBX; the call with a running timer stays there as a
 * secondary, explained action.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_one_call_button", {
    steps: () => [
        {
            content: "Open the contact's Calls page",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Calls)",
            run: "click",
        },
        {
            content: "The timer call is the secondary action, explained",
            trigger: ".o_notebook button.btn-secondary[name=action_call_now]:contains(Call with Timer)[data-tooltip-info*='running timer']",
        },
        {
            content: "Only one primary Call, and it dials through the PBX",
            trigger: ".o_notebook:not(:has(button.btn-primary[name=action_call_now])) button.btn-primary[name=action_telephony_dial]:contains(Call)[data-tooltip-info*='desk phone']",
            run: "click",
        },
        {
            content: "The phones ring",
            trigger: ".o_form_view .o_call_ringing",
        },
    ],
});

/** Call Back on a missed call dials through the PBX too. */
registry.category("web_tour.tours").add("call_telephony_bridge_call_back_dials", {
    steps: () => [
        {
            content: "Call the customer back",
            trigger: ".o_form_view .o_form_statusbar button.btn-primary[name=action_call_back]",
            run: "click",
        },
        {
            content: "The PBX rings my phone first",
            trigger: ".o_form_view .o_call_ringing",
        },
    ],
});
