import { _t } from "@web/core/l10n/translation";
import { loadJS } from "@web/core/assets";
import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { reactive } from "@odoo/owl";
import { Ringtone } from "./ringtone";
import { TabGroup } from "./tab_group";

export const JSSIP_URL = "/call_telephony_bridge/static/lib/jssip/jssip.min.js";
const PEER_CONNECTION = { iceServers: [] };
// Asterisk's answers that mean the password or the user is wrong, not the network.
const AUTH_FAILURES = ["Authentication Error", "Rejected", "Forbidden"];
// A re-registration is tried this often after the PBX refused one for another reason than the password.
const REGISTER_RETRY_MS = 5000;
// The PBX rings the user's own phone within this long after a click-to-dial (the bridge claims it at once).
const OWN_CALL_RING_MS = 15000;
// JsSIP reopens a lost WebSocket after a pause growing between these (seconds): an Asterisk restart is
// noticed within seconds, a long outage is not hammered.
const RECONNECT_MIN_SECONDS = 1;
const RECONNECT_MAX_SECONDS = 8;
// A hold or resume Asterisk has not answered within this long is given up (the next one may go).
const RENEGOTIATION_TIMEOUT_MS = 5000;
const ACTIONS = ["answer", "decline", "hangUp", "toggleMute", "toggleHold", "sendTone"];

/** The number a SIP address carries, as the screen-pop shows calls: its user part. */
function numberOf(uri) {
    return (uri && uri.user) || "";
}

function digits(text) {
    return (text || "").replace(/\D/g, "");
}

/**
 * The phone in the browser: registers the user's own SIP account to Asterisk over WebSocket (JsSIP),
 * rings for incoming calls, answers, declines, holds, mutes and sends tones. The calls it carries are
 * the calls the PBX reports to Odoo as for any phone: it logs nothing itself.
 *
 * However many tabs are open, one registers (the leading tab, see TabGroup); the others show its state
 * and act through it. When the leading tab closes, another one takes the lock and registers.
 *
 * State: ``status`` is off (the user's calls ring on the desk phone), connecting, ready, ringing,
 * in_call or offline, with ``reason`` saying why when it is not ready.
 */
