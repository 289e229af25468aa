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
            content: "After the hangup the popup becomes the wrap-up form",
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
