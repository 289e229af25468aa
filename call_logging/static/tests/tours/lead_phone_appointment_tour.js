import { registry } from "@web/core/registry";

/**
 * A salesperson books a phone appointment from a lead's Calls page: the dialog
 * comes prefilled with the lead, its contact and number; one click books it.
 */
registry.category("web_tour.tours").add("call_logging_lead_phone_appointment", {
    steps: () => [
        {
            content: "Open the lead's Calls page",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Calls)",
            run: "click",
        },
        {
            content: "Book a phone appointment",
            trigger: ".o_notebook button[name=action_phone_appointment]",
            run: "click",
        },
        {
            content: "The dialog knows the lead and its contact",
            trigger: ".modal .o_field_widget[name=lead_id] input:value(Tour fleet deal)",
        },
        {
            trigger: ".modal .o_field_widget[name=partner_id] input:value(Tour Kowalczyk)",
        },
        {
            content: "Book it",
            trigger: ".modal .modal-footer button[special=save]",
            run: "click",
        },
        {
            content: "The appointment is among the lead's open calls",
            trigger: ".o_field_widget[name=open_call_ids] .o_data_row:contains(Phone appointment with Tour Kowalczyk)",
        },
    ],
});
