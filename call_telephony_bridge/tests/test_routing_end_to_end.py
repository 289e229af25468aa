import time
import unittest

import requests

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import LINE_TOKEN, TelephonyWorldMixin
from .pbx_processes import (
    ARI_PASSWORD,
    ARI_USER,
    asterisk_built,
    components_available,
    start_asterisk_for,
    start_pbx_for,
)

CALL_TIMEOUT = 40
CONTACT_NUMBER = "+48221234567"


@tagged("post_install", "-at_install")
@unittest.skipUnless(components_available(), "the simulated PBX and the bridge are not in the repository")
class TestRoutingEndToEnd(TelephonyWorldMixin, HttpCase):
    """Inbound calls routed by this Odoo and carried out by the real bridge on the simulated PBX.

    Agnieszka (201) looks after Anna Kowalska and the lead "Solar panels"; the queue "Sales desk" holds
    Ala (301) and Bartek (302); Borys (401) leads Agnieszka's sales team. A ring lasts one second.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.agent
        salesman = cls.env.ref("sales_team.group_sale_salesman")

        def user(name, extension):
            return cls.env["res.users"].create({
                "name": name, "login": f"e2e-{extension}", "telephony_extension": extension,
                "groups_id": [Command.link(salesman.id)],
            })

        cls.ala, cls.bartek, cls.borys = user("Ala", "301"), user("Bartek", "302"), user("Borys", "401")
        cls.env["crm.team"].create({"name": "Warsaw desk", "user_id": cls.borys.id,
                                    "member_ids": [Command.link(cls.owner.id)]})
        cls.queue = cls.env["telephony.queue"].create({
            "name": "Sales desk", "rings_per_member": 1,
            "member_ids": [Command.create({"user_id": cls.ala.id, "sequence": 1}),
                           Command.create({"user_id": cls.bartek.id, "sequence": 2})],
        })
        cls.line.write({"default_extensions": False, "ring_seconds": 1, "owner_rings": 1,
                        "fallback_queue_id": cls.queue.id})
        cls.start_pbx()

    @classmethod
    def start_pbx(cls):
        start_pbx_for(cls, LINE_TOKEN)

    def play(self, number, agents, **scenario):
        """Start an inbound call from ``number`` on the simulator; ``agents``: how each extension behaves."""
        self.env.flush_all()  # the server's requests read the database, not this test's cache
        auth = (ARI_USER, ARI_PASSWORD)
        deadline = time.monotonic() + 15
        while not requests.get(self.ari_url + "/sim/status", auth=auth, timeout=5).json().get("subscribers"):
            self.assertLess(time.monotonic(), deadline, "the bridge never connected:\n" + self.bridge.output())
            time.sleep(0.2)
        spec = {"caller_number": number, "agents": {"*": "never", **agents}, "talk": 1.5, **scenario}
        started = requests.post(self.ari_url + "/sim/calls", json=spec, auth=auth, timeout=5).json()
        requests.get(f"{self.ari_url}/sim/calls/{started['id']}?wait={CALL_TIMEOUT}", auth=auth,
                     timeout=CALL_TIMEOUT + 5)

    def wait_for(self, number, condition, what, timeout=CALL_TIMEOUT):
        """The PBX call from ``number`` once ``condition(call)`` holds, read between the server's requests."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.registry.test_lock:
                self.env.invalidate_all()
                call = self.env["crm.call"].search([("phone", "=", number), ("external_ref", "!=", False)])
                if len(call) == 1 and condition(call):
                    return call
            time.sleep(0.3)
        self.fail(f"no call from {number} {what}\n{self.bridge.output()[-3000:]}")

    def rung(self, call):
        # The bridge may still be posting the call's last events on the shared connection: read between them.
        with self.registry.test_lock:
            return call.telephony_event_ids.filtered(lambda e: e.event == "ringing").mapped("extension")

    def test_owner_answers(self):
        self.line.owner_fallback = "queue"
        self.play(CONTACT_NUMBER, {"201": 0.3})
        call = self.wait_for(CONTACT_NUMBER, lambda c: c.state == "done", "answered and done")
        with self.registry.test_lock:  # the bridge may still be uploading the recording on the shared connection
            self.assertEqual((call.partner_id, call.user_id), (self.partner, self.owner))
            self.assertEqual(self.rung(call), ["201"])

    def test_queue_member_answers_when_the_owner_does_not_and_takes_the_lead(self):
        number = "+48225556677"
        lead = self.env["crm.lead"].create({"name": "Solar panels", "type": "opportunity", "phone": number,
                                            "user_id": self.owner.id})
        self.line.write({"owner_fallback": "queue", "reassign_to_answering_user": True})
        self.play(number, {"302": 0.3})
        call = self.wait_for(number, lambda c: c.state == "done", "answered and done")
        with self.registry.test_lock:
            self.assertEqual(self.rung(call), ["201", "301", "302"])
            self.assertEqual((call.lead_id, call.user_id), (lead, self.bartek))
            self.assertEqual(lead.user_id, self.bartek, "the employee who took the forwarded call is responsible now")

    def test_forwarded_call_keeps_the_lead_owner_when_the_option_is_off(self):
        number = "+48225556688"
        lead = self.env["crm.lead"].create({"name": "Heat pump", "type": "opportunity", "phone": number,
                                            "user_id": self.owner.id})
        self.line.write({"owner_fallback": "queue", "reassign_to_answering_user": False})
        self.play(number, {"301": 0.3})
        call = self.wait_for(number, lambda c: c.state == "done", "answered and done")
        with self.registry.test_lock:
            self.assertEqual((call.user_id, lead.user_id), (self.ala, self.owner))

    def test_manager_answers_when_owner_and_queue_do_not(self):
        self.line.owner_fallback = "queue_manager"
        self.play(CONTACT_NUMBER, {"401": 0.3})
        call = self.wait_for(CONTACT_NUMBER, lambda c: c.state == "done", "answered and done")
        with self.registry.test_lock:
            self.assertEqual(self.rung(call), ["201", "301", "302", "401"])
            self.assertEqual(call.user_id, self.borys)
            self.assertEqual(self.partner.user_id, self.owner)

    def test_nobody_answers_and_the_voicemail_reaches_the_owner(self):
        self.line.owner_fallback = "queue_manager"
        self.play(CONTACT_NUMBER, {}, talk=2.0)
        # The voicemail is fetched from the PBX once the call is over: on a loaded machine that takes a while.
        call = self.wait_for(CONTACT_NUMBER, lambda c: c.state == "missed" and c.recording_id, "with a voicemail",
                             timeout=CALL_TIMEOUT + 40)
        with self.registry.test_lock:
            self.assertEqual(self.rung(call), ["201", "301", "302", "401"])
            self.assertEqual(call.recording_id.mimetype, "audio/wav")
            self.assertTrue(call.recording_id.raw)
            history = self.env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "=", self.partner.id),
                                                       ("attachment_ids", "in", call.recording_id.ids)])
            self.assertEqual(len(history), 1, "the voicemail is on the contact's history too")
            self.assertEqual(call.recording_id.res_model, "crm.call", "served only to those who may read the call")
            activity = self.env["mail.activity"].search([("res_model", "=", "res.partner"),
                                                         ("res_id", "=", self.partner.id)])
            self.assertEqual(activity.user_id, self.owner, "the responsible person calls back")
            self.assertIn("voicemail", activity.summary)


