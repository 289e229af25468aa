import { registry } from "@web/core/registry";

/**
 * Dial from a contact: the call form says "Ringing…" with no timer while
 * the phones ring, the timer starts when the customer answers, the form stays on the call
 * (the caller's card does not open for a call you placed) and follows the hangup by itself,
 * keeping the notes typed meanwhile.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_click_to_dial", {
    steps: () => [
        {
            content: "Open the contact's Calls page",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Calls)",
            run: "click",
        },
        {
            content: "Dial the contact through the PBX",
            trigger: ".o_notebook button[name=action_telephony_dial]",
            run: "click",
        },
        {
            content: "The call's form says the phones are ringing",
            trigger: ".o_form_view .o_call_ringing:contains(Ringing…)",
            // The dial waits for the PBX to take the call before the form opens: slow on a busy machine.
            timeout: 30000,
        },
        {
            content: "No talk time runs before anyone answered",
            trigger: ".o_form_view:not(:has(.o_call_timer))",
        },
        {
            content: "Note why you call while it rings",
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor Asked for the price",
        },
        {
            // The PBX's ringing may reach the form first and save the note itself (the form keeps what is typed).
            content: "Save: the test's PBX answers once it sees the note",
            trigger: ".o_form_view",
            run() {
                const save = document.querySelector(".o_form_view .o_form_button_save");
                if (save && save.offsetParent) {
                    save.click();
                }
            },
        },
        {
            content: "The customer answered: the timer runs",
            trigger: ".o_form_view .o_call_live .o_call_timer_talk",
            timeout: 30000,
        },
        {
            content: "Ringing… is gone",
            trigger: ".o_form_view:not(:has(.o_call_ringing))",
        },
        {
            content: "Still on the call you placed, not on the contact",
            trigger: ".o_breadcrumb .active:contains(Call to)",
        },
        {
            content: "Take notes during the call, without saving",
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor Asked for the price of 40 desks",
        },
        {
            content: "The customer hung up: the form shows the completed call by itself",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Completed)",
            timeout: 30000,
        },
        {
            content: "The notes typed during the call are kept",
            trigger: ".o_field_widget[name=description]:contains(Asked for the price of 40 desks)",
        },
        {
            trigger: ".o_breadcrumb .active:contains(Call to)",
        },
    ],
});
