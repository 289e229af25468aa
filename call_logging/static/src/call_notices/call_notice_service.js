import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

/**
 * The sticky notices about one call that the server sends on the bus: the reminder of a
 * scheduled call, and the opening of a manual phone appointment's window. One notice per
 * call: a newer one replaces it, and any of its buttons closes it.
 */
export const callNoticeService = {
    dependencies: ["action", "bus_service", "notification", "orm"],

    start(env, { action, bus_service, notification, orm }) {
        const shown = new Map();

        function close(callId) {
            shown.get(callId)?.();
        }

        function openCall(callId) {
            return action.doAction({
                type: "ir.actions.act_window",
                res_model: "crm.call",
                res_id: callId,
                views: [[false, "form"]],
            });
        }

        /** Run a server action of the call, close its notice and say what happened. */
        async function act(callId, method, done) {
            const result = await orm.call("crm.call", method, [[callId]]);
            close(callId);
            if (result && typeof result === "object") {
                await action.doAction(result);
            } else if (done) {
                notification.add(done, { type: "success" });
            }
        }

        function show(callId, { title, message, type, buttons }) {
            close(callId);
            const openButton = {
                name: _t("Open the call"),
                onClick: async () => {
                    close(callId);
                    await openCall(callId);
                },
            };
            const closeNotice = notification.add(message, {
                title,
                type,
                sticky: true,
                onClose: () => shown.delete(callId),
                buttons: [...buttons, openButton],
            });
            shown.set(callId, closeNotice);
        }

        function showReminder({ call_id: callId, title, message }) {
            show(callId, {
                title,
                message,
                type: "warning",
                buttons: [
                    {
                        name: _t("Mark done"),
                        primary: true,
                        onClick: () => act(callId, "action_mark_done", _t("The call is marked as completed.")),
                    },
                    { name: _t("Reschedule"), onClick: () => act(callId, "action_reschedule") },
                    { name: _t("Cancel"), onClick: () => act(callId, "action_cancel", _t("The call is cancelled.")) },
                ],
            });
        }

        function showWindowOpen({ call_id: callId, title, message }) {
            show(callId, {
                title,
                message,
                type: "info",
                buttons: [
                    {
                        name: _t("Call now"),
                        primary: true,
                        onClick: () => act(callId, "action_call_appointment_now"),
                    },
                ],
            });
        }

        bus_service.subscribe("call_logging/reminder", showReminder);
        bus_service.subscribe("call_logging/appointment_window_open", showWindowOpen);
        bus_service.start();
        return { showReminder, showWindowOpen };
    },
};

registry.category("services").add("call_logging.call_notices", callNoticeService);
