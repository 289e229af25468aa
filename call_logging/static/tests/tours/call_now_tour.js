import { registry } from "@web/core/registry";

/**
 * "Call now" from a contact: the running call with its live timer, notes
 * typed during the call, hold and resume, end call and its wrap-up, then another call planned
 * with the same contact in the follow-up dialog.
 */
registry.category("web_tour.tours").add("call_logging_call_now_followup", {
    steps: () => [
        {
            content: "Open the contact's Calls page",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Calls)",
            run: "click",
        },
        {
            content: "Call the contact now",
            trigger: ".o_notebook button[name=action_call_now]",
            run: "click",
        },
        {
            content: "The call runs with a live timer",
            trigger: ".o_form_view .o_call_live .o_call_timer_talk",
        },
        {
            content: "Take notes during the call",
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor Asked for a discount on 40 handsets",
        },
        {
            content: "Put the caller on hold",
            trigger: ".o_form_view button[name=action_hold]",
            run: "click",
        },
        {
            content: "The call is on hold",
            trigger: ".o_form_view .o_call_live .badge:contains(On hold)",
        },
        {
            content: "Resume the call",
            trigger: ".o_form_view button[name=action_resume]",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_hold]",
        },
        {
            content: "Hang up",
            trigger: ".o_form_view button[name=action_end_call]",
            run: "click",
        },
        {
            content: "The wrap-up asks for the result",
            trigger: ".modal .o_field_widget[name=result_id] input",
            run: "edit Interested",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains(Interested)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=result_note] textarea",
            run: "edit Sends the order on Monday",
        },
        {
            content: "Save the wrap-up",
            trigger: ".modal button[name=action_save]",
            run: "click",
        },
        {
            content: "The follow-up dialog offers another call",
            trigger: ".modal .o_field_widget[name=followup_type] input[data-value=call]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=summary] input:value(/^Call back/)",
        },
        {
            content: "Plan it",
            trigger: ".modal button[name=action_create]",
            run: "click",
        },
        {
            content: "The planned call opens, scheduled with the same contact",
            trigger: ".o_breadcrumb .active:contains(Call back Tour Kowalczyk)",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Scheduled)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Tour Kowalczyk)",
        },
    ],
});

/**
 * The result forgotten at the hang-up: the owner completes the wrap-up on the
 * ended call later, while its times and duration stay locked.
 */
registry.category("web_tour.tours").add("call_logging_wrap_up_later", {
    steps: () => [
        {
            content: "Call the contact now",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Calls)",
            run: "click",
        },
        {
            trigger: ".o_notebook button[name=action_call_now]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_call_live .o_call_timer_talk",
        },
        {
            content: "Hang up",
            trigger: ".o_form_view button[name=action_end_call]",
            run: "click",
        },
        {
            content: "No time for the wrap-up now",
            trigger: ".modal .modal-footer button:contains(Later)",
            run: "click",
        },
        {
            content: "The ended call's start is locked",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Completed)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=start].o_readonly_modifier",
        },
        {
            content: "A notice says the call is locked but its wrap-up can still be completed",
            trigger: ".o_form_view .o_call_locked_notice:contains(you can still complete)",
        },
        {
            content: "The result can still be set",
            trigger: ".o_form_view .o_field_widget[name=result_id] input",
            run: "edit Meeting",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains(Meeting Booked)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=result_note] textarea",
            run: "edit Demo on Friday",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The change is written in the call's chatter",
            trigger: ".o-mail-Message .o-mail-Message-trackingNew:contains(Meeting Booked)",
        },
    ],
});
