import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

/**
 * Tells the owner of a manual phone appointment that its window is open: a sticky
 * notification with "Call now", which starts the appointment's call, and "Open".
 */
export const phoneAppointmentService = {
    dependencies: ["action", "bus_service", "notification", "orm"],

    start(env, { action, bus_service, notification, orm }) {
        const shown = new Map();

        function openCall(callId) {
            return action.doAction({
                type: "ir.actions.act_window",
                res_model: "crm.call",
                res_id: callId,
                views: [[false, "form"]],
            });
        }

        function showWindowOpen({ call_id: callId, title, message }) {
            shown.get(callId)?.();
            const close = notification.add(message, {
                title,
                type: "info",
                sticky: true,
                onClose: () => shown.delete(callId),
                buttons: [
                    {
                        name: _t("Call now"),
                        primary: true,
                        onClick: async () => {
                            const result = await orm.call("crm.call", "action_call_appointment_now", [[callId]]);
                            shown.get(callId)?.();
                            await action.doAction(result);
                        },
                    },
                    {
                        name: _t("Open the call"),
                        onClick: async () => {
                            shown.get(callId)?.();
                            await openCall(callId);
                        },
                    },
                ],
            });
            shown.set(callId, close);
        }

        bus_service.subscribe("call_logging.appointment", showWindowOpen);
        bus_service.start();
        return { showWindowOpen };
    },
};

registry.category("services").add("call_logging.phone_appointment", phoneAppointmentService);
