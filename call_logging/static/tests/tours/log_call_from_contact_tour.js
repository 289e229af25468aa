import { registry } from "@web/core/registry";

/**
 * "Log a call" from a contact: the contact's Calls page, Log a Call,
 * a duration typed as mm:ss and a result; the saved call lands in the closed
 * list and on the contact's chatter.
 */
registry.category("web_tour.tours").add("call_logging_log_call_from_contact", {
    steps: () => [
        {
            content: "Open the contact's Calls page",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Calls)",
            run: "click",
        },
        {
            content: "Log a call",
            trigger: ".o_notebook button[name=action_log_call]",
            run: "click",
        },
        {
            content: "The dialog opens on a completed outbound call",
            trigger: ".modal .o_statusbar_status button.o_arrow_button_current:contains(Completed)",
        },
        {
            content: "Type the duration as mm:ss",
            trigger: ".modal .o_field_widget[name=duration] input",
            run: "edit 04:30",
        },
        {
            content: "Choose a result",
            trigger: ".modal .o_field_widget[name=result_id] input",
            run: "edit Interested",
        },
        {
            trigger: ".o-autocomplete--dropdown-item > a:contains(Interested)",
            run: "click",
        },
        {
            content: "Write the outcome",
            trigger: ".modal .o_field_widget[name=result_note] textarea",
            run: "edit Wants a quote for 40 handsets",
        },
        {
            content: "Save the call",
            trigger: ".modal .modal-footer button[special=save]",
            run: "click",
        },
        {
            content: "The call is in the closed list with its duration",
            trigger:
                ".o_field_widget[name=closed_call_ids] .o_data_row:contains(04:30):contains(Interested)",
        },
        {
            content: "and on the contact's chatter",
            trigger: ".o-mail-Message:contains(Outbound call):contains(04:30):contains(Wants a quote)",
        },
    ],
});
