import { registry } from "@web/core/registry";

/**
 * An administrator opens Calls > Configuration > Automation Rules from the menu
 * and sees the call rules, without the web client failing on the action.
 */
registry.category("web_tour.tours").add("call_logging_automation_rules", {
    steps: () => [
        {
            content: "Open the Calls configuration menu",
            trigger: ".o_main_navbar .dropdown-toggle:contains(Configuration)",
            run: "click",
        },
        {
            content: "Open Automation Rules",
            trigger: ".dropdown-menu .dropdown-item:contains(Automation Rules)",
            run: "click",
        },
        {
            content: "The call rules are listed",
            trigger: ".o_list_view .o_data_row:contains(Missed call)",
        },
        {
            content: "A new rule starts on calls",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "The rule's form opens with its triggers, the model already set",
            trigger: ".o_form_view .o_field_widget[name=trigger]",
        },
    ],
});
