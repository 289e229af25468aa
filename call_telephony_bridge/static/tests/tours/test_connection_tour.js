import { registry } from "@web/core/registry";

/**
 * An administrator types the PBX's address and clicks Test Connection: no
 * "save your changes?" dialog gets in the way, the settings are kept and the
 * answer is said plainly.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_test_connection", {
    steps: () => [
        {
            content: "Type the PBX's address",
            trigger: ".o_field_widget[name=telephony_ari_url] input",
            run: "edit http://127.0.0.1:9",
        },
        {
            content: "Test the connection",
            trigger: "button[name=action_telephony_test_connection]",
            run: "click",
        },
        {
            content: "The answer comes at once, without a save dialog first",
            trigger: ".o_notification:contains(could not be reached)",
        },
        {
            content: "and the address typed is still there",
            trigger: "body:not(:has(.modal)) .o_field_widget[name=telephony_ari_url] input:value(http://127.0.0.1:9)",
        },
    ],
});
