import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { Component, useState } from "@odoo/owl";
import { SoftphoneCallControls } from "./softphone_call_controls";

const STATUS_LABELS = {
    off: _t("Phone: calls ring on your desk phone"),
    connecting: _t("Phone: connecting"),
    ready: _t("Phone: ready"),
    ringing: _t("Phone: ringing"),
    in_call: _t("Phone: in a call"),
    offline: _t("Phone: offline"),
};
const CONTACTS_SHOWN = 6;
const RECENT_CALLS_SHOWN = 5;

/**
 * The phone in the systray: its state at a glance; opened, its calls and their controls, a dial pad that
 * finds contacts by name or takes a number, the user's recent calls, and the microphone and speaker.
 */
export class SoftphoneSystray extends Component {
    static template = "call_telephony_bridge.SoftphoneSystray";
    static components = { Dropdown, SoftphoneCallControls };
    static props = {};

    setup() {
        this.softphone = useService("call_telephony_bridge.softphone");
        this.orm = useService("orm");
        this.state = useState(this.softphone.state);
        this.pad = useState({ query: "", contacts: [], recent: [], microphones: [], speakers: [] });
        this.searchContacts = useDebounced(this.searchContacts.bind(this), 250);
    }

    get label() {
        return STATUS_LABELS[this.state.status] || "";
    }

    get typedNumber() {
        const query = this.pad.query.trim();
        return /^[+0-9][0-9 ()./-]*$/.test(query) && /[0-9]{3}/.test(query) ? query : "";
    }

    async onOpened() {
        this.pad.recent = await this.orm.searchRead(
            "crm.call",
            [["user_id", "=", user.userId], ["phone", "!=", false], ["state", "not in", ["scheduled", "cancelled"]]],
            ["phone", "partner_id", "lead_id", "direction", "state"],
            { limit: RECENT_CALLS_SHOWN, order: "start desc, id desc" }
        );
        if (navigator.mediaDevices && navigator.mediaDevices.enumerateDevices) {
            const devices = await navigator.mediaDevices.enumerateDevices();
            this.pad.microphones = devices.filter((device) => device.kind === "audioinput");
            this.pad.speakers = devices.filter((device) => device.kind === "audiooutput");
        }
    }

    onInput(ev) {
        this.pad.query = ev.target.value;
        this.searchContacts();
    }

    async searchContacts() {
        const query = this.pad.query.trim();
        if (query.length < 2 || this.typedNumber) {
            this.pad.contacts = [];
            return;
        }
        this.pad.contacts = await this.orm.searchRead(
            "res.partner",
            [["name", "ilike", query], "|", ["phone", "!=", false], ["mobile", "!=", false]],
            ["display_name", "phone", "mobile"],
            { limit: CONTACTS_SHOWN }
        );
    }

    onKeydown(ev) {
        if (ev.key === "Enter" && this.typedNumber) {
            this.dial(this.typedNumber);
        }
    }

    dial(number) {
        this.pad.query = "";
        this.pad.contacts = [];
        this.softphone.dial(number);
    }

    numbersOf(contact) {
        return [...new Set([contact.phone, contact.mobile].filter((number) => number))];
    }

    directionLabel(call) {
        return call.direction === "inbound" ? _t("Incoming") : _t("Outgoing");
    }

    recentLabel(call) {
        return (call.partner_id && call.partner_id[1]) || (call.lead_id && call.lead_id[1]) || call.phone;
    }

    chooseMicrophone(ev) {
        this.state.microphoneId = ev.target.value || null;
    }

    chooseSpeaker(ev) {
        this.state.speakerId = ev.target.value || null;
    }
}

registry.category("systray").add("call_telephony_bridge.softphone", { Component: SoftphoneSystray }, { sequence: 30 });
