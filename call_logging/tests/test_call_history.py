from odoo.tests import tagged

from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallHistory(CallCase):
    """Closed calls land on the timeline of their contact and lead."""

    def last_note(self, record):
        return record.message_ids.filtered(lambda m: "o_call_summary" in (m.body or ""))[:1]

    def test_a_completed_call_posts_direction_duration_result_and_notes_on_contact_and_lead(self):
        call = self.log_call(lead_id=self.lead.id, direction="inbound", duration=272,
                             result_id=self.env.ref("call_logging.result_interested").id,
                             description="<p>Wants a quote by Friday</p>")
        for record in (self.contact, self.lead):
            body = self.last_note(record).body
            self.assertIn('<div class="o_call_summary">', body)  # HTML, not escaped text
            self.assertIn("Inbound call", body)
            self.assertIn("04:32", body)
            self.assertIn("Interested", body)
            self.assertIn("Wants a quote by Friday", body)
            self.assertIn(f"/{call.id}", body)
        self.assertEqual(self.last_note(self.contact).author_id, self.anna.partner_id)

    def test_a_cancelled_call_is_posted_and_a_scheduled_one_is_not(self):
        call = self.schedule_call()
        self.assertFalse(self.last_note(self.contact))
        call.with_user(self.anna).action_cancel()
        self.assertIn("Cancelled call", self.last_note(self.contact).body)

    def test_a_missed_call_from_the_phone_system_is_posted(self):
        self.Call._telephony_create({
            "state": "missed", "direction": "inbound", "start": self.now, "partner_id": self.contact.id,
        })
        self.assertIn("Missed call", self.last_note(self.contact).body)

    def test_ending_a_current_call_posts_it_once(self):
        call = self.Call.browse(self.contact.with_user(self.anna).action_call_now()["res_id"])
        call.with_user(self.anna).action_end_call()
        notes = self.contact.message_ids.filtered(lambda m: "o_call_summary" in (m.body or ""))
        self.assertEqual(len(notes), 1)
