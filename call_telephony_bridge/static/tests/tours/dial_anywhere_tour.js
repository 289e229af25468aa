import { registry } from "@web/core/registry";

/**
 * Every phone number is one click from a call: a phone cell of the contacts list (the row does not open),
 * the systray's dial pad by name and by number, and the recent calls.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_dial_anywhere", {
    steps: () => [
        {
            content: "Find the contact",
            trigger: ".o_list_view .o_searchview_input",
            run: "edit Kowalska",
        },
        {
            content: "Search",
            trigger: ".o_list_view .o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Click the contact's phone number in the list: the call starts, the row does not open",
            trigger: ".o_list_view .o_data_row:contains(Anna Kowalska) a[href^='tel:']",
            run: "click",
        },
        {
            content: "The PBX rings my phone first: the call's form says so",
            trigger: ".o_form_view .o_call_ringing",
        },
        {
            content: "Open the phone in the systray",
            trigger: ".o_softphone_systray[data-status=off]",
            run: "click",
        },
        {
            content: "The call just placed is among the recent calls",
            trigger: ".o_softphone_recent li:contains(Anna Kowalska)",
        },
        {
            content: "Search a contact by name",
            trigger: ".o_softphone_dial_input",
            run: "edit Anna Kow",
        },
        {
            content: "Dial the contact found",
            trigger: ".o_softphone_contacts li:contains(Anna Kowalska) .o_softphone_dial_contact",
            run: "click",
        },
        {
            content: "The second call rings",
            trigger: ".o_form_view .o_call_ringing",
        },
        {
            content: "Open the phone again (unless it stayed open)",
            trigger: ".o_softphone_systray",
            run() {
                if (!document.querySelector(".o_softphone_dial_input")) {
                    document.querySelector(".o_softphone_systray").click();
                }
            },
        },
        {
            content: "Type a number",
            trigger: ".o_softphone_dial_input",
            run: "edit +48 22 765 43 21",
        },
        {
            content: "Dial it",
            trigger: ".o_softphone_dial:enabled",
            run: "click",
        },
        {
            content: "The third call rings: an unknown number",
            trigger: ".o_form_view .o_call_ringing",
        },
    ],
});