export const softphoneService = {
    dependencies: ["notification", "orm", "action"],
    start(env, { notification, orm, action }) {
        const state = reactive({
            status: "off",
            reason: "",
            sessions: [],
            leading: false,
            canDial: false,
            soundBlocked: false,
            microphoneId: null,
            speakerId: null,
        });
        const ringtone = new Ringtone();
        const rtcSessions = new Map(); // call id -> JsSIP session, in the leading tab only
        const audioElements = new Map();
        const renegotiations = new Map(); // call id -> the hold or resume in progress
        let ua = null;
        let gaveUp = false; // the PBX refused the password: no retry until the page is loaded again
        let retryTimer = null;
        let ownCallUntil = 0;
        let tabs = null;
        const tabGroupName = `call_telephony_bridge.softphone.${user.userId}`;

        // ------------------------------------------------------------------ state shared with the other tabs
        function publish() {
            if (!state.leading) {
                return;
            }
            updateRing();
            tabs.send({
                type: "state",
                state: {
                    status: state.status,
                    reason: state.reason,
                    soundBlocked: state.soundBlocked,
                    sessions: state.sessions.map((call) => ({ ...call })),
                },
            });
        }

        function mirror(shared) {
            if (!state.leading) {
                Object.assign(state, shared);
            }
        }

        function setStatus(status, reason = "") {
            state.status = status;
            state.reason = reason;
            publish();
        }

        function refreshStatus() {
            if (!ua) {
                return;
            }
            if (state.sessions.some((call) => call.state === "ringing" && call.incoming)) {
                setStatus("ringing");
            } else if (state.sessions.length) {
                setStatus("in_call");
            } else if (ua.isRegistered()) {
                setStatus("ready");
            } else if (state.status !== "offline") {
                setStatus("connecting");
            } else {
                publish();
            }
        }

        function updateRing() {
            const ringing = state.status === "ringing";
            if (ringing && !ringtone.playing) {
                ringtone.start().then((playing) => {
                    state.soundBlocked = !playing && ringtone.playing;
                    publish();
                });
            } else if (!ringing && ringtone.playing) {
                ringtone.stop();
                state.soundBlocked = false;
            }
        }

        // ------------------------------------------------------------------ calls (leading tab)
        function remember(rtcSession) {
            const incoming = rtcSession.direction === "incoming";
            const id = rtcSession.id;
            state.sessions.push({
                id,
                incoming,
                number: numberOf(rtcSession.remote_identity.uri),
                name: rtcSession.remote_identity.display_name || "",
                state: incoming ? "ringing" : "dialling",
                muted: false,
                held: false,
                startedAt: null,
            });
            rtcSessions.set(id, rtcSession);
            const update = (values) => {
                const call = state.sessions.find((candidate) => candidate.id === id);
                if (call) {
                    Object.assign(call, values);
                }
                refreshStatus();
            };
            rtcSession.on("peerconnection", ({ peerconnection }) => attachAudio(peerconnection));
            rtcSession.on("confirmed", () => {
                if (rtcSession.connection) {
                    attachAudio(rtcSession.connection);
                }
                update({ state: "talking", startedAt: Date.now() });
            });
            rtcSession.on("hold", () => update({ held: true }));
            rtcSession.on("unhold", () => update({ held: false }));
            rtcSession.on("muted", () => update({ muted: true }));
            rtcSession.on("unmuted", () => update({ muted: false }));
            const forget = (event) => {
                rtcSessions.delete(id);
                const index = state.sessions.findIndex((call) => call.id === id);
                if (index >= 0) {
                    state.sessions.splice(index, 1);
                }
                if (event && event.cause === "User Denied Media Access") {
                    tabs.send({ type: "microphone-refused" });
                    microphoneRefused();
                }
                refreshStatus();
            };
            rtcSession.on("ended", forget);
            rtcSession.on("ended", () => renegotiations.delete(id));
            rtcSession.on("failed", () => renegotiations.delete(id));
            rtcSession.on("failed", forget);
            if (incoming && Date.now() < ownCallUntil) {
                // The PBX rings the user's phone first for the call they just placed: no need to pick up.
                ownCallUntil = 0;
                act({ action: "answer", callId: id });
            }
            refreshStatus();
        }

        function microphoneRefused() {
            notification.add(
                _t("Odoo may not use your microphone: allow it for this site in your browser, then answer again."),
                { type: "danger", sticky: true }
            );
        }

        function attachAudio(peerconnection) {
            if (audioElements.has(peerconnection)) {
                return;
            }
            const audio = document.createElement("audio");
            audio.autoplay = true;
            audio.className = "o_softphone_remote_audio d-none";
            document.body.appendChild(audio);
            audioElements.set(peerconnection, audio);
            const play = (stream) => {
                audio.srcObject = stream;
                if (state.speakerId && audio.setSinkId) {
                    audio.setSinkId(state.speakerId).catch(() => {});
                }
            };
            peerconnection.addEventListener("track", (event) => play(event.streams[0]));
            const receivers = peerconnection.getReceivers ? peerconnection.getReceivers() : [];
            if (receivers.length) {
                play(new MediaStream(receivers.map((receiver) => receiver.track)));
            }
            peerconnection.addEventListener("connectionstatechange", () => {
                if (["closed", "failed"].includes(peerconnection.connectionState)) {
                    audio.remove();
                    audioElements.delete(peerconnection);
                }
            });
        }

        function answerOptions() {
            const audio = state.microphoneId ? { deviceId: { exact: state.microphoneId } } : true;
            return { mediaConstraints: { audio, video: false }, pcConfig: PEER_CONNECTION };
        }

        /**
         * Hold or resume, one after the other: a re-INVITE sent while the previous one is still in progress
         * is refused by Asterisk (500), and JsSIP then ends the call. Each waits for the one before.
         */
        function renegotiate(callId) {
            const previous = renegotiations.get(callId) || Promise.resolve();
            const next = previous.then(
                () =>
                    new Promise((resolve) => {
                        const rtcSession = rtcSessions.get(callId);
                        const call = state.sessions.find((candidate) => candidate.id === callId);
                        if (!rtcSession || !call) {
                            return resolve();
                        }
                        setTimeout(resolve, RENEGOTIATION_TIMEOUT_MS);
                        // UPDATE, not re-INVITE: JsSIP 3.10 acknowledges a re-INVITE it sends in a dialog it
                        // did not start with a wrong CSeq, and Asterisk then ends the call; an UPDATE needs no ACK.
                        const options = { useUpdate: true };
                        const accepted = call.held ? rtcSession.unhold(options, resolve) : rtcSession.hold(options, resolve);
                        if (!accepted) {
                            resolve();
                        }
                    })
            );
            renegotiations.set(callId, next);
        }

        /** What a user does to a call, in the leading tab: the one holding the call. */
        function act({ action, callId, tone }) {
            const rtcSession = rtcSessions.get(callId);
            const call = state.sessions.find((candidate) => candidate.id === callId);
            if (!rtcSession || !call) {
                return;
            }
            try {
                if (action === "answer") {
                    call.state = "answering";
                    rtcSession.answer(answerOptions());
                } else if (action === "decline") {
                    rtcSession.terminate({ status_code: 603, reason_phrase: "Decline" });
                } else if (action === "hangUp") {
                    rtcSession.terminate();
                } else if (action === "toggleMute") {
                    call.muted ? rtcSession.unmute({ audio: true }) : rtcSession.mute({ audio: true });
                } else if (action === "toggleHold") {
                    renegotiate(callId);
                } else if (action === "sendTone" && /^[0-9*#]$/.test(tone)) {
                    rtcSession.sendDTMF(tone, { duration: 120, interToneGap: 70 });
                }
            } catch (error) {
                // A call that ended meanwhile (JsSIP refuses to act on it): its "ended" event tidies up.
                console.warn("browser phone:", action, error);
            }
            refreshStatus();
        }

        // ------------------------------------------------------------------ registration (leading tab)
        function register(settings) {
            const JsSIP = window.JsSIP;
            const socket = new JsSIP.WebSocketInterface(settings.websocket_url);
            ua = new JsSIP.UA({
                sockets: [socket],
                uri: settings.uri,
                authorization_user: settings.username,
                password: settings.password,
                display_name: settings.display_name,
                register: true,
                register_expires: 120,
                session_timers: false,
                connection_recovery_min_interval: RECONNECT_MIN_SECONDS,
                connection_recovery_max_interval: RECONNECT_MAX_SECONDS,
                user_agent: "Odoo Calls browser phone",
            });
            ua.on("disconnected", () => {
                if (!gaveUp) {
                    setStatus("offline", _t("The PBX cannot be reached: trying again."));
                }
            });
            ua.on("registered", () => refreshStatus());
            ua.on("unregistered", () => {
                if (!gaveUp) {
                    setStatus("offline", _t("The PBX ended the registration: trying again."));
                }
            });
            ua.on("registrationFailed", ({ cause }) => {
                if (AUTH_FAILURES.includes(cause)) {
                    // Retrying a wrong password would only lock the account out: the user must act.
                    gaveUp = true;
                    ua.stop();
                    setStatus("offline", _t("The PBX refused your browser phone's password: ask your telephony administrator."));
                    return;
                }
                setStatus("offline", _t("The PBX did not accept the registration (%s): trying again.", cause));
                clearTimeout(retryTimer);
                retryTimer = setTimeout(() => ua && ua.isConnected() && ua.register(), REGISTER_RETRY_MS);
            });
            ua.on("newRTCSession", ({ session: rtcSession }) => remember(rtcSession));
            setStatus("connecting");
            ua.start();
        }

        async function lead(settings) {
            state.leading = true;
            try {
                await loadJS(JSSIP_URL);
            } catch {
                setStatus("offline", _t("The browser phone's SIP library could not be loaded."));
                return;
            }
            register(settings);
        }

        async function start() {
            if (!user.isInternalUser) {
                return;
            }
            let settings;
            try {
                settings = await rpc("/call_telephony_bridge/softphone/settings", {}, { silent: true });
            } catch {
                setStatus("offline", _t("Odoo could not give the browser phone its settings."));
                return;
            }
            state.canDial = Boolean(settings.extension);
            if (state.canDial) {
                // Every phone number shown in Odoo is a tel: link: a click dials it through the PBX.
                document.addEventListener("click", dialTelLink, true);
            }
            if (!settings.enabled) {
                setStatus("off", settings.reason);
                return;
            }
            setStatus("connecting", _t("Another tab of Odoo holds the phone."));
            tabs = new TabGroup(tabGroupName, {
                onLead: () => lead(settings),
                onMessage(message) {
                    if (message.type === "state") {
                        mirror(message.state);
                    } else if (message.type === "act" && state.leading) {
                        act(message);
                    } else if (message.type === "hello" && state.leading) {
                        publish();
                    } else if (message.type === "own-call" && state.leading) {
                        ownCallUntil = Date.now() + OWN_CALL_RING_MS;
                    } else if (message.type === "microphone-refused" && !state.leading) {
                        microphoneRefused();
                    }
                },
            });
            tabs.send({ type: "hello" });
        }

        /** Acts on a call here when this tab holds it, else asks the leading tab. */
        function request(action, call, extra = {}) {
            const message = { type: "act", action, callId: call.id, ...extra };
            if (state.leading) {
                act(message);
            } else if (tabs) {
                tabs.send(message);
            }
        }

        /** The browser call that carries the screen-pop's call: the one from that number, else the only one. */
        function callFor(number) {
            const wanted = digits(number);
            const sameNumber = state.sessions.filter((call) => {
                const theirs = digits(call.number);
                return wanted && theirs && (wanted.endsWith(theirs) || theirs.endsWith(wanted));
            });
            if (sameNumber.length === 1) {
                return sameNumber[0];
            }
            return state.sessions.length === 1 ? state.sessions[0] : null;
        }

        /** The user just placed a call: the PBX's next ring of this phone, within the ring time, is its first leg. */
        function expectOwnCall() {
            if (state.leading) {
                ownCallUntil = Date.now() + OWN_CALL_RING_MS;
            } else if (tabs) {
                tabs.send({ type: "own-call" });
            }
        }

        /** Dial ``number`` through the PBX: it rings the user's phone (this browser or the desk phone) first. */
        async function dial(number) {
            const next = await orm.call("crm.call", "telephony_dial_number", [number]);
            expectOwnCall();
            if (next) {
                await action.doAction(next);
            }
        }

        function dialTelLink(ev) {
            const link = ev.target.closest && ev.target.closest('a[href^="tel:"]');
            if (!link || ev.defaultPrevented) {
                return;
            }
            const number = decodeURIComponent(link.getAttribute("href").slice(4)).trim();
            if (!number) {
                return;
            }
            ev.preventDefault();
            ev.stopPropagation();
            dial(number);
        }

        /** What WebRTC counted of a call's audio so far (leading tab only; null elsewhere). */
        async function statistics(call) {
            const rtcSession = rtcSessions.get(call.id);
            const connection = rtcSession && rtcSession.connection;
            if (!connection) {
                return null;
            }
            const figures = { received: 0, bytes: 0, sent: 0, ice: connection.iceConnectionState };
            (await connection.getStats()).forEach((entry) => {
                if (entry.type === "inbound-rtp" && entry.kind === "audio") {
                    Object.assign(figures, { received: entry.packetsReceived, bytes: entry.bytesReceived });
                } else if (entry.type === "outbound-rtp" && entry.kind === "audio") {
                    figures.sent = entry.packetsSent;
                }
            });
            return figures;
        }

        window.addEventListener("pagehide", () => {
            if (ua) {
                ua.stop();
            }
        });
        start();
        const actions = Object.fromEntries(
            ACTIONS.map((action) => [
                action,
                action === "sendTone" ? (call, tone) => request(action, call, { tone }) : (call) => request(action, call),
            ])
        );
        return { state, ...actions, callFor, dial, expectOwnCall, statistics, tabGroupName };
    },
};

registry.category("services").add("call_telephony_bridge.softphone", softphoneService);
