import { registry } from "@web/core/registry";

/**
 * A call "related to" another record offers business documents, not the
 * database's technical models.
 */
registry.category("web_tour.tours").add("call_logging_related_to", {
    steps: () => [
        {
            content: "The call is with a contact: Related To is offered",
            trigger: ".o_form_view .o_field_widget[name=related_ref] select",
        },
        {
            content: "Leads are among its documents",
            trigger: ".o_field_widget[name=related_ref] select:has(option:contains(Lead/Opportunity))",
        },
        {
            content: "Technical models are not",
            trigger: ".o_field_widget[name=related_ref] select:not(:has(option:contains(Mail Thread)))" +
                ":not(:has(option:contains(Phone Call)))",
        },
    ],
});
