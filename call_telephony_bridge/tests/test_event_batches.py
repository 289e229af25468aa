from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from ..tools.event_schema import MAX_BATCH_EVENTS
from .common import EventPoster, TelephonyWorldMixin


@tagged("post_install", "-at_install")
class TestEventBatches(TelephonyWorldMixin, HttpCase):
    """A JSON array of events (the bridge's backlog) is applied in order, with one answer per event."""

    def statuses(self, answer):
        return [result["status"] for result in answer["results"]]

    def test_a_batch_gives_the_same_calls_as_its_events_one_by_one(self):
        first, second = EventPoster(self), EventPoster(self)
        answer = first.post_body([
            first.body("ringing", 0, "201"),
            second.body("ringing", 1, "201"),
            first.body("answered", 3, "201"),
            first.body("hangup", 60, "201", reason="answered"),
        ])
        self.assertEqual(self.statuses(answer), [200, 200, 200, 200])
        call, other = first.call(), second.call()
        self.assertEqual([r["call_id"] for r in answer["results"]], [call.id, other.id, call.id, call.id])
        self.assertEqual((call.state, call.duration, call.user_id), ("done", 57, self.agent))
        self.assertEqual(other.state, "ringing")
        # Closed in a batch, the call still lands on the contact's timeline, once.
        notes = self.partner.message_ids.filtered(lambda m: "o_call_summary" in (m.body or "") and
                                                  f"/{call.id}" in m.body)
        self.assertEqual(len(notes), 1)

    def test_a_malformed_or_repeated_event_is_answered_alone(self):
        pbx = EventPoster(self)
        ringing = pbx.body("ringing", 0, "201")
        answer = pbx.post_body([ringing, {"event": "exploded"}, ringing, pbx.body("answered", 2, "201")])
        self.assertEqual(self.statuses(answer), [200, 400, 200, 200])
        self.assertIn("event", answer["results"][1]["error"])
        self.assertTrue(answer["results"][2]["duplicate"])
        self.assertEqual(pbx.call().state, "in_progress")

    def test_an_event_that_fails_is_left_out_and_the_others_are_applied(self):
        good, bad = EventPoster(self), EventPoster(self)
        lifecycle = type(self.env["telephony.call.lifecycle"])
        create_call = lifecycle._create_call

        def failing_for_bad(self, line, event, *args):
            if event["call_id"] == bad.call_id:
                raise RuntimeError("the disk is full")
            return create_call(self, line, event, *args)

        with patch.object(lifecycle, "_create_call", failing_for_bad), \
                self.assertLogs("odoo.addons.call_telephony_bridge", level="ERROR"):
            answer = good.post_body([bad.body("ringing", 0, "201"), good.body("ringing", 0, "201"),
                                     good.body("answered", 2, "201")])
        self.assertEqual(self.statuses(answer), [500, 200, 200])
        self.assertFalse(bad.call())
        self.assertFalse(self.env["telephony.call.event"].search([("call_ref", "=", bad.call_id)]))
        self.assertEqual(good.call().state, "in_progress")
        # Delivered again later, the failed event goes through.
        bad.post("ringing", 0, "201")
        self.assertEqual(bad.call().state, "ringing")

    def test_empty_and_oversized_batches_are_refused(self):
        pbx = EventPoster(self)
        pbx.post_body([], expect=400)
        pbx.post_body([pbx.body("ringing", 0, "201")] * (MAX_BATCH_EVENTS + 1), expect=413)
        self.assertFalse(pbx.call())

    def test_a_batch_needs_the_line_token(self):
        pbx = EventPoster(self)
        pbx.post_body([pbx.body("ringing", 0, "201")], expect=401, token="not-the-token")
        self.assertFalse(pbx.call())
