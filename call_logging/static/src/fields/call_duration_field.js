import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useInputField } from "@web/views/fields/input_field_hook";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component, useState } from "@odoo/owl";

/**
 * Seconds shown as mm:ss (h:mm:ss from one hour on), everywhere a call's length is read: forms, lists,
 * pivots and graphs (through the "call_duration" formatter), the day plan and the dashboard.
 */
export function formatCallDuration(seconds) {
    seconds = Math.max(Math.round(seconds || 0), 0);
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const secs = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return hours ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${pad(minutes)}:${pad(secs)}`;
}

/**
 * What a user types, in seconds: mm:ss, h:mm:ss, or a plain number of minutes below 60 ("5" is 05:00).
 * A plain number from 60 on is refused, as "90" reads as seconds to some and as minutes to others.
 * A leading minus is kept, so that the server answers with its own sentence on negative durations.
 * Anything else throws an error whose message says what to type.
 */
export function parseCallDuration(text) {
    const value = (text || "").trim();
    if (!value) {
        return 0;
    }
    const sign = value.startsWith("-") ? -1 : 1;
    const unsigned = value.replace(/^-\s*/, "");
    if (/^\d+$/.test(unsigned)) {
        const minutes = parseInt(unsigned, 10);
        if (minutes >= 60) {
            throw new Error(
                _t(
                    "“%(value)s” could be seconds or minutes: type %(seconds)s for %(value)s seconds or %(minutes)s for %(value)s minutes.",
                    {
                        value: unsigned,
                        seconds: formatCallDuration(minutes),
                        minutes: formatCallDuration(minutes * 60),
                    }
                )
            );
        }
        return sign * minutes * 60;
    }
    const match = unsigned.match(/^(?:(\d+):)?(\d+):(\d{1,2})$/);
    if (!match) {
        throw new Error(_t("“%s” is not a duration: type mm:ss, for example 04:30.", value));
    }
    const [hours, minutes, seconds] = match.slice(1).map((part) => parseInt(part || "0", 10));
    if (seconds >= 60 || (match[1] && minutes >= 60)) {
        throw new Error(_t("“%s” is not a duration: seconds and minutes go up to 59.", value));
    }
    return sign * (hours * 3600 + minutes * 60 + seconds);
}

// A call that is not completed has no length yet: its zero duration is left blank rather than 00:00.
const STATES_WITH_A_DURATION = ["done", "ringing", "in_progress", "on_hold"];

export class CallDurationField extends Component {
    static template = "call_logging.CallDurationField";
    static props = { ...standardFieldProps, placeholder: { type: String, optional: true } };

    setup() {
        this.state = useState({ error: "" });
        useInputField({
            getValue: () => this.formattedValue,
            parse: (value) => this.parse(value),
        });
    }

    parse(value) {
        try {
            const seconds = parseCallDuration(value);
            this.state.error = "";
            return seconds;
        } catch (error) {
            // The input hook only marks the field invalid: say why under it.
            this.state.error = error.message;
            throw error;
        }
    }

    get formattedValue() {
        const { data } = this.props.record;
        const seconds = data[this.props.name];
        if (!seconds && this.props.readonly && "state" in data && !STATES_WITH_A_DURATION.includes(data.state)) {
            return "";
        }
        return formatCallDuration(seconds);
    }
}

registry.category("fields").add("call_duration", {
    component: CallDurationField,
    displayName: _t("Call Duration"),
    supportedTypes: ["integer"],
    isEmpty: () => false,
    extractProps: ({ attrs }) => ({ placeholder: attrs.placeholder || "mm:ss" }),
});
registry.category("formatters").add("call_duration", formatCallDuration);
