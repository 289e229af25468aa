import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { Component, useState } from "@odoo/owl";
import { SoftphoneCallControls } from "./softphone_call_controls";

const STATUS_LABELS = {
    connecting: _t("Phone: connecting"),
    ready: _t("Phone: ready"),
    ringing: _t("Phone: ringing"),
    in_call: _t("Phone: in a call"),
    offline: _t("Phone: offline"),
};

/** The browser phone in the systray: its state at a glance, its calls and their controls when opened. */
export class SoftphoneSystray extends Component {
    static template = "call_telephony_bridge.SoftphoneSystray";
    static components = { Dropdown, SoftphoneCallControls };
    static props = {};

    setup() {
        this.softphone = useService("call_telephony_bridge.softphone");
        this.state = useState(this.softphone.state);
        this.devices = useState({ microphones: [], speakers: [] });
    }

    get label() {
        return STATUS_LABELS[this.state.status] || "";
    }

    async loadDevices() {
        if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
            return;
        }
        const devices = await navigator.mediaDevices.enumerateDevices();
        this.devices.microphones = devices.filter((device) => device.kind === "audioinput");
        this.devices.speakers = devices.filter((device) => device.kind === "audiooutput");
    }

    chooseMicrophone(ev) {
        this.state.microphoneId = ev.target.value || null;
    }

    chooseSpeaker(ev) {
        this.state.speakerId = ev.target.value || null;
    }
}

registry.category("systray").add("call_telephony_bridge.softphone", { Component: SoftphoneSystray }, { sequence: 30 });
