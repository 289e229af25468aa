import { registry } from "@web/core/registry";

/**
 * Call Now from the day plan's control panel: who is called comes first (an
 * empty call cannot start), the timer runs from the start, and the call ends
 * with the duration the timer showed.
 */
registry.category("web_tour.tours").add("call_logging_call_now_header", {
    steps: () => [
        {
            content: "Call now from the day plan",
            trigger: ".o_call_day_plan_new_call_now",
            run: "click",
        },
        {
            content: "Nobody chosen: the call does not start",
            trigger: ".modal button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_error_dialog:contains(Choose the contact or lead you are calling)",
        },
        {
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Choose the contact",
            trigger: ".modal .o_field_widget[name=partner_id] input",
            run: "edit Tour Kowal",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains(Tour Kowalczyk)",
            run: "click",
        },
        {
            content: "Its number is filled in",
            trigger: ".modal .o_field_widget[name=number] input:value(+48 22 600 70 80)",
        },
        {
            trigger: ".modal button[name=action_start]",
            run: "click",
        },
        {
            content: "The call runs with the contact",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Tour Kowalczyk)",
        },
        {
            content: "The timer counts",
            trigger: ".o_form_view .o_call_timer_talk:contains(00:02)",
        },
        {
            content: "Hang up",
            trigger: ".o_form_view button[name=action_end_call]",
            run: "click",
        },
        {
            trigger: ".modal .modal-footer button:contains(Later)",
            run: "click",
        },
        {
            content: "The call is completed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Completed)",
        },
    ],
});
