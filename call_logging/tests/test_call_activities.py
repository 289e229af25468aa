from datetime import timedelta

from odoo.tests import tagged

from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallActivities(CallCase):
    """A scheduled call is one Call activity on its lead (else its contact), and follows the call."""

    def activities_of(self, record):
        return self.env["mail.activity"].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def test_a_scheduled_call_shows_as_a_call_activity_on_its_lead(self):
        call = self.schedule_call(lead_id=self.lead.id, name="Demo of the fleet plan")
        activity = call.call_activity_id
        self.assertEqual(self.activities_of(self.lead), activity)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual((activity.user_id, activity.summary), (self.anna, "Demo of the fleet plan"))
        self.assertEqual(activity.date_deadline, call._local_start_date())
        self.assertIn(activity, self.env["mail.activity"].with_user(self.anna).search([("user_id", "=", self.anna.id)]),
                      "in Anna's activities: the systray and the activity view count it")

    def test_without_a_lead_the_activity_is_on_the_contact(self):
        call = self.schedule_call()
        self.assertEqual(self.activities_of(self.contact), call.call_activity_id)

    def test_the_activity_follows_a_rescheduled_and_reassigned_call(self):
        call = self.schedule_call(lead_id=self.lead.id)
        activity = call.call_activity_id
        call.with_user(self.anna).action_reschedule(self.now + timedelta(days=3))
        call.with_user(self.boss).write({"user_id": self.piotr.id})
        self.assertEqual(call.call_activity_id, activity, "one activity, moved, never a second one")
        self.assertEqual((activity.date_deadline, activity.user_id), (call._local_start_date(), self.piotr))
        self.assertEqual(len(self.activities_of(self.lead)), 1)

    def test_completing_the_call_marks_its_activity_done_and_cancelling_removes_it(self):
        done = self.schedule_call(lead_id=self.lead.id)
        cancelled = self.schedule_call(lead_id=self.lead.id, start=self.now + timedelta(days=2))
        done_activity, cancelled_activity = done.call_activity_id, cancelled.call_activity_id
        done.with_user(self.anna).action_mark_done()
        cancelled.with_user(self.anna).action_cancel()
        self.assertFalse(done_activity.exists() and done_activity.active)
        self.assertFalse(cancelled_activity.exists())
        self.assertFalse(self.activities_of(self.lead))

    def test_marking_the_activity_done_in_the_crm_completes_the_call(self):
        call = self.schedule_call(lead_id=self.lead.id)
        call.call_activity_id.with_user(self.anna).action_feedback(feedback="Talked, sending the offer")
        self.assertEqual(call.state, "done")

    def test_deleting_the_call_deletes_its_activity(self):
        call = self.schedule_call(lead_id=self.lead.id)
        activity = call.call_activity_id
        call.with_user(self.anna).unlink()
        self.assertFalse(activity.exists())

    def test_a_call_activity_of_another_app_is_a_task_in_the_day_plan(self):
        self.lead.with_user(self.anna).activity_schedule(
            "mail.mail_activity_data_call", summary="Call about the invoice", user_id=self.anna.id)
        self.schedule_call(lead_id=self.lead.id)  # has its own card: not listed twice
        plan = self.Call.with_user(self.anna).get_day_plan()
        tasks = [task for key in ("overdue", "today", "upcoming") for task in plan[key]["tasks"]]
        self.assertEqual([task["summary"] for task in tasks], ["Call about the invoice"])
        self.assertEqual((tasks[0]["res_model"], tasks[0]["res_id"]), ("crm.lead", self.lead.id))
        self.assertIn(tasks[0], plan["today"]["tasks"])

    # ------------------------------------------------------------------
    # Call-backs
    # ------------------------------------------------------------------
    def callback_for(self, missed, target):
        return target.activity_schedule(
            "mail.mail_activity_data_call", summary="Call back: voicemail", user_id=self.anna.id,
            callback_call_id=missed.id,
        )

    def missed_call(self, **values):
        return self.Call._telephony_create({
            "state": "missed", "direction": "inbound", "user_id": self.anna.id,
            "start": self.now - timedelta(hours=1), **values,
        })

    def test_a_call_back_to_do_is_done_once_someone_talked_with_the_customer(self):
        missed = self.missed_call(partner_id=self.contact.id, phone=self.contact.phone)
        callback = self.callback_for(missed, self.contact)
        plan = self.Call.with_user(self.anna).get_day_plan()
        self.assertFalse([task for key in ("overdue", "today", "upcoming") for task in plan[key]["tasks"]],
                         "its missed call is in the Missed column, not listed again as a task")
        unanswered = self.log_call(user=self.piotr, result_id=self.env.ref("call_logging.result_no_answer").id)
        self.assertTrue(callback.exists(), "nobody reached the customer: still to do")
        self.log_call(user=self.piotr, start=self.now - timedelta(minutes=2))
        self.assertFalse(callback.exists(), "a colleague talked with the customer: done")
        done = self.env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "=", self.contact.id),
                                                ("mail_activity_type_id", "!=", False)], limit=1)
        self.assertIn(self.piotr.name, done.body)
        self.assertTrue(unanswered.exists())

    def test_a_call_back_of_a_number_is_done_by_a_call_with_that_number(self):
        missed = self.missed_call(phone="+48 601 222 333")
        callback = self.callback_for(missed, missed)
        self.log_call(partner_id=False, phone="+48 601 999 999")
        self.assertTrue(callback.exists(), "another number")
        earlier = self.log_call(partner_id=False, phone="0048 601 222 333", start=self.now - timedelta(hours=3))
        self.assertTrue(callback.exists(), "a call before the missed one returns nothing")
        self.assertTrue(earlier.exists())
        self.log_call(partner_id=False, phone="0048 601 222 333", direction="inbound")
        self.assertFalse(callback.exists(), "the caller rang again and was answered")
