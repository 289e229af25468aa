import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { useService } from "@web/core/utils/hooks";
import { Component, useState } from "@odoo/owl";
import { SoftphoneCallControls } from "../softphone/softphone_call_controls";

/** One call's popup: the caller's card while it rings and talks, the wrap-up form once it ended. */
export class ScreenPop extends Component {
    static template = "call_telephony_bridge.ScreenPop";
    static components = { SoftphoneCallControls };
    static props = { popup: Object, actions: Object };

    setup() {
        this.form = useState(this.props.popup.wrapUp);
        this.softphone = useService("call_telephony_bridge.softphone");
        this.phone = useState(this.softphone.state);
    }

    /** The browser phone's call carrying this one, when it rings or talks in this browser. */
    get browserCall() {
        if (this.data.ended || !this.phone.sessions.length) {
            return null;
        }
        return this.softphone.callFor(this.data.number);
    }

    get data() {
        return this.props.popup.data;
    }

    get title() {
        if (this.data.ended) {
            return this.data.state === "missed" ? _t("Missed call") : _t("Call ended");
        }
        if (this.props.popup.answered) {
            return _t("On the phone");
        }
        return this.data.direction === "inbound" ? _t("Incoming call") : _t("Outgoing call");
    }

    /** A past call's start, in the user's time zone and language. */
    formatStart(start) {
        return formatDateTime(deserializeDateTime(start));
    }

    get callerName() {
        return (this.data.partner && this.data.partner.name) || (this.data.lead && this.data.lead.name) || this.data.number;
    }

    get isUnknown() {
        return !this.data.partner && !this.data.lead;
    }

    get isMissed() {
        return this.data.ended && this.data.state === "missed";
    }

    get showWrapUp() {
        return this.data.ended && this.data.is_owner && !this.isMissed;
    }

    /** Finished calls only: a call still going on is not history yet. */
    get lastCalls() {
        return this.data.last_calls.filter((past) => !past.live);
    }

    callBack() {
        this.props.actions.runCallAction(this.data.id, "action_call_back");
    }

    scheduleCallBack() {
        this.props.actions.runCallAction(this.data.id, "action_schedule_call_back");
    }

    openContact() {
        this.props.actions.openRecord({ ...this.data, lead: false });
    }

    openLead() {
        this.props.actions.openRecord({ ...this.data, partner: false });
    }

    openCall() {
        this.props.actions.action.doAction({
            type: "ir.actions.act_window",
            res_model: "crm.call",
            res_id: this.data.id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    openOpenLead(leadId) {
        this.props.actions.openRecord({ ...this.data, partner: false, lead: { id: leadId } });
    }

    createContact() {
        this.props.actions.createRecord(this.data, "res.partner");
    }

    createLead() {
        this.props.actions.createRecord(this.data, "crm.lead");
    }

    close() {
        this.props.actions.dismiss(this.data.id);
    }

    async saveWrapUp() {
        await this.props.actions.saveWrapUp(this.data.id, {
            description: this.form.description,
            result_id: this.form.result_id ? parseInt(this.form.result_id) : false,
            goal_status: this.form.goal_status,
            additional_info: this.form.additional_info,
        });
    }
}

/**
 * Stacks the popups of the calls in the corner of every page, below the navbar:
 * the newest on top, the ended calls waiting for their wrap-up folded into one line.
 */
export class ScreenPopContainer extends Component {
    static template = "call_telephony_bridge.ScreenPopContainer";
    static components = { ScreenPop };
    static props = { state: Object, actions: Object };

    setup() {
        this.state = useState(this.props.state);
        this.fold = useState({ open: false });
    }

    isWrapUp(popup) {
        return popup.data.ended && popup.data.is_owner && popup.data.state !== "missed";
    }

    get activeCalls() {
        return this.state.calls.filter((popup) => !this.isWrapUp(popup));
    }

    get wrapUps() {
        return this.state.calls.filter((popup) => this.isWrapUp(popup));
    }

    get wrapUpLabel() {
        const count = this.wrapUps.length;
        return count === 1 ? _t("1 call to wrap up") : _t("%s calls to wrap up", count);
    }

    toggleWrapUps() {
        this.fold.open = !this.fold.open;
    }
}
