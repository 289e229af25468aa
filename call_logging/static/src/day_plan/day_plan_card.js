import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { localization } from "@web/core/l10n/localization";
import { Component } from "@odoo/owl";
import { formatCallDuration } from "../fields/call_duration_field";

const { DateTime } = luxon;

/**
 * One call on the day plan: when, what, with whom, on which number and why,
 * with the buttons that fit its state. The card only reports what the user
 * asked for; the DayPlan action runs it and refreshes.
 */
export class DayPlanCard extends Component {
    static template = "call_logging.DayPlanCard";
    static props = {
        call: Object,
        section: String,
        busy: Boolean,
        onOpen: Function,
        onAction: Function,
    };

    get start() {
        return deserializeDateTime(this.props.call.start);
    }

    get isScheduled() {
        return this.props.call.state === "scheduled";
    }

    /**
     * Time only for today's calls; weekday and date for any other day. In the user's language's own date
     * and time formats, without seconds, as the lists and the calendar show them.
     */
    get timeLabel() {
        const start = this.start;
        if (start.hasSame(DateTime.local(), "day")) {
            return start.toFormat(localization.shortTimeFormat);
        }
        return `${start.toFormat("ccc")} ${formatDateTime(start, { showSeconds: false })}`;
    }

    get relativeLabel() {
        return this.start.toRelative();
    }

    get partnerName() {
        return this.props.call.partner_id ? this.props.call.partner_id[1] : "";
    }

    get leadName() {
        return this.props.call.lead_id ? this.props.call.lead_id[1] : "";
    }

    get purposeName() {
        return this.props.call.purpose_id ? this.props.call.purpose_id[1] : "";
    }

    get resultName() {
        return this.props.call.result_id ? this.props.call.result_id[1] : "";
    }

    get durationLabel() {
        return formatCallDuration(this.props.call.duration);
    }

    get directionLabel() {
        return this.props.call.direction === "inbound" ? _t("Inbound") : _t("Outbound");
    }

    get directionIcon() {
        // The arrow points the way the call went: to us (inbound) or out to the customer.
        return this.props.call.direction === "inbound" ? "fa-arrow-down" : "fa-arrow-up";
    }

    /**
     * What the call is about - its purpose and agenda rather than a subject repeating the contact shown
     * below; the unknown caller of a missed call is known by their number only.
     */
    get title() {
        const call = this.props.call;
        return call.headline || call.name || this.partnerName || call.phone || _t("Phone Call");
    }

    /** A missed call's voicemail, played on the card (served only to those who may read the call). */
    get voicemailUrl() {
        const { call } = this.props;
        return call.state === "missed" && call.recording_id ? `/web/content/${call.recording_id[0]}` : "";
    }

    act(method) {
        this.props.onAction(this.props.call, method);
    }
}
