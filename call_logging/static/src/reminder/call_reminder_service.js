import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

/**
 * Shows the reminders of scheduled calls the server sends on the bus: a sticky
 * notification with the call and the three things its owner can do from there.
 */
export const callReminderService = {
    dependencies: ["action", "bus_service", "notification", "orm"],

    start(env, { action, bus_service, notification, orm }) {
        const shown = new Map();

        /** Run a server action of the call, close its reminder and say what happened. */
        async function act(callId, method, done) {
            const result = await orm.call("crm.call", method, [[callId]]);
            shown.get(callId)?.();
            if (result && typeof result === "object") {
                await action.doAction(result);
            } else if (done) {
                notification.add(done, { type: "success" });
            }
        }

        function showReminder({ call_id: callId, title, message }) {
            shown.get(callId)?.();
            const close = notification.add(message, {
                title,
                type: "warning",
                sticky: true,
                onClose: () => shown.delete(callId),
                buttons: [
                    {
                        name: _t("Mark done"),
                        primary: true,
                        onClick: () => act(callId, "action_mark_done", _t("The call is marked as completed.")),
                    },
                    {
                        name: _t("Reschedule"),
                        onClick: () => act(callId, "action_reschedule"),
                    },
                    {
                        name: _t("Cancel"),
                        onClick: () => act(callId, "action_cancel", _t("The call is cancelled.")),
                    },
                    {
                        name: _t("Open the call"),
                        onClick: async () => {
                            shown.get(callId)?.();
                            await action.doAction({
                                type: "ir.actions.act_window",
                                res_model: "crm.call",
                                res_id: callId,
                                views: [[false, "form"]],
                            });
                        },
                    },
                ],
            });
            shown.set(callId, close);
        }

        bus_service.subscribe("call_logging.reminder", showReminder);
        bus_service.start();
        return { showReminder };
    },
};

registry.category("services").add("call_logging.call_reminder", callReminderService);
