import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useInputField } from "@web/views/fields/input_field_hook";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component } from "@odoo/owl";

/**
 * Seconds shown as mm:ss (h:mm:ss from one hour on). Typed as mm:ss, h:mm:ss,
 * or a plain number of minutes.
 */
export function formatCallDuration(seconds) {
    seconds = Math.max(Math.round(seconds || 0), 0);
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const secs = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return hours ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${pad(minutes)}:${pad(secs)}`;
}

export function parseCallDuration(text) {
    const value = (text || "").trim();
    if (!value) {
        return 0;
    }
    if (/^\d+$/.test(value)) {
        return parseInt(value, 10) * 60;
    }
    const match = value.match(/^(?:(\d+):)?(\d+):(\d{1,2})$/);
    if (!match) {
        throw new Error(_t("“%s” is not a duration: type mm:ss, for example 04:30.", value));
    }
    const [hours, minutes, seconds] = match.slice(1).map((part) => parseInt(part || "0", 10));
    if (seconds >= 60 || (match[1] && minutes >= 60)) {
        throw new Error(_t("“%s” is not a duration: seconds and minutes go up to 59.", value));
    }
    return hours * 3600 + minutes * 60 + seconds;
}

export class CallDurationField extends Component {
    static template = "call_logging.CallDurationField";
    static props = { ...standardFieldProps, placeholder: { type: String, optional: true } };

    setup() {
        useInputField({
            getValue: () => this.formattedValue,
            parse: (value) => parseCallDuration(value),
        });
    }

    get formattedValue() {
        return formatCallDuration(this.props.record.data[this.props.name]);
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
