import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component, onWillUnmount, useState } from "@odoo/owl";
import { formatCallDuration } from "./call_duration_field";

const { DateTime } = luxon;

/**
 * The live clock of a current call: talk time since the start, hold time apart.
 * Put on the call's start field; reads the hold fields of the same record.
 */
export class CallTimerField extends Component {
    static template = "call_logging.CallTimerField";
    static props = { ...standardFieldProps };

    setup() {
        this.clock = useState({ now: DateTime.now() });
        const interval = setInterval(() => (this.clock.now = DateTime.now()), 1000);
        onWillUnmount(() => clearInterval(interval));
    }

    secondsSince(moment) {
        return moment ? Math.max(Math.floor(this.clock.now.diff(moment, "seconds").seconds), 0) : 0;
    }

    get holdSeconds() {
        const data = this.props.record.data;
        const runningHold = data.state === "on_hold" ? this.secondsSince(data.hold_started_at) : 0;
        return (data.hold_duration || 0) + runningHold;
    }

    get talkSeconds() {
        return Math.max(this.secondsSince(this.props.record.data[this.props.name]) - this.holdSeconds, 0);
    }

    get talkTime() {
        return formatCallDuration(this.talkSeconds);
    }

    get holdTime() {
        return formatCallDuration(this.holdSeconds);
    }
}

registry.category("fields").add("call_timer", {
    component: CallTimerField,
    displayName: _t("Call Timer"),
    supportedTypes: ["datetime"],
    fieldDependencies: [
        { name: "state", type: "selection" },
        { name: "hold_duration", type: "integer" },
        { name: "hold_started_at", type: "datetime" },
    ],
});
