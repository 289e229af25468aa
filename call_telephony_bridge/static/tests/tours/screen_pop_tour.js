import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("call_telephony_bridge_screen_pop", {
    steps: () => [
        {
            content: "The web client is up; the test's PBX now rings the admin's extension",
            trigger: ".o_main_navbar",
        },
        {
            content: "The caller pops up with their company and salesperson",
            trigger: ".o_telephony_screen_pop .o_telephony_caller:contains(Anna Kowalska)",
            timeout: 30000,
        },
        {
            trigger: ".o_telephony_screen_pop .o_telephony_company:contains(Kowalski Sp. z o.o.)",
        },
        {
            content: "Open the contact from the popup",
            trigger: ".o_telephony_screen_pop .o_telephony_open_contact",
            run: "click",
        },
        {
            content: "The contact's form is open",
            trigger: ".o_form_view .o_breadcrumb:contains(Anna Kowalska)",
        },
        {
            content: "After the hangup the call waits for its wrap-up, folded",
            trigger: ".o_telephony_wrap_ups_toggle:contains(1 call to wrap up)",
            run: "click",
            timeout: 30000,
        },
        {
            content: "Unfolded, the popup is the wrap-up form",
            trigger: ".o_telephony_screen_pop .o_telephony_wrap_up .o_telephony_notes",
            run: "edit Wants a quote for 40 desks",
            timeout: 30000,
        },
        {
            trigger: ".o_telephony_screen_pop #o_telephony_goal",
            run: "select success",
        },
        {
            trigger: ".o_telephony_screen_pop .o_telephony_save_wrap_up",
            run: "click",
        },
        {
            content: "Saved: the popup is gone",
            trigger: "body:not(:has(.o_telephony_screen_pop))",
        },
    ],
});

/**
 * Three calls ring at once: the newest on top, the navbar still usable; the
 * answered ones fold into "2 calls to wrap up", the missed one offers a call back.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_screen_pop_stack", {
    steps: () => [
        {
            content: "The web client is up; the test's PBX now rings three calls",
            trigger: ".o_main_navbar",
        },
        {
            content: "Three popups, the newest on top",
            trigger: ".o_telephony_screen_pops > .o_telephony_screen_pop:first-child .o_telephony_number:contains(+48 601 444 555)",
            timeout: 30000,
        },
        {
            trigger: ".o_telephony_screen_pops:has(.o_telephony_screen_pop:eq(2))",
        },
        {
            content: "The navbar's user menu is still reachable",
            trigger: ".o_main_navbar .o_user_menu .dropdown-toggle",
            run: "click",
        },
        {
            trigger: ".dropdown-menu .dropdown-item[data-menu=logout]",
        },
        {
            trigger: ".o_main_navbar .o_user_menu .dropdown-toggle",
            run: "click",
        },
        {
            content: "The two answered calls ended: folded into one line",
            trigger: ".o_telephony_wrap_ups_toggle:contains(2 calls to wrap up)",
            timeout: 30000,
        },
        {
            content: "The missed call offers a call back, not a wrap-up",
            trigger: ".o_telephony_screen_pop:has(.o_telephony_number:contains(+48 601 444 555)) .o_telephony_schedule_call_back",
            run: "click",
            timeout: 30000,
        },
        {
            content: "A call back is planned to the same number",
            trigger: ".modal .o_field_widget[name=phone] input:value(+48 601 444 555)",
        },
    ],
});
