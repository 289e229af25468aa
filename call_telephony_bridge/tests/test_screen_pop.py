import threading
import time
from datetime import UTC, datetime
from unittest.mock import patch

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import EventPoster, TelephonyWorldMixin, bus_payloads


@tagged("post_install", "-at_install")
class TestScreenPop(TelephonyWorldMixin, HttpCase):
    """A ringing call pops up on the screens of the user whose extension rings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create({
            "name": "Kowalski: 40 desks", "partner_id": cls.partner.id, "user_id": cls.agent.id, "type": "opportunity"})
        cls.lead.activity_schedule("mail.mail_activity_data_call", summary="Send the offer", user_id=cls.agent.id)

    def _payloads(self, user, kind):
        """What the user's browser receives: the payloads of the bus notifications sent to them, in order."""
        return bus_payloads(self.env, user, kind)

    def test_ringing_sends_the_callers_card_to_the_rung_user_only(self):
        pbx = EventPoster(self)
        pbx.post("ringing", 0, "201")
        [data] = self._payloads(self.agent, "call_telephony_bridge/ringing")
        self.assertFalse(self._payloads(self.colleague, "call_telephony_bridge/ringing"))
        self.assertEqual(data["partner"]["name"], "Anna Kowalska")
        self.assertEqual((data["company"], data["responsible"]), ("Kowalski Sp. z o.o.", "Agnieszka Agent"))
        self.assertEqual([ol["name"] for ol in data["open_leads"]], ["Kowalski: 40 desks"])
        self.assertEqual([a["summary"] for a in data["activities"]], ["Send the offer"])

    def test_a_page_opened_while_the_phone_rings_asks_what_rings(self):
        now = datetime.now(UTC).replace(microsecond=0)
        mine, theirs, over = (EventPoster(self), EventPoster(self, number="+48 601 222 333"),
                              EventPoster(self, number="+48 601 444 555"))
        stale = EventPoster(self, number="+48 601 666 777")  # rang 5 minutes ago and lost its hangup
        for pbx in (mine, theirs, over):
            pbx.t0 = now
        mine.post("ringing", 0, "201")
        theirs.post("ringing", 0, "202")
        over.post("ringing", 0, "201")
        over.post("hangup", 1, "201", reason="no_answer")
        stale.post("ringing", 0, "201")
        Call = self.env["crm.call"]
        [data] = Call.with_user(self.agent).telephony_ringing_now()
        self.assertEqual((data["id"], data["partner"]["name"]), (mine.call().id, "Anna Kowalska"))
        self.assertEqual([data["id"] for data in Call.with_user(self.colleague).telephony_ringing_now()],
                         [theirs.call().id])
        nobody = new_test_user(self.env, "no-extension", groups="sales_team.group_sale_salesman")
        self.assertEqual(Call.with_user(nobody).telephony_ringing_now(), [])

    def test_the_card_lists_past_calls_and_follows_new_results_and_extensions(self):
        earlier = EventPoster(self)
        earlier.post("ringing", 0, "201")
        earlier.post("answered", 2, "201")
        earlier.post("hangup", 62, "201", reason="answered")
        self.env["crm.call.result"].create({"name": "Wants a demo"})
        self.agent.telephony_extension = "299"  # the agent moves desks: the next call finds them there
        pbx = EventPoster(self)
        pbx.post("ringing", 0, "299")
        call = pbx.call()
        self.assertEqual(call.user_id, self.agent)
        data = self._payloads(self.agent, "call_telephony_bridge/ringing")[-1]
        self.assertEqual(data["partner"]["name"], "Anna Kowalska")
        self.assertEqual([(past["id"], past["duration"], past["user"]) for past in data["last_calls"]],
                         [(earlier.call().id, "01:00", "Agnieszka Agent")])
        self.assertIn("Wants a demo", [result["name"] for result in data["results"]])

    def test_answer_and_hangup_update_the_popup_then_the_owner_wraps_up(self):
        pbx = EventPoster(self)
        pbx.post("ringing", 0, "201")
        pbx.post("answered", 3, "201")
        pbx.post("hangup", 40, "201", reason="answered")
        call = pbx.call()
        updates = self._payloads(self.agent, "call_telephony_bridge/update")
        self.assertEqual([update.get("state") for update in updates], ["in_progress", "done"], updates)
        result = self.env.ref("call_logging.result_interested")
        call.with_user(self.agent).action_save_wrap_up({
            "description": "<p>Wants 40 desks</p>", "result_id": result.id, "goal_status": "success",
            "additional_info": "Delivery before June"})
        self.assertEqual((call.result_id, call.goal_status, call.state), (result, "success", "done"))
        self.assertIn("Wants 40 desks", call.description)
        with self.assertRaises(AccessError):
            call.with_user(self.colleague).action_save_wrap_up({"goal_status": "failure"})
        with self.assertRaisesRegex(UserError, "cannot change"):
            call.with_user(self.agent).action_save_wrap_up({"duration": 1})

    def test_tour_popup_appears_opens_the_contact_and_wraps_up(self):
        admin = self.env.ref("base.user_admin")
        admin.telephony_extension = "209"
        pbx = EventPoster(self)
        channel = hashable(channel_with_db(self.registry.db_name, admin.partner_id))

        def push(event, second, **kwargs):
            pbx.post(event, second, "209", **kwargs)
            # The bus cannot learn of the commit of a test transaction: wake the browser's websocket up.
            for websocket in dispatch._channels_to_ws.get(channel, []):
                websocket.trigger_notification_dispatching()

        def play_the_call():
            deadline = time.monotonic() + 30
            while not dispatch._channels_to_ws.get(channel) and time.monotonic() < deadline:
                time.sleep(0.2)
            push("ringing", 0)
            time.sleep(4)
            push("answered", 4)
            time.sleep(1)
            push("hangup", 40, reason="answered")

        phone = threading.Thread(target=play_the_call)
        with patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True):
            phone.start()
            self.start_tour("/odoo", "call_telephony_bridge_screen_pop", login="admin", timeout=120)
            phone.join(timeout=10)
        call = pbx.call()
        self.assertEqual((call.state, call.user_id), ("done", admin))
        self.assertIn("Wants a quote for 40 desks", call.description)
        self.assertEqual(call.goal_status, "success")

    def test_tour_three_calls_at_once_stack_below_the_navbar(self):
        admin = self.env.ref("base.user_admin")
        admin.telephony_extension = "209"
        first, second, third = (
            EventPoster(self), EventPoster(self, number="+48 601 222 333"), EventPoster(self, number="+48 601 444 555"))
        channel = hashable(channel_with_db(self.registry.db_name, admin.partner_id))

        def push(pbx, event, second, **kwargs):
            pbx.post(event, second, "209", **kwargs)
            # The bus cannot learn of the commit of a test transaction: wake the browser's websocket up.
            for websocket in dispatch._channels_to_ws.get(channel, []):
                websocket.trigger_notification_dispatching()

        def play_the_calls():
            deadline = time.monotonic() + 30
            while not dispatch._channels_to_ws.get(channel) and time.monotonic() < deadline:
                time.sleep(0.2)
            for pbx in (first, second, third):
                push(pbx, "ringing", 0)
                time.sleep(1)
            time.sleep(4)
            for pbx in (first, second):
                push(pbx, "answered", 5)
                push(pbx, "hangup", 30, reason="answered")
            push(third, "hangup", 30, reason="no_answer")

        phone = threading.Thread(target=play_the_calls)
        with patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True):
            phone.start()
            self.start_tour("/odoo", "call_telephony_bridge_screen_pop_stack", login="admin", timeout=120)
            phone.join(timeout=10)
        self.assertEqual(third.call().state, "missed")
