import { registry } from "@web/core/registry";

/**
 * An administrator clicks Test Connection: no "save your changes?" dialog gets
 * in the way, and how each line's bridge is (or that none runs) is said plainly.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_test_connection", {
    steps: () => [
        {
            content: "Test the connection",
            trigger: "button[name=action_telephony_test_connection]",
            run: "click",
        },
        {
            content: "The answer comes at once, without a save dialog first",
            trigger: "body:not(:has(.modal)) .o_notification:contains(bridge)",
        },
    ],
});
