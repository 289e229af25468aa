import { registry } from "@web/core/registry";

/**
 * Typing a duration when logging a call: an ambiguous plain number, a word and
 * impossible minutes each say what to type; a negative duration gets the
 * server's sentence; mm:ss is saved as typed.
 */
function typeDuration(text) {
    return {
        content: `Type ${text} as the duration`,
        trigger: ".modal .o_field_widget[name=duration] input",
        run: `edit ${text} && press Tab`,
    };
}

registry.category("web_tour.tours").add("call_logging_call_duration", {
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
        typeDuration("90"),
        {
            content: "90 is not silently read as minutes: both readings are offered",
            trigger: ".modal .o_call_duration_error:contains(01:30):contains(1:30:00)",
        },
        typeDuration("abc"),
        {
            content: "A word is not a duration",
            trigger: ".modal .o_call_duration_error:contains(is not a duration):contains(04:30)",
        },
        typeDuration("12:75"),
        {
            content: "Seconds go up to 59",
            trigger: ".modal .o_call_duration_error:contains(go up to 59)",
        },
        typeDuration("-01:30"),
        {
            content: "A negative duration reaches the server",
            trigger: ".modal:not(:has(.o_call_duration_error))",
        },
        {
            content: "Save the call",
            trigger: ".modal .modal-footer button[special=save]",
            run: "click",
        },
        {
            content: "The server says why",
            trigger: ".modal:contains(duration cannot be negative)",
        },
        {
            content: "Close the message",
            trigger: ".modal:contains(duration cannot be negative) .modal-footer button.btn-primary",
            run: "click",
        },
        typeDuration("05"),
        {
            content: "A plain number below 60 is minutes",
            trigger: ".modal .o_field_widget[name=duration] input:value(05:00)",
            run: () => {},
        },
        typeDuration("01:30"),
        {
            content: "Save the call",
            trigger: ".modal .modal-footer button[special=save]",
            run: "click",
        },
        {
            content: "The call is in the closed list with its duration",
            trigger: ".o_field_widget[name=closed_call_ids] .o_data_row:contains(01:30)",
        },
    ],
});
