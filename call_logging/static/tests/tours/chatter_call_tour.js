import { registry } from "@web/core/registry";

/**
 * The contact's timeline says when each call happened and who talked, also
 * for a call the phone system closed.
 */
registry.category("web_tour.tours").add("call_logging_chatter_call", {
    steps: () => [
        {
            content: "The logged call shows its own start, written by the person who talked",
            trigger: ".o-mail-Message:has(.o-mail-Message-author:contains(Ewa Tour)):contains(Tour evening call)" +
                ":contains(19:30)",
        },
        {
            content: "The missed call from the phone system is on the owner's name, not OdooBot's",
            trigger: ".o-mail-Message:has(.o-mail-Message-author:contains(Ewa Tour)):contains(Missed call)",
        },
    ],
});
