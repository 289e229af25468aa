import base64
import io
import time
import unittest
import wave

from odoo.tests import HttpCase, tagged

from .common import (
    CUSTOMER_NUMBER,
    LINE_TOKEN,
    DialsThroughTheBridgeMixin,
    TelephonyWorldMixin,
    bridge_turn,
    wait_for_bridge_health,
)
from .pbx_processes import asterisk_built, start_asterisk_for

CALL_TIMEOUT = 40
LINE_DIGITS = "48221000000"


@tagged("post_install", "-at_install")
@unittest.skipUnless(asterisk_built(), "the real Asterisk is not built here (setup/asterisk.sh build)")
class TestEndToEndAsterisk(DialsThroughTheBridgeMixin, TelephonyWorldMixin, HttpCase):
    """A real Asterisk 22, the real bridge and this Odoo: what Odoo records for each kind of call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line.default_extensions = "202"
        start_asterisk_for(cls, LINE_TOKEN, dials=True)
        for extension in ("201", "202"):
            cls.asterisk.agent(extension)

    def wait_for_call(self, domain, state, ready=lambda call: True):
        deadline = time.monotonic() + CALL_TIMEOUT
        calls = self.env["crm.call"]
        while time.monotonic() < deadline:
            # The server's request threads share the test's connection: read only between their requests.
            with self.registry.test_lock:
                self.env.invalidate_all()
                calls = self.env["crm.call"].search(domain)
                if calls and calls[0].state == state and ready(calls[0]) and (
                        state != "done" or calls[0].telephony_duration or calls[0].telephony_end_reason):
                    return calls
            with bridge_turn(self):
                time.sleep(0.3)
        self.fail(f"no {state} call for {domain}: {calls.mapped('state')}\n{self.bridge.output()[-3000:]}")

    def test_an_answered_call_lands_on_the_contact_with_its_real_duration(self):
        self.asterisk.agent("201", ring=1)
        call_id = self.asterisk.call_in("+48221234567", LINE_DIGITS, talk=3)
        call = self.wait_for_call([("external_ref", "=", call_id)], "done")
        self.assertEqual((call.direction, call.partner_id, call.user_id), ("inbound", self.partner, self.agent))
        self.assertAlmostEqual(call.telephony_duration, 3.0, delta=0.6)
        self.assertEqual(call.duration, round(call.telephony_duration))

    def test_a_call_nobody_answers_is_missed_with_the_voicemail_on_it(self):
        self.asterisk.agent("201", mode="never")
        self.asterisk.agent("202", mode="never")
        with self.registry.test_lock:  # the bridge asks for dial orders all the time: write between its requests
            self.line.ring_seconds = 1
            self.env.flush_all()
        call_id = self.asterisk.call_in(CUSTOMER_NUMBER.replace(" ", ""), LINE_DIGITS, talk=10)
        call = self.wait_for_call([("external_ref", "=", call_id)], "missed")
        self.assertEqual(call.partner_id, self.partner)
        deadline = time.monotonic() + CALL_TIMEOUT + 30
        while time.monotonic() < deadline:
            with self.registry.test_lock:
                self.env.invalidate_all()
                audio = call.recording_id
                if audio:
                    self.assertTrue(audio.name.endswith(".wav"))
                    with wave.open(io.BytesIO(base64.b64decode(audio.datas))) as wav:
                        self.assertGreater(wav.getnframes(), 0)
                    return
            with bridge_turn(self):
                time.sleep(0.5)
        self.fail("the voicemail never reached the call\n" + self.bridge.output()[-3000:])

    def test_dial_when_my_own_phone_is_busy_ends_not_connected_at_once(self):
        self.asterisk.agent("201", mode="busy")
        wait_for_bridge_health(self, self.line)
        with self.registry.test_lock:  # the bridge may still be posting the previous test's events
            action = self.partner.with_user(self.agent).action_telephony_dial()
        call = self.env["crm.call"].browse(action["res_id"])
        call = self.wait_for_call([("id", "=", call.id)], "done")
        self.assertEqual((call.duration, call.telephony_end_reason), (0, "agent_busy"))

    def test_dial_the_customer_answers_and_the_talk_is_timed(self):
        self.asterisk.agent("201", ring=1, talk=5)
        self.asterisk.set_global("CUSTOMER_RING", "1")
        wait_for_bridge_health(self, self.line)
        with self.registry.test_lock:  # the bridge may still be posting the previous test's events
            action = self.env["crm.call"].with_user(self.agent)._telephony_dial("+48 600 999 001")
        call = self.env["crm.call"].browse(action["res_id"])
        call = self.wait_for_call([("id", "=", call.id)], "done")
        self.assertAlmostEqual(call.telephony_duration, 4.0, delta=0.8)
        self.assertFalse(call.telephony_end_reason)

    def test_an_unknown_caller_gets_a_lead_when_the_line_asks_for_it(self):
        with self.registry.test_lock:  # the bridge asks for dial orders all the time: write between its requests
            self.line.write({"unknown_number_action": "create_lead", "auto_lead_directions": "both"})
            self.env.flush_all()  # the server's requests read the database, not this test's cache
        self.asterisk.agent("202", ring=1)
        call_id = self.asterisk.call_in("+48739111222", LINE_DIGITS, talk=2)
        call = self.wait_for_call([("external_ref", "=", call_id)], "done", ready=lambda call: call.lead_id)
        # The bridge may still be posting this call's last events on the shared connection: read between them.
        with self.registry.test_lock:
            self.assertFalse(call.partner_id)
            self.assertEqual(call.lead_id.phone, call.phone)
            self.line.unknown_number_action = "offer"
