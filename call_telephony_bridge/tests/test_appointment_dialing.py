import time
import unittest
from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import (
    LINE_TOKEN,
    DialsThroughTheBridgeMixin,
    TelephonyWorldMixin,
    bridge_turn,
    wait_for_bridge_health,
)
from .pbx_processes import ARI_PASSWORD, ARI_USER, components_available, start_pbx_for

CALL_TIMEOUT = 30


@tagged("post_install", "-at_install")
@unittest.skipUnless(components_available(), "the simulated PBX and the bridge are not in the repository")
class TestAppointmentDialing(DialsThroughTheBridgeMixin, TelephonyWorldMixin, HttpCase):
    """Automatic phone appointments dialled through the real simulated PBX and the real bridge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.presence = cls.env["bus.presence"].create({"user_id": cls.agent.id, "status": "online"})
        start_pbx_for(cls, LINE_TOKEN, dials=True)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def sim(self, method, path, **kwargs):
        with bridge_turn(self):  # the simulator may wait for a call that needs the bridge and this Odoo
            response = requests.request(method, self.ari_url + path, auth=(ARI_USER, ARI_PASSWORD), timeout=40,
                                        **kwargs)
        response.raise_for_status()
        return response.json()

    def expect_outbound(self, agent, customer=2.0, talk=2.0):
        """Tell the simulated PBX how the next click-to-dial on extension 201 goes; return its scenario id."""
        return self.sim("POST", "/sim/calls", json={
            "direction": "outbound", "extension": "201", "agent": agent, "customer": customer,
            "talk": talk, "hangup_by": "agent",
        })["id"]

    def book(self, minutes=10, retry=5):
        """The agent books an automatic appointment with Anna, its window opening in a minute."""
        self.wait_for_bridge()
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(minutes=1)
        appointment = self.env["crm.call"].with_user(self.agent).create({
            "is_appointment": True, "dial_mode": "automatic", "retry_interval_minutes": retry,
            "start": start, "window_end": start + timedelta(minutes=minutes), "partner_id": self.partner.id,
        })
        return appointment.with_env(self.env)  # read back as the cron sees it, PBX events included

    def tick(self, now):
        """One run of the appointments cron at ``now``, between the bridge's requests."""
        with self.registry.test_lock:
            self.env.invalidate_all()
            self.env["crm.call"]._cron_phone_appointments(now=now)

    def wait_for_bridge(self):
        deadline = time.monotonic() + 15
        while not self.sim("GET", "/sim/status").get("subscribers"):
            self.assertLess(time.monotonic(), deadline, "the bridge never connected:\n" + self.bridge.output())
            with bridge_turn(self):
                time.sleep(0.2)
        wait_for_bridge_health(self, self.line)

    def placed(self, call):
        """The agent's channel of ``call`` once the bridge has claimed its dial order and rung her phone."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            response = requests.get(f"{self.ari_url}/ari/channels/{call.external_ref}",
                                    auth=(ARI_USER, ARI_PASSWORD), timeout=5)
            if response.ok:
                return response.json()
            with bridge_turn(self):
                time.sleep(0.2)
        self.fail(f"the bridge never placed {call.external_ref}\n{self.bridge.output()[-3000:]}")

    def wait_until_done(self, call):
        deadline = time.monotonic() + CALL_TIMEOUT
        while time.monotonic() < deadline:
            with self.registry.test_lock:
                self.env.invalidate_all()
                if call.state == "done":
                    return
            with bridge_turn(self):
                time.sleep(0.3)
        self.fail(f"the call is still {call.state}\n{self.bridge.output()[-3000:]}")

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_window_start_rings_my_extension_then_the_contact_and_logs_the_call(self):
        self.wait_for_bridge()
        scenario = self.expect_outbound(agent=0.5, customer=1.0, talk=2.0)
        appointment = self.book()
        self.tick(appointment.start - timedelta(seconds=30))
        self.assertFalse(appointment.appointment_attempt_ids, "nothing is dialled before the window opens")

        self.tick(appointment.start)
        attempt = appointment.appointment_attempt_ids
        self.assertEqual(len(attempt), 1)
        self.assertEqual((attempt.direction, attempt.user_id, attempt.partner_id),
                         ("outbound", self.agent, self.partner))
        self.assertTrue(attempt.external_ref.startswith("odoo-c2d-"), "dialled the way click-to-dial does")
        ended = self.sim("GET", f"/sim/calls/{scenario}?wait={CALL_TIMEOUT}")
        self.assertTrue(ended["done"], f"{ended}\n{self.bridge.output()[-3000:]}")
        self.wait_until_done(attempt)

        with self.registry.test_lock:
            events = attempt.telephony_event_ids.sorted("event_time")
            self.assertEqual(events.mapped("event"), ["ringing", "answered", "hangup"])
            self.assertEqual(events[0].extension, "201", "the PBX rang the agent's extension first")
            self.assertTrue(attempt.answered_at, "then the contact answered")
            self.assertGreaterEqual(attempt.duration, 1)
            self.assertEqual(attempt.phone, "+48221234567")
        self.tick(appointment.start + timedelta(minutes=1))
        self.assertEqual((appointment.state, appointment.appointment_state), ("done", "held"))
        self.tick(appointment.window_end)
        self.assertEqual(len(appointment.appointment_attempt_ids), 1, "a held appointment is not dialled again")
        self.assertFalse(appointment.activity_ids)

    def test_busy_or_absent_owner_is_skipped_and_dialled_later(self):
        appointment = self.book()
        other = self.env["res.partner"].create({"name": "Someone Else", "phone": "+48 22 999 88 77"})
        busy = self.env["crm.call"].with_user(self.agent).create({"state": "in_progress", "partner_id": other.id})
        self.tick(appointment.start)
        self.assertEqual(appointment.appointment_state, "open")
        self.assertFalse(appointment.appointment_attempt_ids, "the agent is on another call")

        busy.with_user(self.agent).action_end_call()
        self.presence.status = "offline"
        self.tick(appointment.start + timedelta(minutes=1))
        self.assertFalse(appointment.appointment_attempt_ids, "the agent is not logged in")

        self.presence.status = "away"
        self.tick(appointment.start + timedelta(minutes=1, seconds=30))
        self.assertFalse(appointment.appointment_attempt_ids, "away, as the line's router would skip her")

        self.presence.status = "online"
        self.expect_outbound(agent="never")
        self.tick(appointment.start + timedelta(minutes=2))
        attempt = appointment.appointment_attempt_ids
        self.assertEqual(len(attempt), 1, "free and logged in: dialled at the next run")
        channel = self.placed(attempt)
        self.assertIn("201", channel["name"], "the PBX rings the agent's extension")

    def test_unreached_window_ends_missed_by_us_with_an_activity(self):
        self.expect_outbound(agent="never")
        self.expect_outbound(agent="never")
        appointment = self.book(minutes=10, retry=5)
        start = appointment.start
        self.tick(start)
        first = appointment.appointment_attempt_ids
        self.assertEqual(len(first), 1)
        # Each attempt takes its cast of the simulated PBX now, not in a later test.
        self.placed(first)

        self.tick(start + timedelta(minutes=2))
        self.assertEqual((first.state, first.result_id, first.duration, first.telephony_end_reason),
                         ("done", self.env.ref("call_telephony_bridge.result_not_connected"), 0, "agent_no_answer"),
                         "the agent did not pick up: not connected, and nobody counts it as a call with Anna")
        self.assertEqual(len(appointment.appointment_attempt_ids), 1, "the next attempt waits for the interval")

        self.tick(start + timedelta(minutes=5))
        self.assertEqual(len(appointment.appointment_attempt_ids), 2, "tried again after five minutes")
        self.placed(appointment.appointment_attempt_ids - first)

        self.tick(appointment.window_end)
        self.assertEqual(appointment.appointment_attempt_ids.mapped("state"), ["done", "done"])
        self.assertEqual((appointment.state, appointment.appointment_state), ("scheduled", "missed_by_us"))
        self.assertEqual(appointment.activity_ids.user_id, self.agent)
        self.assertIn("Missed phone appointment", appointment.activity_ids.summary)
