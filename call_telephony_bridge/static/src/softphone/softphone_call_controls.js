import { useService } from "@web/core/utils/hooks";
import { Component, onWillUnmount, useState } from "@odoo/owl";

const KEYPAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** What a user does with a browser call: answer or decline it while it rings; then mute, hold, tones, hang up. */
export class SoftphoneCallControls extends Component {
    static template = "call_telephony_bridge.SoftphoneCallControls";
    static props = { call: Object };

    setup() {
        this.softphone = useService("call_telephony_bridge.softphone");
        this.phone = useState(this.softphone.state);
        this.ui = useState({ keypad: false, now: Date.now() });
        this.keys = KEYPAD;
        const timer = setInterval(() => (this.ui.now = Date.now()), 1000);
        onWillUnmount(() => clearInterval(timer));
    }

    /** The call as the phone has it now (read through this component's own state, so that it re-renders). */
    get call() {
        return this.phone.sessions.find((call) => call.id === this.props.call.id) || this.props.call;
    }

    get timer() {
        if (!this.call.startedAt) {
            return "";
        }
        const seconds = Math.max(0, Math.floor((this.ui.now - this.call.startedAt) / 1000));
        const minutes = String(Math.floor(seconds / 60)).padStart(2, "0");
        return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
    }

    get ringing() {
        return this.call.incoming && this.call.state === "ringing";
    }

    answer() {
        this.softphone.answer(this.call);
    }

    decline() {
        this.softphone.decline(this.call);
    }

    hangUp() {
        this.softphone.hangUp(this.call);
    }

    toggleMute() {
        this.softphone.toggleMute(this.call);
    }

    toggleHold() {
        this.softphone.toggleHold(this.call);
    }

    toggleKeypad() {
        this.ui.keypad = !this.ui.keypad;
    }

    sendTone(key) {
        this.softphone.sendTone(this.call, key);
    }
}
