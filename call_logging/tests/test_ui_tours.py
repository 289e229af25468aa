import threading
from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz

from odoo import Command, fields
from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUiTours(HttpCase):
    """A salesperson works their calls in the browser: from a contact, live, and from the day plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env, "tour_seller", groups="sales_team.group_sale_salesman,base.group_partner_manager",
            name="Ewa Tour", tz="Europe/Warsaw",
        )
        cls.contact = cls.env["res.partner"].create({"name": "Tour Kowalczyk", "phone": "+48 22 600 70 80"})
        cls.Call = cls.env["crm.call"].with_user(cls.seller)
        cls.now = fields.Datetime.now().replace(microsecond=0)

    def test_log_call_from_contact(self):
        self.start_tour(f"/odoo/contacts/{self.contact.id}", "call_logging_log_call_from_contact", login="tour_seller")
        call = self.env["crm.call"].search([("partner_id", "=", self.contact.id)])
        self.assertRecordValues(call, [{
            "state": "done", "direction": "outbound", "duration": 270, "user_id": self.seller.id,
        }])
        self.assertEqual(call.result_id, self.env.ref("call_logging.result_interested"))

    def test_durations_typed_by_hand_say_what_is_wrong(self):
        self.start_tour(f"/odoo/contacts/{self.contact.id}", "call_logging_call_duration", login="tour_seller")
        call = self.env["crm.call"].search([("partner_id", "=", self.contact.id)])
        self.assertRecordValues(call, [{"state": "done", "duration": 90}])

    def test_phone_appointment_from_a_lead(self):
        lead = self.env["crm.lead"].create({
            "name": "Tour fleet deal", "partner_id": self.contact.id, "user_id": self.seller.id, "type": "opportunity",
        })
        self.start_tour(f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}", "call_logging_lead_phone_appointment",
                        login="tour_seller")
        appointment = self.env["crm.call"].search([("lead_id", "=", lead.id)])
        self.assertRecordValues(appointment, [{
            "is_appointment": True, "partner_id": self.contact.id, "phone": "+48 22 600 70 80", "state": "scheduled",
        }])

    def test_done_today_folds_short_and_unknown_calls(self):
        start = self.now - timedelta(minutes=20)
        self.Call.create({"name": "Tour real talk", "state": "done", "partner_id": self.contact.id,
                          "start": start, "duration": 300})
        self.Call.create({"name": "Tour wrong number", "state": "done", "partner_id": self.contact.id,
                          "start": start, "duration": 20})
        self.env["crm.call"]._telephony_create({
            "state": "done", "direction": "inbound", "phone": "+48 500 111 222", "user_id": self.seller.id,
            "start": start, "duration": 120,
        })
        self.start_tour(
            "/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan_done_today",
            login="tour_seller",
        )

    def test_a_voicemail_plays_on_its_missed_call_card(self):
        caller = self.env["res.partner"].create({"name": "Tour voicemail caller", "phone": "+48 601 000 222"})
        missed = self.env["crm.call"]._telephony_create({
            "state": "missed", "direction": "inbound", "partner_id": caller.id, "phone": "+48 601 000 222",
            "user_id": self.seller.id, "start": self.now - timedelta(minutes=10),
        })
        voicemail = self.env["ir.attachment"].create({
            "name": "voicemail.wav", "raw": b"RIFF----WAVE", "mimetype": "audio/wav",
            "res_model": "crm.call", "res_id": missed.id,
        })
        missed._telephony_write({"recording_id": voicemail.id})
        self.start_tour(
            "/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan_voicemail", login="tour_seller"
        )

    def test_call_now_hold_end_followup(self):
        self.start_tour(f"/odoo/contacts/{self.contact.id}", "call_logging_call_now_followup", login="tour_seller")
        made, planned = self.env["crm.call"].search([("partner_id", "=", self.contact.id)], order="id")
        self.assertRecordValues(made, [{"state": "done", "direction": "outbound", "user_id": self.seller.id}])
        self.assertIn("Asked for a discount", made.description)
        self.assertEqual(made.result_id, self.env.ref("call_logging.result_interested"))
        self.assertEqual(made.result_note, "Sends the order on Monday")
        self.assertFalse(made.hold_started_at, "the hold ended with the resume")
        self.assertRecordValues(planned, [{
            "state": "scheduled", "partner_id": self.contact.id, "phone": "+48 22 600 70 80",
        }])
        self.assertGreater(planned.start, self.now)

    def test_wrap_up_completed_after_the_call(self):
        self.start_tour(f"/odoo/contacts/{self.contact.id}", "call_logging_wrap_up_later", login="tour_seller")
        call = self.env["crm.call"].search([("partner_id", "=", self.contact.id)])
        self.assertRecordValues(call, [{"state": "done", "result_note": "Demo on Friday"}])
        self.assertEqual(call.result_id, self.env.ref("call_logging.result_meeting_booked"))

    def test_day_plan_lists_call_activities_of_other_apps(self):
        lead = self.env["crm.lead"].create({"name": "Tour invoice lead", "user_id": self.seller.id})
        lead.activity_schedule("mail.mail_activity_data_call", summary="Tour call about the invoice",
                               user_id=self.seller.id)
        self.start_tour(
            "/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan_tasks", login="tour_seller"
        )

    def test_day_plan(self):
        review = self.Call.create({
            "name": "Tour quarterly review", "state": "scheduled", "partner_id": self.contact.id,
            "start": self.now + timedelta(days=3),
        })
        late = self.Call.create({
            "name": "Tour confirm delivery", "state": "scheduled", "partner_id": self.contact.id,
            "start": self.now + timedelta(hours=1),
        })
        # Calls cannot be scheduled in the past: age this one as time would have.
        self.env.cr.execute("UPDATE crm_call SET start = %s WHERE id = %s", (self.now - timedelta(hours=2), late.id))
        late.invalidate_recordset(["start"])
        caller = self.env["res.partner"].create({"name": "Tour missed caller", "phone": "+48 601 000 111"})
        missed = self.env["crm.call"]._telephony_create({
            "state": "missed", "direction": "inbound", "partner_id": caller.id, "phone": "+48 601 000 111",
            "user_id": self.seller.id, "start": self.now - timedelta(minutes=30),
        })

        self.start_tour(
            "/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan", login="tour_seller"
        )

        self.assertEqual(review.state, "done")
        self.assertEqual(late.state, "cancelled")
        self.assertEqual(missed.state, "missed")
        call_back = self.env["crm.call"].search([("partner_id", "=", caller.id), ("id", "!=", missed.id)])
        self.assertRecordValues(call_back, [{"state": "done", "direction": "outbound", "phone": "+48 601 000 111"}])
        logged = self.env["crm.call"].search([("name", "=", "Tour walk-in question")])
        self.assertRecordValues(logged, [{"state": "done", "direction": "inbound", "duration": 125}])

    def test_a_manager_switches_to_a_salespersons_and_a_teams_day_plan(self):
        boss = new_test_user(self.env, "tour_boss", name="Tour Boss", tz="Europe/Warsaw",
                             groups="sales_team.group_sale_manager,call_logging.group_call_manager")
        colleague = new_test_user(self.env, "tour_colleague", groups="sales_team.group_sale_salesman",
                                  name="Tour Colleague", tz="Europe/Warsaw")
        self.env["crm.team"].create({"name": "Tour Floor", "user_id": boss.id,
                                     "member_ids": [Command.set((self.seller | colleague).ids)]})
        in_two_days = self.now + timedelta(days=2)
        for user, name in [(boss, "Tour boss budget call"), (self.seller, "Tour seller demo call"),
                           (colleague, "Tour colleague demo call")]:
            self.env["crm.call"].with_user(user).create({
                "name": name, "state": "scheduled", "partner_id": self.contact.id, "start": in_two_days,
            })
        self.start_tour("/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan_switcher",
                        login="tour_boss")

    def test_automation_rules_open_from_the_menu(self):
        self.start_tour("/odoo/action-call_logging.crm_call_action", "call_logging_automation_rules", login="admin")

    def test_call_now_from_the_day_plan_asks_whom_and_keeps_the_duration(self):
        self.start_tour(
            "/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_call_now_header", login="tour_seller"
        )
        call = self.env["crm.call"].search([("user_id", "=", self.seller.id)])
        self.assertRecordValues(call, [{"state": "done", "partner_id": self.contact.id, "phone": "+48 22 600 70 80"}])
        self.assertGreaterEqual(call.duration, 2, "the duration the timer showed")

    def test_related_to_offers_business_documents_only(self):
        call = self.Call.create({
            "name": "Tour pricing question", "state": "scheduled", "partner_id": self.contact.id,
            "start": self.now + timedelta(days=1),
        })
        self.start_tour(f"/odoo/action-call_logging.crm_call_action/{call.id}", "call_logging_related_to",
                        login="tour_seller")
        offered = [model for model, _label in self.env["crm.call"]._selection_related_models()]
        self.assertIn("crm.lead", offered)
        self.assertNotIn("mail.thread", offered)
        self.env["ir.config_parameter"].set_param("call_logging.related_models", "crm.lead, no.such.model")
        self.assertEqual([model for model, _label in self.env["crm.call"]._selection_related_models()], ["crm.lead"])

    def test_the_timeline_shows_when_a_call_happened_and_who_talked(self):
        warsaw = pytz.timezone("Europe/Warsaw")
        yesterday = datetime.now(warsaw).date() - timedelta(days=1)
        start = warsaw.localize(datetime.combine(yesterday, time(19, 30))).astimezone(pytz.utc).replace(tzinfo=None)
        self.Call.create({
            "name": "Tour evening call", "state": "done", "partner_id": self.contact.id, "start": start,
            "duration": 90,
        })
        self.env["crm.call"]._telephony_create({
            "state": "missed", "direction": "inbound", "partner_id": self.contact.id, "phone": "+48 22 600 70 80",
            "user_id": self.seller.id, "start": self.now - timedelta(minutes=10),
        })
        self.start_tour(f"/odoo/contacts/{self.contact.id}", "call_logging_chatter_call", login="tour_seller")

    def test_day_plan_updates_from_the_bus(self):
        self.Call.create({
            "name": "Tour live review", "state": "scheduled", "partner_id": self.contact.id,
            "start": self.now + timedelta(days=2),
        })
        channel = hashable(channel_with_db(self.registry.db_name, self.seller.partner_id))
        done = threading.Event()

        def wake_the_websocket():
            # The bus cannot learn of the commit of a test transaction: wake the browser's websocket up.
            while not done.wait(0.5):
                for websocket in dispatch._channels_to_ws.get(channel, []):
                    websocket.trigger_notification_dispatching()

        waker = threading.Thread(target=wake_the_websocket)
        with patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True):
            waker.start()
            try:
                self.start_tour("/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan_live",
                                login="tour_seller")
            finally:
                done.set()
                waker.join(timeout=5)


@tagged("post_install", "-at_install")
class TestDayPlanNarrowScreen(HttpCase):
    """The day plan on a small laptop screen."""

    browser_size = "1024x768"

    def test_every_column_fits_1024_px(self):
        seller = new_test_user(self.env, "tour_narrow", groups="sales_team.group_sale_salesman", tz="Europe/Warsaw")
        contact = self.env["res.partner"].create({"name": "Narrow Kowalczyk", "phone": "+48 22 600 70 81"})
        self.env["crm.call"].with_user(seller).create({
            "name": "Tour narrow call", "state": "scheduled", "partner_id": contact.id,
            "start": fields.Datetime.now() + timedelta(hours=1),
        })
        self.env["crm.call"].with_user(seller).create({
            "state": "scheduled", "partner_id": contact.id, "agenda": "Confirm the delivery date",
            "start": fields.Datetime.now() + timedelta(hours=2),
        })
        self.start_tour("/odoo/action-call_logging.crm_call_action_day_plan", "call_logging_day_plan_narrow",
                        login="tour_narrow")

