import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component, onMounted, onWillDestroy, onWillUnmount } from "@odoo/owl";

// "given_back": a dialled call the PBX never placed is scheduled again or closed (telephony.dial.order).
const CALL_NOTIFICATIONS = [
    "call_telephony_bridge/ringing",
    "call_telephony_bridge/update",
    "call_telephony_bridge/given_back",
];
// A notification lost while the browser's websocket reconnects must not leave the form on an old state.
const CATCH_UP_MS = 5000;

/**
 * A PBX call's live status on its own form: "Ringing…" until someone answers, and the form
 * follows what the PBX reports (answer, hold, hangup) by itself, keeping what the user typed.
 * Put on the call's state field.
 */
export class CallLiveStatus extends Component {
    static template = "call_telephony_bridge.CallLiveStatus";
    static props = { ...standardFieldProps };

    setup() {
        const busService = useService("bus_service");
        // One callback per notification type: the bus keys its listeners by callback.
        const listeners = CALL_NOTIFICATIONS.map((type) => [type, (data) => this.follow(data)]);
        for (const [type, listener] of listeners) {
            busService.subscribe(type, listener);
        }
        onWillDestroy(() => {
            for (const [type, listener] of listeners) {
                busService.unsubscribe(type, listener);
            }
        });
        // Shown only while the call is live: meanwhile the form also reads it again now and then.
        onMounted(() => {
            this.catchUpTimer = setInterval(() => this.catchUp(), CATCH_UP_MS);
        });
        onWillUnmount(() => clearInterval(this.catchUpTimer));
    }

    get ringing() {
        return this.props.record.data.state === "ringing";
    }

    /** Read the call again unless the user is typing in it (what they type is saved by the next PBX change). */
    async catchUp() {
        const record = this.props.record;
        if (record.resId && !(await record.isDirty())) {
            await record.load();
        }
    }

    /** The PBX changed this call: read it again, saving first what the user typed meanwhile (notes...). */
    async follow(data) {
        const record = this.props.record;
        if (data.id !== record.resId) {
            return;
        }
        if (await record.isDirty()) {
            await record.save();
        } else {
            await record.load();
        }
    }
}

registry.category("fields").add("call_telephony_live", {
    component: CallLiveStatus,
    displayName: _t("PBX Call Status"),
    supportedTypes: ["selection"],
});