@tagged("post_install", "-at_install")
@unittest.skipUnless(asterisk_built(), "the real Asterisk is not built here (setup/asterisk.sh build)")
class TestRoutingEndToEndAsterisk(TestRoutingEndToEnd):
    """The same routing stories on a real Asterisk 22: its test world plays the agents (2xx-4xx)."""

    allow_inherited_tests_method = True  # Odoo runs only a class's own test methods otherwise
    EXTENSIONS = ("201", "202", "301", "302", "401")

    @classmethod
    def start_pbx(cls):
        start_asterisk_for(cls, LINE_TOKEN)

    def play(self, number, agents, talk=1.5, **scenario):
        self.env.flush_all()  # the server's requests read the database, not this test's cache
        for extension in self.EXTENSIONS:
            if extension in agents:
                self.asterisk.agent(extension, ring=agents[extension])
            else:
                self.asterisk.agent(extension, mode="never")
        call_id = self.asterisk.call_in(number, "48221000000", talk=talk)
        deadline = time.monotonic() + CALL_TIMEOUT
        while self.asterisk.ari.get(f"{self.asterisk.url}/ari/channels/{call_id}", timeout=5).ok:
            self.assertLess(time.monotonic(), deadline, "the call never ended:\n" + self.bridge.output()[-3000:])
            time.sleep(0.3)
