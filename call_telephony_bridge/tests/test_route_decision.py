from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlencode

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CUSTOMER_NUMBER, LINE_NUMBER, LINE_TOKEN, EventPoster, TelephonyWorldMixin

UNKNOWN_NUMBER = "+48 61 999 88 77"


@tagged("post_install", "-at_install")
class TestRouteDecision(TelephonyWorldMixin, HttpCase):
    """An inbound call is decided once: asking its route identifies the caller and checks the exception list,
    and the call's events take that decision instead of making it again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Decision = cls.env["telephony.route.decision"]

    def route(self, pbx, **params):
        """Ask the route of ``pbx``'s call as the bridge does, before the call rings."""
        query = {"from": pbx.number, "to": LINE_NUMBER, "call_id": pbx.call_id, **params}
        response = self.url_open(f"/telephony/v1/route?{urlencode(query)}",
                                 headers={"Authorization": f"Bearer {LINE_TOKEN}"})
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    @contextmanager
    def counting(self, model, method):
        """The calls made to ``model.method`` meanwhile, by whoever makes them (the HTTP requests included)."""
        cls = type(self.env[model])
        original = getattr(cls, method)
        calls = []

        def counted(records, *args, **kwargs):
            calls.append(args)
            return original(records, *args, **kwargs)

        with patch.object(cls, method, counted):
            yield calls

    def decision(self, pbx):
        return self.Decision.search([("call_ref", "=", pbx.call_id)])

    def whole_call(self, pbx):
        pbx.post("ringing", 0, "201")
        pbx.post("answered", 3, "201")
        pbx.post("hangup", 30, "201", reason="answered")

    # ------------------------------------------------------------------ once per call
    def test_an_inbound_call_identifies_its_caller_and_checks_the_exception_list_once(self):
        pbx = EventPoster(self)
        with self.counting("crm.call", "identify_number") as identified, \
                self.counting("telephony.line", "_is_exception_number") as checked:
            plan = self.route(pbx)
            self.whole_call(pbx)
        self.assertEqual(len(identified), 1, "identified when the route was asked, never again")
        self.assertEqual(len(checked), 1, "the exception list checked when the route was asked, never again")
        call = pbx.call()
        self.assertEqual((call.partner_id, call.caller_type, call.user_id, call.state),
                         (self.partner, plan["caller_type"], self.agent, "done"))

    def test_a_call_never_routed_is_identified_by_its_first_event_once(self):
        """Another PBX, a route without ``call_id``, or Odoo unreachable when the call rang: as before."""
        pbx = EventPoster(self)
        with self.counting("crm.call", "identify_number") as identified:
            self.route(pbx, call_id="")
            self.whole_call(pbx)
        self.assertEqual(len(identified), 2, "once for the route, once for the call: the route named no call")
        self.assertFalse(self.decision(pbx))
        other = EventPoster(self)
        with self.counting("crm.call", "identify_number") as identified:
            self.whole_call(other)
        self.assertEqual(len(identified), 1)
        self.assertEqual((other.call().partner_id, other.call().caller_type), (self.partner, "contact"))

    # ------------------------------------------------------------------ the decision holds for the call
    def test_the_call_keeps_the_caller_its_route_found(self):
        pbx = EventPoster(self)
        self.route(pbx)
        self.partner.user_id = self.colleague  # the contact changed hands after the call was routed to the agent
        with patch.object(type(self.env["crm.call"]), "identify_number", side_effect=AssertionError("identified")):
            pbx.post("ringing", 0, None)
        self.assertEqual((pbx.call().partner_id, pbx.call().user_id), (self.partner, self.agent))
        not_routed = EventPoster(self)
        not_routed.post("ringing", 0, None)
        self.assertEqual(not_routed.call().user_id, self.colleague, "a call whose route was never asked is "
                                                                    "identified by its first event")

    def test_an_unknown_caller_stays_unknown_and_gets_the_lines_lead(self):
        source = self.env["utm.source"].create({"name": "Phone line"})
        self.line.write({"unknown_number_action": "create_lead", "auto_lead_directions": "inbound",
                        "lead_source_id": source.id})
        pbx = EventPoster(self, number=UNKNOWN_NUMBER)
        self.assertEqual(self.route(pbx)["caller_type"], "unknown")
        self.assertEqual(self.decision(pbx).caller_type, "unknown")
        pbx.post("ringing", 0, "201")
        call = pbx.call()
        self.assertEqual((call.caller_type, call.lead_id.name), ("lead", f"{UNKNOWN_NUMBER} - incoming call"))

    def test_the_exception_list_counts_as_it_was_when_the_call_was_routed(self):
        routed = EventPoster(self)
        self.route(routed)
        self.line.exception_numbers = CUSTOMER_NUMBER
        # It rang as a customer's call (voicemail, recording): the CRM logs it so.
        self.assertEqual(routed.post("ringing", 0, "201"), {"call_id": routed.call().id})
        listed = EventPoster(self)
        self.assertTrue(self.route(listed)["skip"])
        self.assertFalse(self.decision(listed), "nothing is kept of an exception-list call")
        self.assertEqual(listed.post("ringing", 0, "201"), {"ignored": True})
        self.assertFalse(listed.call())

    # ------------------------------------------------------------------ when the decision does not apply
    def test_a_decision_holds_for_the_number_it_was_made_for(self):
        pbx = EventPoster(self, number=UNKNOWN_NUMBER)
        self.route(pbx)
        same_call_other_number = EventPoster(self, call_id=pbx.call_id)
        with self.counting("crm.call", "identify_number") as identified:
            same_call_other_number.post("ringing", 0, "201")
        self.assertEqual(len(identified), 1)
        self.assertEqual(same_call_other_number.call().partner_id, self.partner)

    def test_a_decision_whose_contact_is_gone_is_made_again(self):
        partner = self.env["res.partner"].create({"name": "Short-lived", "phone": UNKNOWN_NUMBER,
                                                  "user_id": self.agent.id})
        pbx = EventPoster(self, number=UNKNOWN_NUMBER)
        self.assertEqual(self.route(pbx)["caller_type"], "contact")
        self.assertEqual(self.decision(pbx).partner_id, partner)
        partner.unlink()
        self.assertFalse(self.decision(pbx))
        pbx.post("ringing", 0, "201")
        self.assertEqual((pbx.call().partner_id.id, pbx.call().caller_type), (False, "unknown"))

    def test_asked_again_the_newer_decision_wins_and_old_ones_are_forgotten(self):
        pbx = EventPoster(self)
        self.route(pbx)
        self.route(pbx)  # a restarted bridge asks again
        decision = self.decision(pbx)
        self.assertEqual(len(decision), 1)
        self.assertEqual((decision.partner_id, decision.user_id, decision.line_id, decision.phone),
                         (self.partner, self.agent, self.line, CUSTOMER_NUMBER))
        decision.decided_at = fields.Datetime.now() - timedelta(days=2)
        fresh = EventPoster(self)
        self.route(fresh)
        self.Decision._gc_old_decisions()
        self.env.invalidate_all()
        self.assertFalse(self.decision(pbx))
        self.assertTrue(self.decision(fresh))

    def test_a_call_id_that_names_no_call_keeps_nothing_and_the_call_still_rings(self):
        pbx = EventPoster(self)
        for call_id in ("", "   ", "x" * 129, "a\nb"):
            self.assertEqual(self.route(pbx, call_id=call_id)["steps"][0]["extensions"], ["201"])
        self.assertFalse(self.Decision.search([]))
