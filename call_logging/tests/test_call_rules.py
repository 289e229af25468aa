from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallRules(CallCase):
    """The rules on a call's owner, state, times and edits, enforced on the server whatever the client sends."""

    def test_owner_of_a_logged_call_cannot_be_changed(self):
        call = self.log_call()
        with self.assertRaisesRegex(UserError, "can no longer be edited|keeps its owner"):
            call.with_user(self.boss).user_id = self.piotr
        self.assertEqual(call.user_id, self.anna)

    def test_owner_of_a_current_call_cannot_be_changed(self):
        call = self.Call.browse(self.contact.with_user(self.anna).action_call_now()["res_id"])
        with self.assertRaisesRegex(UserError, "keeps its owner"):
            call.with_user(self.boss).user_id = self.piotr
        self.assertEqual(call.user_id, self.anna)

    def test_whoever_starts_a_call_owns_it_whatever_the_form_said(self):
        call = self.Call.with_user(self.anna).create({"state": "in_progress", "user_id": self.piotr.id})
        self.assertEqual(call.user_id, self.anna)

    def test_a_scheduled_call_can_be_reassigned(self):
        call = self.schedule_call()
        call.with_user(self.anna).user_id = self.piotr
        self.assertEqual(call.user_id, self.piotr)

    def test_related_to_is_only_for_calls_with_a_contact(self):
        with self.assertRaisesRegex(ValidationError, "only when it is with a contact"):
            self.log_call(partner_id=False, lead_id=self.lead.id, related_ref=f"res.partner,{self.company.id}")
        call = self.log_call(related_ref=f"crm.lead,{self.lead.id}")
        self.assertEqual(call.related_ref, self.lead)

    def test_a_completed_call_can_no_longer_be_edited(self):
        call = self.log_call(result_note="Interested")
        edits = ({"name": "Changed"}, {"duration": 10}, {"state": "scheduled"})
        for values in edits:
            with self.assertRaisesRegex(UserError, "can no longer be edited"):
                call.with_user(self.anna).write(values)
        # Its wrap-up stays open to its owner only.
        with self.assertRaisesRegex(UserError, "can no longer be edited"):
            call.with_user(self.boss).write({"result_note": "Not interested"})
        self.assertEqual((call.name, call.duration, call.result_note), ("Call to Kowalski Sp. z o.o., Jan Kowalski",
                                                                     150, "Interested"))

    def test_the_phone_system_can_still_attach_a_recording_to_a_completed_call(self):
        call = self.log_call()
        recording = self.env["ir.attachment"].create({"name": "call.wav", "raw": b"RIFF", "res_model": "crm.call",
                                                      "res_id": call.id})
        with self.assertRaisesRegex(AccessError, "set by the system"):
            call.with_user(self.anna).write({"recording_id": recording.id})
        call.sudo()._telephony_write({"recording_id": recording.id})  # sudo: the phone system is superuser code
        self.assertEqual(call.recording_id, recording)

    def test_missed_calls_cannot_be_entered_or_set_by_hand(self):
        with self.assertRaisesRegex(UserError, "phone system only"):
            self.log_call(state="missed", direction="inbound")
        with self.assertRaisesRegex(UserError, "phone system only"):
            self.log_call(state="ringing", direction="inbound")
        scheduled = self.schedule_call()
        with self.assertRaisesRegex(UserError, "phone system only"):
            scheduled.with_user(self.anna).state = "missed"
        self.assertEqual(scheduled.state, "scheduled")

    def test_only_the_telephony_side_writes_missed_calls(self):
        call = self.Call._telephony_create({
            "state": "missed", "direction": "inbound", "start": self.now, "phone": "+48221234567",
        })
        self.assertEqual(call.state, "missed")
        # superuser mode alone, or the context alone, is not enough
        with self.assertRaisesRegex(UserError, "phone system only"):
            self.Call.with_user(self.anna).with_context(telephony_event=True).create({"state": "missed"})

    def test_start_is_mandatory(self):
        with self.assertRaisesRegex(ValidationError, "needs a start"):
            self.log_call(start=False)

    def test_duration_is_never_negative_nor_absurd(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.log_call(duration=-5)
        with self.assertRaisesRegex(ValidationError, "longer than 24 hours"):
            self.log_call(duration=25 * 3600)
        self.assertFalse(self.Call.search([("partner_id", "=", self.contact.id)]))

    def test_a_call_cannot_end_before_it_starts(self):
        call = self.Call.with_user(self.anna).new({"state": "done", "start": self.now - timedelta(hours=1),
                                                   "partner_id": self.contact.id})
        with self.assertRaisesRegex(ValidationError, "cannot end before it starts"):
            self.log_call(stop=self.now - timedelta(hours=2), start=self.now - timedelta(hours=1))
        self.assertTrue(call)
        logged = self.log_call(start=self.now - timedelta(hours=1), stop=self.now - timedelta(minutes=55))
        self.assertEqual(logged.duration, 300)

    def test_calls_cannot_be_scheduled_in_the_past_or_logged_in_the_future(self):
        with self.assertRaisesRegex(UserError, "cannot be scheduled in the past"):
            self.schedule_call(start=self.now - timedelta(hours=3))
        with self.assertRaisesRegex(UserError, "cannot start in the future"):
            self.log_call(start=self.now + timedelta(hours=3))
        call = self.schedule_call()
        with self.assertRaisesRegex(UserError, "rescheduled into the past"):
            call.with_user(self.anna).action_reschedule(self.now - timedelta(days=1))
        self.assertEqual(call.reschedule_count, 0)

    def test_moving_a_scheduled_call_in_the_calendar_counts_as_a_reschedule(self):
        call = self.schedule_call()
        call.with_user(self.anna).start = self.now + timedelta(days=2)
        self.assertEqual(call.reschedule_count, 1)

    def test_only_scheduled_calls_take_scheduled_call_actions(self):
        call = self.log_call()
        for action in ("action_mark_done", "action_cancel", "action_start_call"):
            with self.assertRaisesRegex(UserError, "Only a scheduled call|Only scheduled calls"):
                getattr(call.with_user(self.anna), action)()
        with self.assertRaisesRegex(UserError, "Only scheduled calls"):
            call.with_user(self.anna).action_reschedule(self.now + timedelta(days=1))
        with self.assertRaisesRegex(UserError, "Only a call in progress"):
            call.with_user(self.anna).action_hold()
        with self.assertRaisesRegex(UserError, "Only a call in progress or on hold"):
            call.with_user(self.anna).action_end_call()
        with self.assertRaisesRegex(UserError, "Only a call on hold"):
            call.with_user(self.anna).action_resume()

    def test_a_call_going_on_cannot_be_deleted_nor_its_start_moved(self):
        call = self.Call.browse(self.contact.with_user(self.anna).action_call_now()["res_id"]).with_user(self.anna)
        with self.assertRaisesRegex(UserError, "still going on"):
            call.unlink()
        with self.assertRaisesRegex(UserError, "start of a call in progress"):
            call.start = self.now - timedelta(hours=1)

    def test_a_new_call_is_logged_scheduled_or_started_never_created_on_hold_or_cancelled(self):
        for state in ("on_hold", "cancelled"):
            with self.assertRaisesRegex(UserError, "logged, scheduled or started"):
                self.log_call(state=state)

    def test_a_number_that_is_not_a_number_is_refused_by_the_ask_number_wizard(self):
        silent = self.env["res.partner"].create({"name": "Nobody"})
        wizard = self.env["crm.call.ask.number"].with_user(self.anna).create(
            {"partner_id": silent.id, "number": "call me maybe"})
        with self.assertRaisesRegex(UserError, "does not look like a phone number"):
            wizard.action_confirm()
        self.assertFalse(silent.phone)
