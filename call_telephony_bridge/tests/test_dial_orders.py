import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import LINE_TOKEN, EventPoster, TelephonyWorldMixin, bus_payloads, connect_bridge


@tagged("post_install", "-at_install")
class TestDialOrders(TelephonyWorldMixin, HttpCase):
    """Agnieszka (201) calls Anna from her contact: Odoo leaves the order, the line's bridge claims it over HTTP,
    places it, or says why it could not; an order nobody takes gives the call back."""

    def setUp(self):
        super().setUp()
        connect_bridge(self.line)

    def dial(self, scheduled=None):
        Call = self.env["crm.call"].with_user(self.agent)
        if scheduled:
            scheduled.with_user(self.agent).action_call()
            return scheduled
        return self.env["crm.call"].browse(Call._telephony_dial(self.partner.phone, partner=self.partner)["res_id"])

    def bridge_says(self, path, body):
        response = self.url_open(f"/telephony/v1/dial_orders/{path}", data=json.dumps(body), headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {LINE_TOKEN}"})
        self.env.invalidate_all()  # the server wrote on the test's connection
        return response

    def claim(self, claim_id=None):
        body = {"ari_connected": True, "asterisk_version": "22.10.1", **({"claim_id": claim_id} if claim_id else {})}
        response = self.bridge_says("claim", body)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["orders"]

    def notifications(self):
        return bus_payloads(self.env, self.agent, "simple_notification")

    def scheduled_call(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=1)
        return self.env["crm.call"].with_user(self.agent).create({
            "state": "scheduled", "direction": "outbound", "partner_id": self.partner.id,
            "phone": self.partner.phone, "start": start,
        })

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_a_claim_hands_each_order_out_once_and_keeps_how_the_bridge_is(self):
        first, second = self.dial(), self.dial()
        self.line.sudo().write({"bridge_seen_at": False, "bridge_asterisk_version": False})
        self.env.flush_all()
        orders = self.claim()
        self.assertEqual(orders, [
            {"call_id": call.external_ref, "extension": "201", "number": "+48221234567",
             "caller_id": "+48221000000"} for call in (first, second)])
        self.assertEqual(self.claim(), [], "each order goes to one bridge, once")
        self.assertEqual((self.line.bridge_ari_connected, self.line.bridge_asterisk_version), (True, "22.10.1"))
        self.assertTrue(self.line.bridge_seen_at)
        self.assertEqual((first.state, second.state), ("ringing", "ringing"), "the bridge places them now")

    def test_a_claim_asked_again_under_its_id_gets_what_it_took(self):
        first = self.dial()
        self.assertEqual([o["call_id"] for o in self.claim("claim-1")], [first.external_ref])
        second = self.dial()
        self.assertEqual([o["call_id"] for o in self.claim("claim-1")], [first.external_ref, second.external_ref],
                         "its answer never reached the bridge: the same claim gets it again, with what is new")
        self.assertEqual(self.claim("claim-2"), [], "another claim gets none of them")

    def test_an_order_nobody_takes_closes_a_new_call_and_tells_its_user(self):
        call = self.dial()
        order = self.env["telephony.dial.order"].sudo().search([("call_id", "=", call.id)])
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("call_logging.ir_cron_call_alarms").id)], order="id desc", limit=1)
        self.assertEqual(trigger.call_at, order.expires_at.replace(microsecond=0), "the alarms wake at its deadline")
        self.env["crm.call.alarm.manager"]._run_due_alarms(order.expires_at - timedelta(seconds=1))
        self.assertEqual(call.state, "ringing", "still in time")
        self.env["crm.call.alarm.manager"]._run_due_alarms(order.expires_at)
        self.assertEqual((call.state, call.duration, call.telephony_end_reason, call.result_id),
                         ("done", 0, "pbx_failed", self.env.ref("call_telephony_bridge.result_not_connected")))
        self.assertIn("bridge is not running", call.result_note)
        self.assertFalse(order.exists())
        [notice] = self.notifications()
        self.assertEqual((notice["type"], notice["title"]), ("danger", "The call was not placed"))
        self.assertFalse(self.claim(), "an order given back is nobody's to place")

    def test_an_order_nobody_takes_schedules_a_planned_call_again(self):
        scheduled = self.scheduled_call()
        planned = scheduled.start
        self.dial(scheduled)
        self.assertEqual(scheduled.state, "ringing")
        self.env["crm.call.alarm.manager"]._run_due_alarms(fields.Datetime.now() + timedelta(seconds=16))
        self.assertEqual((scheduled.state, scheduled.start, scheduled.user_id, scheduled.external_ref),
                         ("scheduled", planned, self.agent, False), "planned as it was, to be called again")

    def test_a_failure_the_bridge_reports_gives_the_call_back_and_says_why(self):
        call = self.dial()
        self.claim()
        response = self.bridge_says("failed", {"call_id": call.external_ref, "error": "HTTP 400: Allocation failed"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((call.state, call.telephony_end_reason), ("done", "pbx_failed"))
        self.assertEqual(call.result_note, "The PBX could not place the call: HTTP 400: Allocation failed")
        self.assertEqual(self.notifications()[-1]["message"], call.result_note)
        again = self.bridge_says("failed", {"call_id": call.external_ref, "error": "HTTP 400: Allocation failed"})
        self.assertEqual(again.status_code, 404, "given back once")

        scheduled = self.scheduled_call()
        self.dial(scheduled)
        self.claim()
        self.bridge_says("failed", {"call_id": scheduled.external_ref, "error": "HTTP 503"})
        self.assertEqual(scheduled.state, "scheduled")

    def test_an_order_a_bridge_took_and_never_reported_on_is_given_back(self):
        call = self.dial()
        claimed_at = fields.Datetime.now()
        self.claim()  # its answer lost on the way, or the bridge died before ringing
        self.env["crm.call.alarm.manager"]._run_due_alarms(claimed_at + timedelta(seconds=119))
        self.assertEqual(call.state, "ringing", "the user's phone may still ring")
        self.env["crm.call.alarm.manager"]._run_due_alarms(claimed_at + timedelta(minutes=3))
        self.assertEqual((call.state, call.telephony_end_reason), ("done", "pbx_failed"))
        self.assertIn("never reported on it", call.result_note)

    def test_a_call_the_pbx_reported_on_is_never_given_back(self):
        call = self.dial()
        self.claim()
        pbx = EventPoster(self, call_id=call.external_ref, direction="outbound")
        pbx.t0 = call.telephony_dialled_at
        pbx.post("ringing", 1, "201")
        self.bridge_says("failed", {"call_id": call.external_ref, "error": "HTTP 500: late"})
        self.assertEqual(call.state, "ringing", "the PBX said it rang: its own events end the call")
        self.env["crm.call.alarm.manager"]._run_due_alarms(fields.Datetime.now() + timedelta(hours=2))
        self.assertEqual(call.state, "ringing")
        self.assertFalse(self.env["telephony.dial.order"].sudo().search([("call_id", "=", call.id)]),
                         "orders placed long ago are forgotten")
