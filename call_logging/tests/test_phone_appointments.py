import json
from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CallCase


@tagged("post_install", "-at_install")
class TestPhoneAppointments(CallCase):
    """Phone appointments with a from-to window and the managers of a contact."""

    def book(self, user=None, start=None, length=timedelta(minutes=30), **values):
        """Anna books a manual appointment with Jan Kowalski, an hour from now by default."""
        start = start or self.now + timedelta(hours=1)
        return self.Call.with_user(user or self.anna).create({
            "is_appointment": True, "start": start, "window_end": start + length,
            "partner_id": self.contact.id, **values,
        })

    def window_notifications(self, call):
        self.env.cr.flush()  # bus notifications are written when the transaction is about to commit
        notifications = self.env["bus.bus"].sudo().search([("message", "like", "call_logging/appointment_window_open")])
        return [n for n in notifications if json.loads(n.message)["payload"]["call_id"] == call.id]

    def filter_domain(self, model, name, user):
        """The domain of the search filter ``name`` as ``user`` gets it from the search view."""
        arch = self.env[model].with_user(user).get_views([(False, "search")])["views"]["search"]["arch"]
        node = etree.fromstring(arch).xpath(f"//filter[@name='{name}']")[0]
        return safe_eval(node.get("domain"), {"uid": user.id})

    # ------------------------------------------------------------------
    # Windows
    # ------------------------------------------------------------------
    def test_manual_window_opening_notifies_the_owner_once(self):
        appointment = self.book(reminder_minutes=0)
        self.assertEqual((appointment.state, appointment.appointment_state), ("scheduled", "planned"))
        self.assertEqual(appointment.phone, self.contact.phone, "the number comes from the contact")
        self.assertEqual(appointment.stop, appointment.window_end, "the calendar shows the whole window")

        self.Call._cron_phone_appointments(now=appointment.start - timedelta(minutes=1))
        self.assertEqual(self.window_notifications(appointment), [])
        self.Call._cron_phone_appointments(now=appointment.start)
        self.Call._cron_phone_appointments(now=appointment.start + timedelta(minutes=1))
        sent = self.window_notifications(appointment)
        self.assertEqual(len(sent), 1, "one notification when the window opens, not one a minute")
        self.assertEqual(json.loads(sent[0].channel)[1:], ["res.partner", self.anna.partner_id.id], "sent to Anna")
        payload = json.loads(sent[0].message)["payload"]
        self.assertIn("call now", payload["title"])
        self.assertIn(self.contact.phone, payload["message"])
        self.assertEqual(appointment.appointment_state, "open")

        with freeze_time(appointment.start + timedelta(minutes=10)):
            plan = self.Call.with_user(self.anna).get_day_plan()
            self.assertIn(appointment.id, [r["id"] for r in plan["today"]["records"]])
            self.assertNotIn(appointment.id, [r["id"] for r in plan["overdue"]["records"]])
            appointment.invalidate_recordset(["is_overdue"])
            self.assertFalse(appointment.is_overdue, "an open window is not late")
            self.assertNotIn(appointment, self.Call.search([("is_overdue", "=", True)]))
            action = appointment.with_user(self.anna).action_call_appointment_now()
        self.assertEqual((action["res_model"], action["res_id"]), ("crm.call", appointment.id))
        self.assertEqual((appointment.state, appointment.appointment_state), ("in_progress", "held"))
        with self.assertRaisesRegex(UserError, "already been handled"):
            appointment.with_user(self.anna).action_call_appointment_now()

    def test_window_closing_unheld_is_missed_by_us_with_an_activity(self):
        appointment = self.book()
        self.Call._cron_phone_appointments(now=appointment.start)
        self.Call._cron_phone_appointments(now=appointment.window_end - timedelta(minutes=1))
        self.assertEqual(appointment.appointment_state, "open")
        self.Call._cron_phone_appointments(now=appointment.window_end)
        self.assertEqual((appointment.state, appointment.appointment_state), ("scheduled", "missed_by_us"))
        activity = appointment.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.anna)
        self.assertIn("Missed phone appointment", activity.summary)
        self.Call._cron_phone_appointments(now=appointment.window_end + timedelta(minutes=5))
        self.assertEqual(len(appointment.activity_ids), 1, "the owner is told once")
        with freeze_time(appointment.window_end + timedelta(minutes=1)):
            appointment.invalidate_recordset(["is_overdue"])
            self.assertTrue(appointment.is_overdue, "once the window closed, the call is late")

    def test_held_appointment_is_not_missed(self):
        appointment = self.book()
        appointment.with_user(self.anna).action_mark_done()
        self.Call._cron_phone_appointments(now=appointment.window_end)
        self.assertEqual((appointment.state, appointment.appointment_state), ("done", "held"))
        self.assertFalse(appointment.activity_ids)

    def test_a_window_wakes_the_alarms_when_it_opens_and_when_it_closes(self):
        appointment = self.book(reminder_minutes=0)
        cron = self.env.ref("call_logging.ir_cron_call_alarms")
        alarms = set(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).mapped("call_at"))
        self.assertLessEqual({appointment.start.replace(microsecond=0), appointment.window_end.replace(microsecond=0)},
                             alarms)
        self.env["crm.call.alarm.manager"]._run_due_alarms(now=appointment.start)
        self.assertEqual(appointment.appointment_state, "open")
        self.env["crm.call.alarm.manager"]._run_due_alarms(now=appointment.window_end)
        self.assertEqual(appointment.appointment_state, "missed_by_us")

    def test_rescheduling_moves_the_whole_window(self):
        appointment = self.book(length=timedelta(minutes=45))
        self.Call._cron_phone_appointments(now=appointment.start)
        new_start = self.now + timedelta(days=1)
        appointment.with_user(self.anna).action_reschedule(new_start)
        self.assertEqual(appointment.window_end, new_start + timedelta(minutes=45))
        self.assertEqual(appointment.appointment_state, "planned", "the new window opens again")

    # ------------------------------------------------------------------
    # Booking from a contact
    # ------------------------------------------------------------------
    def test_booking_from_a_contact_takes_two_clicks(self):
        action = self.contact.with_user(self.anna).action_phone_appointment()
        self.assertEqual((action["res_model"], action["target"]), ("crm.call", "new"))
        view_id = action["views"][0][0]
        with Form(self.Call.with_user(self.anna).with_context(action["context"]), view=view_id) as dialog:
            self.assertEqual(dialog.phone, self.contact.phone)
        appointment = dialog.record
        self.assertTrue(appointment.is_appointment)
        self.assertEqual((appointment.partner_id, appointment.user_id, appointment.state),
                         (self.contact, self.anna, "scheduled"))
        self.assertEqual(appointment.window_end - appointment.start, timedelta(minutes=30))
        self.assertGreater(appointment.start, self.now)

    def test_contact_without_a_number_is_asked_for_one_and_keeps_it(self):
        silent = self.env["res.partner"].create({"name": "Ewa Cicha"})
        action = silent.with_user(self.anna).action_phone_appointment()
        self.assertEqual((action["res_model"], action["context"]["default_then"]),
                         ("crm.call.ask.number", "appointment"))
        wizard = self.env["crm.call.ask.number"].with_user(self.anna).with_context(action["context"]).create(
            {"number": "+48 601 222 333"}
        )
        booking = wizard.action_confirm()
        self.assertEqual(silent.phone, "+48 601 222 333", "the number is kept on the contact")
        self.assertEqual(booking["context"]["default_phone"], "+48 601 222 333")
        self.assertTrue(booking["context"]["default_is_appointment"])

    def test_booking_from_a_lead_keeps_the_lead_and_its_contact(self):
        action = self.lead.with_user(self.anna).action_phone_appointment()
        view_id = action["views"][0][0]
        with Form(self.Call.with_user(self.anna).with_context(action["context"]), view=view_id) as dialog:
            self.assertEqual(dialog.phone, self.lead.phone)
        appointment = dialog.record
        self.assertRecordValues(appointment, [{
            "is_appointment": True, "lead_id": self.lead.id, "partner_id": self.contact.id, "state": "scheduled",
        }])

    def test_a_lead_without_any_number_is_asked_for_one_and_keeps_it(self):
        silent = self.env["crm.lead"].create({"name": "Website form", "contact_name": "Ola Cicha",
                                              "user_id": self.anna.id})
        action = silent.with_user(self.anna).action_phone_appointment()
        self.assertEqual(action["context"]["default_then"], "appointment")
        wizard = self.env["crm.call.ask.number"].with_user(self.anna).with_context(action["context"]).create(
            {"number": "+48 601 444 555"}
        )
        booking = wizard.action_confirm()
        self.assertEqual(silent.phone, "+48 601 444 555", "the number is kept on the lead")
        self.assertEqual((booking["context"]["default_lead_id"], booking["context"]["default_phone"]),
                         (silent.id, "+48 601 444 555"))
        self.assertIn("Ola Cicha", booking["context"]["default_name"])

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def test_bad_windows_and_missing_numbers_are_refused_clearly(self):
        with self.assertRaisesRegex(UserError, "must end after it starts"):
            self.book(length=timedelta(minutes=-10))
        with self.assertRaisesRegex(UserError, "already over"):
            self.book(start=self.now - timedelta(hours=2), length=timedelta(hours=1))
        silent = self.env["res.partner"].create({"name": "Ewa Cicha"})
        with self.assertRaisesRegex(UserError, "needs a number to call"):
            self.book(partner_id=silent.id)
        appointment = self.book()
        with self.assertRaisesRegex(UserError, "must end after it starts"):
            appointment.with_user(self.anna).window_end = appointment.start - timedelta(minutes=5)
        with self.assertRaisesRegex(UserError, "cannot end in the past"):
            appointment.with_user(self.anna).write({
                "start": self.now, "window_end": self.now - timedelta(minutes=5),
            })

    def test_window_already_open_starts_now(self):
        appointment = self.book(start=self.now - timedelta(hours=1), length=timedelta(hours=3))
        self.assertGreaterEqual(appointment.start, self.now)
        self.assertEqual(appointment.window_end, self.now + timedelta(hours=2))

    # ------------------------------------------------------------------
    # Managers and my contacts
    # ------------------------------------------------------------------
    def test_my_contacts_are_those_i_sell_to_or_manage(self):
        sold = self.env["res.partner"].create({"name": "Sold By Anna", "user_id": self.anna.id})
        managed = self.env["res.partner"].create({
            "name": "Managed By Anna", "user_id": self.piotr.id,
            "manager_ids": [Command.link(self.anna.id), Command.link(self.kenji.id)],
        })
        other = self.env["res.partner"].create({"name": "Piotr's Only", "user_id": self.piotr.id})
        Partner = self.env["res.partner"].with_user(self.anna)
        mine = Partner.search(self.filter_domain("res.partner", "my_contacts", self.anna))
        self.assertIn(sold, mine)
        self.assertIn(managed, mine)
        self.assertNotIn(other, mine)
        kenjis = Partner.search(self.filter_domain("res.partner", "my_contacts", self.kenji))
        self.assertIn(managed, kenjis)
        self.assertNotIn(sold, kenjis)

        calls = {partner: self.log_call(user=self.piotr, partner_id=partner.id) for partner in (sold, managed, other)}
        domain = self.filter_domain("crm.call", "calls_of_my_contacts", self.anna)
        found = self.Call.search(domain + [("id", "in", [c.id for c in calls.values()])])
        self.assertEqual(found, calls[sold] | calls[managed])
