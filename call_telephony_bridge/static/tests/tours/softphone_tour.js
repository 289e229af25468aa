import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

function softphone() {
    return odoo.__WOWL_DEBUG__.root.env.services["call_telephony_bridge.softphone"];
}

async function waitFor(what, condition, timeout = 15000) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
        last = await condition();
        if (last && last.ok) {
            return last;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${what}: ${JSON.stringify(last)}`);
}

const POPUP = ".o_telephony_screen_pop";

/** An inbound call rings in the browser, is answered from the popup, talks (audio both ways), is hung up. */
function answerTalkAndHangUp({ checkAudio }) {
    return [
        {
            content: "The call rings in the browser: the popup offers Answer",
            trigger: `${POPUP} .o_softphone_answer`,
            timeout: 60000,
        },
        {
            content: "The systray rings too",
            trigger: ".o_softphone_systray[data-status=ringing]",
        },
        {
            content: "Answer from the popup",
            trigger: `${POPUP} .o_softphone_answer`,
            run: "click",
        },
        {
            content: "The talk timer runs",
            trigger: `${POPUP} .o_softphone_timer`,
            timeout: 15000,
        },
        ...(checkAudio
            ? [
                  {
                      content: "Audio flows both ways",
                      trigger: ".o_softphone_systray[data-status=in_call]",
                      async run() {
                          const figures = await waitFor("no audio", async () => {
                              const stats = await softphone().statistics(softphone().state.sessions[0]);
                              return stats && { ...stats, ok: stats.received >= 100 && stats.sent >= 100 && stats.bytes > 0 };
                          });
                          console.log("SOFTPHONE RTP " + JSON.stringify(figures));
                      },
                  },
              ]
            : []),
        {
            content: "Mute",
            trigger: `${POPUP} .o_softphone_mute[aria-pressed=false]`,
            run: "click",
        },
        {
            content: "Muted; unmute",
            trigger: `${POPUP} .o_softphone_mute[aria-pressed=true]`,
            run: "click",
        },
        {
            content: "Put the caller on hold",
            trigger: `${POPUP} .o_softphone_hold[aria-pressed=false]`,
            run: "click",
        },
        {
            content: "On hold; resume",
            trigger: `${POPUP} .o_softphone_hold[aria-pressed=true]`,
            timeout: 10000,
            run: "click",
        },
        {
            content: "Open the keypad",
            trigger: `${POPUP} .o_softphone_hold[aria-pressed=false]`,
            timeout: 10000,
            run() {
                document.querySelector(`${POPUP} .o_softphone_keypad_toggle`).click();
            },
        },
        {
            content: "Press 5",
            trigger: `${POPUP} .o_softphone_key[data-key='5']`,
            run: "click",
        },
        {
            content: "Hang up from the popup",
            trigger: `${POPUP} .o_softphone_mute[aria-pressed=false]`,
            run() {
                document.querySelector(`${POPUP} .o_softphone_hang_up`).click();
            },
        },
        {
            content: "The phone is ready for the next call",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 15000,
        },
        {
            content: "The call ended: it waits for its wrap-up",
            trigger: ".o_telephony_wrap_ups_toggle",
            timeout: 20000,
        },
    ];
}

/** A user without a desk phone: the phone in Odoo registers to Asterisk and takes an inbound call. */
registry.category("web_tour.tours").add("call_telephony_bridge_softphone", {
    steps: () => [
        {
            content: "The phone in the systray registers to Asterisk",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 20000,
        },
        ...answerTalkAndHangUp({ checkAudio: true }),
    ],
});

/**
 * Three tabs, one phone: two other tabs were opened first, and one of them holds the phone; this tab shows
 * it and acts through it. The test closes the leading tab once this one listens: the third tab takes the
 * phone over, and this tab still rings, answers, mutes and hangs up.
 */
registry.category("web_tour.tours").add("call_telephony_bridge_softphone_tabs", {
    steps: () => [
        {
            content: "Another tab holds the phone: this one shows it ready",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 20000,
            run() {
                if (softphone().state.leading) {
                    throw new Error("the tour's tab leads: the tabs opened before it should");
                }
            },
        },
        {
            // A popup comes from the bus's ringing notice: the test must not call before this page listens.
            content: "Tell the test this tab listens: it may close the leading tab and call",
            trigger: ".o_softphone_systray[data-status=ready]",
            async run() {
                const orm = odoo.__WOWL_DEBUG__.root.env.services.orm;
                await orm.write("res.users", [user.userId], { telephony_open_record_on_answer: false });
            },
        },
        ...answerTalkAndHangUp({ checkAudio: false }),
    ],
});

/** Decline from the popup: the phone stops ringing at once and the call goes on without this user. */
registry.category("web_tour.tours").add("call_telephony_bridge_softphone_decline", {
    steps: () => [
        {
            content: "The phone registers",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 20000,
        },
        {
            content: "Decline the call ringing in the popup",
            trigger: `${POPUP} .o_softphone_decline`,
            timeout: 60000,
            run: "click",
        },
        {
            content: "The phone no longer rings",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 5000,
        },
        {
            content: "The popup follows the call: missed, since nobody else took it",
            trigger: `${POPUP} .o_telephony_title:contains(Missed call)`,
            timeout: 60000,
        },
    ],
});

/** The user refuses Odoo the microphone: answering says so, in words, and the phone is ready again. */
registry.category("web_tour.tours").add("call_telephony_bridge_softphone_microphone_refused", {
    steps: () => [
        {
            content: "The phone registers",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 20000,
        },
        {
            content: "Answer the call",
            trigger: `${POPUP} .o_softphone_answer`,
            timeout: 60000,
            run: "click",
        },
        {
            content: "Odoo says the microphone is refused, and how to allow it",
            trigger: ".o_notification:contains(may not use your microphone)",
            timeout: 10000,
        },
        {
            content: "The phone is ready again, with no call left in it",
            trigger: ".o_softphone_systray[data-status=ready]",
            timeout: 10000,
        },
    ],
});

/** The phone cannot register: the systray says offline and, opened, why. */
function offlineTour(name, reason) {
    registry.category("web_tour.tours").add(name, {
        steps: () => [
            {
                content: "The phone is offline",
                trigger: ".o_softphone_systray[data-status=offline]",
                timeout: 20000,
                run: "click",
            },
            {
                content: "It says why",
                trigger: `.o_softphone_reason:contains(${reason})`,
            },
            {
                content: "No call is shown",
                trigger: ".o_softphone_panel:not(:has(.o_softphone_controls))",
            },
        ],
    });
}

offlineTour("call_telephony_bridge_softphone_wrong_password", "refused your browser phone's password");
offlineTour("call_telephony_bridge_softphone_pbx_unreachable", "cannot be reached");
