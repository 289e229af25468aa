import time
import unittest
from unittest.mock import patch

import requests

from odoo.tests import HttpCase, tagged

from .common import LINE_TOKEN, TelephonyWorldMixin
from .pbx_processes import ARI_PASSWORD, ARI_USER, components_available, start_pbx_for

CALL_TIMEOUT = 30


@tagged("post_install", "-at_install")
@unittest.skipUnless(components_available(), "the simulated PBX and the bridge are not in the repository")
class TestEndToEndBridge(TelephonyWorldMixin, HttpCase):
    """The real simulated PBX and the real bridge, as subprocesses on loopback, play calls into this Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line.default_extensions = "201"
        start_pbx_for(cls, LINE_TOKEN)

    def play(self, scenario):
        """Start a scenario on the simulator and wait until it ended there."""
        auth = (ARI_USER, ARI_PASSWORD)
        deadline = time.monotonic() + 15
        while not requests.get(self.ari_url + "/sim/status", auth=auth, timeout=5).json().get("subscribers"):
            self.assertLess(time.monotonic(), deadline, "the bridge never connected:\n" + self.bridge.output())
            time.sleep(0.2)
        started = requests.post(self.ari_url + "/sim/calls", json=scenario, auth=auth, timeout=5).json()
        ended = requests.get(f"{self.ari_url}/sim/calls/{started['id']}?wait={CALL_TIMEOUT}", auth=auth,
                             timeout=CALL_TIMEOUT + 5).json()
        return ended

    def wait_for_call(self, state, number):
        deadline = time.monotonic() + CALL_TIMEOUT
        while time.monotonic() < deadline:
            # The server's request threads share the test's connection: read only between their requests.
            with self.registry.test_lock:
                self.env.invalidate_all()
                calls = self.env["crm.call"].search([("phone", "=", number), ("external_ref", "!=", False)])
                if calls and calls[0].state == state:
                    calls.mapped("user_id.name")
                    return calls
            time.sleep(0.3)
        self.fail(f"no {state} call from {number}; calls: {calls.mapped('state')}\n{self.bridge.output()[-3000:]}")

    def test_inbound_answered_and_missed_calls_arrive_right(self):
        self.play({"preset": "answered", "caller_number": "+48221234567", "agents": {"201": 0.5}, "talk": 2.0})
        answered = self.wait_for_call("done", "+48221234567")
        self.assertEqual(len(answered), 1)
        self.assertEqual((answered.direction, answered.partner_id, answered.user_id),
                         ("inbound", self.partner, self.agent))
        self.assertTrue(answered.answered_at)
        self.assertGreaterEqual(answered.duration, 1)

        self.play({"preset": "caller_gives_up", "caller_number": "+48221112233", "agents": {"201": "never"},
                   "caller_gives_up_after": 2.0})
        missed = self.wait_for_call("missed", "+48221112233")
        self.assertEqual((len(missed), missed.direction, missed.duration), (1, "inbound", 0))
        self.assertEqual(missed.user_id, self.agent)

    def test_the_bridge_asks_the_route_under_the_calls_id_and_the_caller_is_identified_once(self):
        Call = type(self.env["crm.call"])
        original, identified = Call.identify_number, []

        def counted(records, number, company_id=None):
            identified.append(number)
            return original(records, number, company_id=company_id)

        with patch.object(Call, "identify_number", counted):
            self.play({"preset": "answered", "caller_number": "+48221234567", "agents": {"201": 0.5}, "talk": 1.0})
            call = self.wait_for_call("done", "+48221234567")
        self.assertEqual(len(identified), 1, "the route identified the caller; the call's events took its decision")
        with self.registry.test_lock:
            decision = self.env["telephony.route.decision"].search([("call_ref", "=", call.external_ref)])
            self.assertEqual((decision.partner_id, decision.user_id), (self.partner, self.agent))
        self.assertEqual((call.partner_id, call.caller_type), (self.partner, "contact"))
