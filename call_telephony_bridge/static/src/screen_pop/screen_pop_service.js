import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { reactive } from "@odoo/owl";
import { ScreenPopContainer } from "./screen_pop";

/**
 * Listens on the bus for the calls ringing at the user's extension and
 * keeps one popup per call: ringing -> answered (opens the caller's card of an incoming
 * call if the user wants it) -> the wrap-up form after the hangup.
 */
export const screenPopService = {
    dependencies: ["bus_service", "action", "orm", "notification", "call_telephony_bridge.softphone"],
    start(env, { bus_service, action, orm, notification, "call_telephony_bridge.softphone": softphone }) {
        const state = reactive({ calls: [] });

        function find(callId) {
            return state.calls.find((c) => c.data.id === callId);
        }

        function openRecord(data) {
            const target = data.lead || data.partner;
            if (!target) {
                return;
            }
            action.doAction({
                type: "ir.actions.act_window",
                res_model: data.lead ? "crm.lead" : "res.partner",
                res_id: target.id,
                views: [[false, "form"]],
                target: "current",
            });
        }

        const EMPTY_CARD = { company: "", responsible: "", open_leads: [], activities: [], last_calls: [], results: [] };

        function upsert(data, { ringing }) {
            const popup = find(data.id);
            if (popup) {
                const wasAnswered = popup.answered;
                // Updates carry what changed since the ringing; the caller's card stays.
                popup.data = { ...popup.data, ...data };
                popup.answered = popup.answered || data.connected;
                // The caller's card opens on answer; a call the user placed keeps them on its own form.
                const incoming = popup.data.direction === "inbound";
                if (popup.answered && !wasAnswered && incoming && data.is_owner && data.open_record_on_answer) {
                    openRecord(data);
                }
                if (data.ended && !data.is_owner) {
                    dismiss(data.id);
                }
                if (data.ended) {
                    refreshCardsListing(data.id);
                }
                return;
            }
            if (ringing && data.is_owner && data.direction === "outbound") {
                // The user's own click: the PBX rings their phone first, and the browser phone picks up.
                softphone.expectOwnCall();
            }
            if (ringing || data.is_owner) {
                state.calls.unshift({
                    data: { ...EMPTY_CARD, ...data },
                    answered: data.connected,
                    wrapUp: { ...data.wrap_up },
                });
            }
        }

        /** The other popups listing this call among their last calls show it ended, not as it was. */
        async function refreshCardsListing(callId) {
            for (const popup of state.calls) {
                if (popup.data.id !== callId && popup.data.last_calls.some((past) => past.id === callId)) {
                    const fresh = await orm.call("crm.call", "telephony_popup_data", [[popup.data.id]]);
                    popup.data = { ...popup.data, last_calls: fresh.last_calls };
                }
            }
        }

        async function runCallAction(callId, method) {
            const next = await orm.call("crm.call", method, [[callId]]);
            dismiss(callId);
            if (next) {
                await action.doAction(next);
            }
        }

        function dismiss(callId) {
            const index = state.calls.findIndex((c) => c.data.id === callId);
            if (index >= 0) {
                state.calls.splice(index, 1);
            }
        }

        async function saveWrapUp(callId, values) {
            await orm.call("crm.call", "action_save_wrap_up", [[callId], values]);
            notification.add(_t("Wrap-up saved."), { type: "success" });
            dismiss(callId);
        }

        async function createRecord(data, model) {
            const context =
                model === "crm.lead"
                    ? { default_phone: data.number, default_name: data.number, default_type: "lead" }
                    : { default_phone: data.number };
            await action.doAction({
                type: "ir.actions.act_window",
                res_model: model,
                views: [[false, "form"]],
                target: "current",
                context,
            });
        }

        bus_service.subscribe("call_telephony_bridge/ringing", (data) => upsert(data, { ringing: true }));
        bus_service.subscribe("call_telephony_bridge/update", (data) => upsert(data, { ringing: false }));
        bus_service.start();
        // A page opened while the phone rings missed the ringing notice: it asks what rings now.
        if (user.isInternalUser) {
            orm.silent.call("crm.call", "telephony_ringing_now").then((calls) => {
                for (const data of calls) {
                    upsert(data, { ringing: true });
                }
            });
        }

        registry.category("main_components").add("call_telephony_bridge.ScreenPop", {
            Component: ScreenPopContainer,
            props: { state, actions: { openRecord, dismiss, saveWrapUp, createRecord, runCallAction, action } },
        });
        return { state, dismiss };
    },
};

registry.category("services").add("call_telephony_bridge.screen_pop", screenPopService);
