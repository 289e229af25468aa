import threading
import time
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.tests import HttpCase, tagged

from .common import EventPoster, TelephonyWorldMixin, bus_payloads, connect_bridge

CUSTOMER_E164 = "+48221234567"
LINE_E164 = "+48221000000"


@tagged("post_install", "-at_install")
class TestClickToDialLifecycle(TelephonyWorldMixin, HttpCase):
    """Agnieszka (extension 201) dials Anna Kowalska from her contact: her own phone rings, then Anna's.

    What Odoo asks of the PBX is the dial order it leaves the bridge; the PBX's events come over the real
    events endpoint under the call's PBX id, as the bridge posts them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line.skip_busy_users = True

    def setUp(self):
        super().setUp()
        connect_bridge(self.line)  # the line's bridge has just claimed orders: it follows its PBX

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def dial(self, user=None):
        """Dial Anna as ``user`` (Agnieszka); the call and a poster of its PBX events, its clock at the dial."""
        action = self.partner.with_user(user or self.agent).action_telephony_dial()
        call = self.env["crm.call"].browse(action["res_id"])
        pbx = EventPoster(self, call_id=call.external_ref, direction="outbound")
        pbx.t0 = call.telephony_dialled_at
        return call, pbx

    def order(self, call):
        return self.env["telephony.dial.order"].sudo().search([("call_id", "=", call.id)])

    def is_busy(self, user):
        self.env.flush_all()  # the router reads the calls in SQL, as a new request would after the commit
        return user.id in self.env["telephony.router"]._unavailable_users(self.line, user)

    def label(self, call):
        return dict(call._fields["telephony_end_reason"]._description_selection(call.env))[call.telephony_end_reason]

    def updates(self, user):
        """The call updates the user's browser received, in order."""
        return bus_payloads(self.env, user, "call_telephony_bridge/update")

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_dial_logs_a_ringing_call_and_shows_the_customer_the_line_number(self):
        call, _pbx = self.dial()
        order = self.order(call)
        self.assertEqual(order.caller_id, LINE_E164, "the bridge presents the line's number to the customer")
        self.assertEqual((order.extension, order.call_ref, order.number), ("201", call.external_ref, CUSTOMER_E164))
        self.assertEqual((call.state, call.user_id, call.direction, call.telephony_line_id),
                         ("ringing", self.agent, "outbound", self.line))
        self.assertEqual((call.start, call.answered_at, call.duration), (call.telephony_dialled_at, False, 0),
                         "no timer runs while the phones ring")
        self.assertTrue(self.is_busy(self.agent), "her phone is taken: the line does not ring her for another call")

        self.line.number = False
        call, _pbx = self.dial()
        self.assertFalse(self.order(call).caller_id, "a line without a number: the bridge presents its own caller ID")

    def test_the_timer_starts_when_the_customer_answers(self):
        call, pbx = self.dial()
        pbx.post("ringing", 0.5, "201")  # Agnieszka picked up; Anna's phone rings
        self.assertEqual((call.state, call.start), ("ringing", call.telephony_dialled_at))
        pbx.post("answered", 8.25, "201")
        answered_at = pbx.t0 + timedelta(seconds=8)
        self.assertEqual((call.state, call.start, call.answered_at), ("in_progress", answered_at, answered_at),
                         "the talk time counts from the answer")
        self.assertTrue(self.is_busy(self.agent))
        pbx.post("hangup", 20, "201", reason="answered", leg="customer")
        self.assertEqual((call.state, call.duration, call.telephony_duration, call.telephony_ring_duration),
                         ("done", 12, 11.75, 7.75))
        self.assertFalse(call.telephony_end_reason)
        self.assertEqual([update["direction"] for update in self.updates(self.agent)], ["outbound", "outbound"],
                         "her screen learns of the answer and the hangup of the call she placed")

    def test_my_phone_not_answering_ends_the_call_not_connected(self):
        not_connected = self.env.ref("call_telephony_bridge.result_not_connected")
        for reason, sentence in [("no_answer", "Your phone did not answer"), ("busy", "Your phone was busy"),
                                 ("congestion", "Your phone could not be reached"),
                                 ("failed", "Your phone could not be reached")]:
            call, pbx = self.dial()
            pbx.post("hangup", 30, "201", reason=reason, leg="agent")
            self.assertEqual((call.state, call.duration, call.talk_duration, call.answered_at),
                             ("done", 0, 0, False), f"{reason}: no talk, no completed call with a duration")
            self.assertEqual((call.result_id, self.label(call)), (not_connected, sentence), reason)
            self.assertFalse(not_connected.is_reached, "reports do not count it as answered")
            self.assertEqual((call.start, call.telephony_ring_duration), (call.telephony_dialled_at, 30.0))
            self.assertFalse(self.is_busy(self.agent), f"{reason}: she is no longer on a call for the routing")
            self.assertEqual(self.updates(self.agent)[-1]["end_reason"], sentence, "her popup says why")

    def test_the_customer_not_answering_or_busy_says_so(self):
        for reason, result, sentence in [
            ("no_answer", "call_logging.result_no_answer", "The customer did not answer"),
            ("busy", "call_logging.result_busy", "The customer's line was busy"),
            ("congestion", "call_telephony_bridge.result_not_connected", "The customer's number could not be reached"),
            ("failed", "call_telephony_bridge.result_not_connected", "The call to the customer failed"),
        ]:
            call, pbx = self.dial()
            pbx.post("ringing", 2, "201")
            pbx.post("hangup", 27, "201", reason=reason, leg="customer")
            self.assertEqual((call.state, call.duration, call.answered_at), ("done", 0, False), reason)
            self.assertEqual((call.result_id, self.label(call)), (self.env.ref(result), sentence), reason)
            self.assertEqual(call.telephony_ring_duration, 25.0, "Anna's phone rang for 25 s")
            self.assertFalse(self.is_busy(self.agent))

    def test_end_call_before_anyone_answered_stores_no_completed_call(self):
        not_connected = self.env.ref("call_telephony_bridge.result_not_connected")
        call, _pbx = self.dial()
        call.with_user(self.agent).action_end_call()
        self.assertEqual((call.state, call.duration, call.answered_at, call.result_id, call.telephony_end_reason),
                         ("done", 0, False, not_connected, "ended_by_user"))
        self.assertFalse(self.is_busy(self.agent))

        call, pbx = self.dial()
        pbx.post("ringing", 1, "201")
        action = call.with_user(self.agent).action_end_call()
        self.assertEqual(action["res_model"], "crm.call.wrap.up", "the wrap-up is still offered")
        self.assertEqual((call.state, call.duration, self.label(call)),
                         ("done", 0, "You ended the call before it was connected"))

        # A call dialled before this release was logged "in progress" at once and may never have been answered.
        legacy = self.env["crm.call"]._telephony_create({
            "state": "in_progress", "direction": "outbound", "user_id": self.agent.id, "partner_id": self.partner.id,
            "phone": self.partner.phone, "external_ref": "odoo-c2d-legacy",
            "start": datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(minutes=10)})
        legacy.with_user(self.agent).action_end_call()
        self.assertEqual((legacy.state, legacy.duration), ("done", 0), "not ten minutes of talk")

        call, pbx = self.dial()
        pbx.t0 -= timedelta(seconds=60)
        pbx.post("ringing", 1, "201")
        pbx.post("answered", 10, "201")
        call.with_user(self.agent).action_end_call()
        self.assertEqual(call.state, "done")
        self.assertGreaterEqual(call.duration, 49, "an answered call keeps its talk time")
        self.assertFalse(call.telephony_end_reason)

    def test_durations_keep_the_milliseconds_of_the_pbx(self):
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        pbx = EventPoster(self)
        for event, moment, extra in [("ringing", "09:59:55.000", {}), ("answered", "10:00:00.980", {}),
                                     ("hold", "10:00:02.100", {}), ("unhold", "10:00:03.350", {}),
                                     ("hangup", "10:00:06.000", {"reason": "answered"})]:
            pbx.post_body(dict(pbx.body(event, 0, "201", event_id=False, **extra), time=f"{day}T{moment}+00:00"))
        call = pbx.call()
        self.assertEqual((call.duration, call.telephony_duration), (5, 5.02), "5.02 s of talk is 5 s, not 6")
        self.assertEqual((call.hold_duration, call.telephony_hold_duration, call.talk_duration), (1, 1.25, 4))
        self.assertEqual(call.telephony_ring_duration, 5.98)
        noon = datetime.fromisoformat(f"{day}T10:00:00")
        self.assertEqual((call.answered_at, call.stop, call.telephony_ended_at),
                         (noon + timedelta(seconds=1), noon + timedelta(seconds=6), noon + timedelta(seconds=6)))
        answered = call.telephony_event_ids.filtered(lambda e: e.event == "answered")
        self.assertEqual(answered.event_time.microsecond, 980000, "the ledger keeps the PBX's milliseconds")
        again = pbx.post_body(dict(pbx.body("answered", 0, "201", event_id=False), time=f"{day}T10:00:00.980Z"))
        self.assertTrue(again.get("duplicate"), "a retry without event id is still recognised")

    def test_tour_dial_shows_ringing_then_the_timer_and_stays_on_the_call(self):
        admin = self.env.ref("base.user_admin")
        admin.write({"telephony_extension": "209", "telephony_open_record_on_answer": True})
        channel = hashable(channel_with_db(self.registry.db_name, admin.partner_id))
        Call = self.env["crm.call"]

        def wait_for(what, condition):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with self.registry.test_lock:
                    self.env.invalidate_all()
                    found = condition()
                if found:
                    return found
                time.sleep(0.3)
            raise AssertionError(f"the tour never got to {what}")

        def push(pbx, event, second, **kwargs):
            pbx.post(event, second, "209", **kwargs)
            # The bus cannot learn of the commit of a test transaction: wake the browser's websocket up.
            for websocket in dispatch._channels_to_ws.get(channel, []):
                websocket.trigger_notification_dispatching()

        def play_the_pbx():
            call = wait_for("the dial", lambda: Call.search([("user_id", "=", admin.id),
                                                              ("external_ref", "like", "odoo-c2d-%")]))
            pbx = EventPoster(self, call_id=call.external_ref, direction="outbound")
            pbx.t0 = call.telephony_dialled_at
            push(pbx, "ringing", 1)
            wait_for("the note typed while it rang", lambda: "Asked for the price" in (call.description or ""))
            push(pbx, "answered", 5)
            time.sleep(8)
            push(pbx, "hangup", 12, reason="answered", leg="customer")

        pbx_thread = threading.Thread(target=play_the_pbx)
        with patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True):
            pbx_thread.start()
            self.start_tour(f"/odoo/contacts/{self.partner.id}", "call_telephony_bridge_click_to_dial",
                            login="admin", timeout=150)
            pbx_thread.join(timeout=30)
        call = Call.search([("user_id", "=", admin.id), ("external_ref", "like", "odoo-c2d-%")])
        self.assertEqual((call.state, call.duration), ("done", 7))
        self.assertIn("Asked for the price of 40 desks", call.description, "the notes typed during the call are kept")

    def test_tour_one_call_button_dials_and_call_back_dials_too(self):
        admin = self.env.ref("base.user_admin")
        admin.telephony_extension = "209"
        Call = self.env["crm.call"]
        self.start_tour(f"/odoo/contacts/{self.partner.id}", "call_telephony_bridge_one_call_button", login="admin")
        dialled = Call.search([("user_id", "=", admin.id), ("external_ref", "like", "odoo-c2d-%")])
        self.assertEqual((dialled.state, dialled.partner_id), ("ringing", self.partner))
        missed = EventPoster(self)
        missed.post("ringing", 0, "209")
        missed.post("hangup", 20, None, reason="no_answer")
        self.start_tour(f"/odoo/crm.call/{missed.call().id}", "call_telephony_bridge_call_back_dials", login="admin")
        dialled = Call.search([("user_id", "=", admin.id), ("external_ref", "like", "odoo-c2d-%")]) - dialled
        self.assertEqual((dialled.state, dialled.partner_id), ("ringing", self.partner), "Call Back dials")

    def test_without_an_extension_call_is_the_timer_and_a_scheduled_call_dials_itself(self):
        self.assertTrue(self.partner.with_user(self.agent).telephony_can_dial)
        scheduled = self.env["crm.call"].with_user(self.agent).create({
            "state": "scheduled", "direction": "outbound", "partner_id": self.partner.id,
            "phone": self.partner.phone, "start": datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1),
        })
        scheduled.action_call()
        self.assertEqual(scheduled.state, "ringing", "the scheduled call is the one that rings, no second call")
        self.assertTrue(scheduled.external_ref.startswith("odoo-c2d-"))
        self.agent.telephony_extension = False
        self.env.invalidate_all()
        self.assertFalse(self.partner.with_user(self.agent).telephony_can_dial)
        action = self.partner.with_user(self.agent).action_call_now()
        self.assertEqual(self.env["crm.call"].browse(action["res_id"]).state, "in_progress", "the timer call")

