import base64
import json
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import CUSTOMER_NUMBER, EventPoster, TelephonyWorldMixin

WAV = (b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00"
       b"\x02\x00\x10\x00data\x00\x00\x00\x00")


@tagged("post_install", "-at_install")
class TestEventsEndpoint(TelephonyWorldMixin, HttpCase):
    """The PBX's events, posted over real HTTP, become one right crm.call per PBX call."""

    def poster(self, **kwargs):
        return EventPoster(self, **kwargs)

    # ------------------------------------------------------------------ lifecycle
    def test_inbound_call_answered_is_owned_by_the_answering_user(self):
        pbx = self.poster()
        answer = pbx.post("ringing", 0, "202")
        call = pbx.call()
        self.assertEqual(answer, {"call_id": call.id})
        self.assertEqual((call.state, call.direction, call.partner_id), ("ringing", "inbound", self.partner))
        self.assertEqual(call.caller_type, "contact")
        self.assertEqual(call.telephony_line_id, self.line)
        pbx.post("answered", 5, "201")
        call = pbx.call()
        self.assertEqual((call.state, call.user_id), ("in_progress", self.agent))
        self.assertEqual(call.answered_at, pbx.t0.replace(tzinfo=None) + timedelta(seconds=5))
        pbx.post("hold", 20, "201")
        self.assertEqual(pbx.call().state, "on_hold")
        pbx.post("unhold", 30, "201")
        self.assertEqual(pbx.call().state, "in_progress")
        pbx.post("hangup", 65, "201", reason="answered")
        call = pbx.call()
        self.assertEqual((call.state, call.duration, call.hold_duration, call.talk_duration), ("done", 60, 10, 50))
        self.assertEqual(call.user_id, self.agent)

    def test_inbound_call_never_answered_ends_missed_for_the_rung_user(self):
        pbx = self.poster()
        pbx.post("ringing", 0, "201")
        pbx.post("hangup", 25, None, reason="no_answer")
        call = pbx.call()
        self.assertEqual((call.state, call.duration, call.user_id), ("missed", 0, self.agent))

    def test_outbound_call_not_answered_is_done_with_busy_or_no_answer(self):
        busy = self.poster(direction="outbound")
        busy.post("ringing", 0, "201")
        busy.post("hangup", 3, "201", reason="busy")
        call = busy.call()
        self.assertEqual((call.state, call.result_id), ("done", self.env.ref("call_logging.result_busy")))
        silent = self.poster(direction="outbound")
        silent.post("ringing", 0, "201")
        silent.post("hangup", 30, "201", reason="no_answer")
        call = silent.call()
        self.assertEqual((call.state, call.result_id), ("done", self.env.ref("call_logging.result_no_answer")))
        self.assertEqual(call.user_id, self.agent)

    def test_delivering_an_event_twice_changes_nothing(self):
        pbx = self.poster()
        first = pbx.post("ringing", 0, "201")
        again = pbx.post("ringing", 0, "201")
        self.assertEqual(again, {"call_id": first["call_id"], "duplicate": True})
        # Without an event id, the call, kind, time and extension identify the event.
        pbx.post("answered", 4, "201", event_id=None)
        self.assertTrue(pbx.post("answered", 4, "201", event_id=None)["duplicate"])
        events = self.env["telephony.call.event"].search([("call_ref", "=", pbx.call_id)])
        self.assertEqual(len(events), 2)
        self.assertEqual(len(pbx.call()), 1)

    def test_events_out_of_order_give_the_same_call(self):
        in_order = self.poster()
        for event, second, reason in (("ringing", 0, None), ("answered", 5, None), ("hangup", 45, "answered")):
            in_order.post(event, second, "201", **({"reason": reason} if reason else {}))
        shuffled = self.poster()
        shuffled.post("hangup", 45, "201", reason="answered")
        self.assertEqual(shuffled.call().state, "done")
        shuffled.post("ringing", 0, "201")
        shuffled.post("answered", 5, "201")
        expected, got = in_order.call(), shuffled.call()
        for field in ("state", "duration", "user_id", "partner_id", "hold_duration"):
            self.assertEqual(got[field], expected[field], field)
        self.assertEqual(got.answered_at - got.start, expected.answered_at - expected.start)

    def test_missed_call_answered_late_becomes_done(self):
        pbx = self.poster()
        pbx.post("ringing", 0, "201")
        pbx.post("hangup", 30, "201", reason="no_answer")
        self.assertEqual(pbx.call().state, "missed")
        pbx.post("answered", 10, "202")
        call = pbx.call()
        self.assertEqual((call.state, call.user_id, call.duration), ("done", self.colleague, 20))

    # ------------------------------------------------------------------ unknown numbers, exception list
    def test_unknown_number_is_offered_not_created(self):
        pbx = self.poster(number="+48 61 999 88 77")
        pbx.post("ringing", 0, "201")
        call = pbx.call()
        self.assertEqual(call.caller_type, "unknown")
        self.assertFalse(call.partner_id or call.lead_id)
        self.assertFalse(self.env["crm.lead"].search([("phone", "=", "+48 61 999 88 77")]))

    def test_unknown_number_creates_a_lead_for_the_configured_directions(self):
        source = self.env["utm.source"].create({"name": "Phone line"})
        self.line.write({"unknown_number_action": "create_lead", "auto_lead_directions": "inbound",
                         "lead_source_id": source.id})
        inbound = self.poster(number="+48 61 111 22 33")
        inbound.post("ringing", 0, "201")
        lead = inbound.call().lead_id
        self.assertEqual(lead.name, "+48 61 111 22 33 - incoming call")
        self.assertEqual((lead.source_id, lead.phone, lead.user_id), (source, "+48 61 111 22 33", self.agent))
        self.assertEqual(inbound.call().caller_type, "lead")
        outbound = self.poster(direction="outbound", number="+48 61 111 22 44")
        outbound.post("ringing", 0, "201")
        self.assertFalse(outbound.call().lead_id)
        self.line.auto_lead_directions = "both"
        outbound_both = self.poster(direction="outbound", number="+48 61 111 22 55")
        outbound_both.post("ringing", 0, "201")
        self.assertEqual(outbound_both.call().lead_id.name, "+48 61 111 22 55 - incoming call")
        self.line.auto_lead_directions = "outbound"
        inbound_not = self.poster(number="+48 61 111 22 66")
        inbound_not.post("ringing", 0, "201")
        self.assertFalse(inbound_not.call().lead_id)

    def test_exception_number_leaves_no_trace(self):
        self.line.exception_numbers = "+48 600 700 800\n# the boss's mobile\n"
        pbx = self.poster(number="0048600700800")
        leads_before = self.env["crm.lead"].search_count([])
        with self.assertNoLogs("odoo.addons.call_telephony_bridge", level="DEBUG"):
            for event, second in (("ringing", 0), ("answered", 3)):
                self.assertEqual(pbx.post(event, second, "201"), {"ignored": True})
            self.assertEqual(pbx.post("hangup", 9, "201", reason="answered"), {"ignored": True})
        self.env.invalidate_all()
        self.assertFalse(pbx.call())
        self.assertFalse(self.env["crm.call"].search([("phone", "ilike", "600700800")]))
        self.assertFalse(self.env["telephony.call.event"].search([("call_ref", "=", pbx.call_id)]))
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before)

    # ------------------------------------------------------------------ recordings and voicemail
    def test_recording_is_attached_and_played_in_the_contacts_history(self):
        pbx = self.poster()
        pbx.post("ringing", 0, "201")
        pbx.post("answered", 2, "201")
        pbx.post("hangup", 30, "201", reason="answered")
        pbx.post("recording", 31, "201", recording={
            "name": "call.wav", "content_type": "audio/wav", "data_base64": base64.b64encode(WAV).decode()})
        call = pbx.call()
        self.assertEqual(call.recording_id.raw, WAV)
        self.assertEqual(call.recording_id.mimetype, "audio/wav")
        message = self.partner.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertTrue(message, "the recording is posted on the contact")
        self.assertEqual(message.attachment_ids.raw, WAV)
        self.assertTrue(message.attachment_ids.voice_ids, "shown with the chatter's audio player")
        self.assertEqual(call.state, "done")

    def test_voicemail_is_attached_and_asks_the_salesperson_to_call_back(self):
        pbx = self.poster()
        pbx.post("ringing", 0, "201")
        pbx.post("voicemail", 20, None, recording={
            "name": "voicemail.wav", "content_type": "audio/wav", "data_base64": base64.b64encode(WAV).decode()})
        pbx.post("hangup", 40, None, reason="answered")
        call = pbx.call()
        self.assertEqual(call.state, "missed")
        self.assertEqual(call.recording_id.name, "voicemail.wav")
        activity = self.partner.activity_ids.filtered(lambda a: "voicemail" in (a.summary or ""))
        self.assertEqual(activity.user_id, self.agent)
        self.assertEqual((activity.summary, activity.callback_call_id), ("Call back Anna Kowalska: voicemail", call))

    def leave_voicemail(self, extension="201", number=None):
        pbx = self.poster(**({"number": number} if number else {}))
        pbx.post("ringing", 0, extension)
        pbx.post("voicemail", 20, None, recording={
            "name": "voicemail.wav", "content_type": "audio/wav", "data_base64": base64.b64encode(WAV).decode()})
        pbx.post("hangup", 40, None, reason="answered")
        return pbx.call()

    def test_voicemails_of_one_customer_make_one_callback_in_the_day_plan_of_their_salesperson(self):
        # The calls ring the colleague, but Anna is the agent's customer: the agent calls her back.
        calls = [self.leave_voicemail(extension="202") for _ in range(4)]
        self.assertEqual({c.user_id for c in calls}, {self.colleague})
        callbacks = self.env["mail.activity"].search([("callback_call_id", "!=", False)])
        self.assertEqual(len(callbacks), 1, "one open call-back per customer, updated by each voicemail")
        self.assertEqual((callbacks.res_model, callbacks.res_id, callbacks.user_id),
                         ("res.partner", self.partner.id, self.agent))
        self.assertEqual(callbacks.summary, "Call back Anna Kowalska: 4 voicemails")
        self.assertEqual((callbacks.callback_call_id, callbacks.callback_count), (calls[-1], 4))
        missed = self.env["crm.call"].with_user(self.agent).get_day_plan()["missed"]["records"]
        latest = next(card for card in missed if card["id"] == calls[-1].id)
        self.assertEqual(latest["recording_id"][0], calls[-1].recording_id.id, "its voicemail plays on the card")

    def test_voicemails_of_an_unknown_number_make_one_callback_named_after_the_number(self):
        number = "+48 799 000 111"
        first, second = self.leave_voicemail(number=number), self.leave_voicemail(number=number)
        callbacks = self.env["mail.activity"].search([("callback_call_id", "!=", False)])
        self.assertEqual(len(callbacks), 1)
        self.assertEqual((callbacks.res_model, callbacks.res_id), ("crm.call", first.id))
        self.assertEqual((callbacks.callback_call_id, callbacks.user_id), (second, self.agent))
        self.assertIn("2 voicemails", callbacks.summary)

    # ------------------------------------------------------------------ bad input
    def test_bad_bodies_are_refused_with_400(self):
        pbx = self.poster()
        self.assertIn("JSON", pbx.post_body(b"{not json", expect=400)["error"])
        self.assertIn("unknown event", pbx.post_body(pbx.body("exploded"), expect=400)["error"])
        for field in ("call_id", "direction", "from", "to", "time", "event"):
            body = pbx.body("ringing", extension="201")
            del body[field]
            self.assertIn(field, pbx.post_body(body, expect=400)["error"])
        self.assertIn("time", pbx.post_body(pbx.body("ringing", time="yesterday"), expect=400)["error"])
        self.assertIn("reason", pbx.post_body(pbx.body("hangup", reason="bored"), expect=400)["error"])
        self.assertIn("recording", pbx.post_body(pbx.body("recording"), expect=400)["error"])
        bad_audio = {"name": "x.wav", "content_type": "audio/wav", "data_base64": "%%%"}
        self.assertIn("base64", pbx.post_body(pbx.body("recording", recording=bad_audio), expect=400)["error"])
        # An array is a batch: each of its entries that is not an event is refused on its own.
        batch = pbx.post_body([1, 2, 3])
        self.assertEqual([r["status"] for r in batch["results"]], [400, 400, 400])
        pbx.post_body(pbx.body("ringing", call_id=12), expect=400)
        self.assertFalse(pbx.call())

    def test_missing_or_wrong_token_is_refused_with_401(self):
        pbx = self.poster()
        pbx.post_body(pbx.body("ringing"), expect=401, token="")
        pbx.post_body(pbx.body("ringing"), expect=401, token="not-the-token")
        headers = {"Authorization": "Basic YWRtaW46YWRtaW4=", "Content-Type": "application/json"}
        response = self.url_open("/telephony/v1/events", data=json.dumps(pbx.body("ringing")), headers=headers)
        self.assertEqual(response.status_code, 401)
        self.line.action_regenerate_token()
        pbx.post_body(pbx.body("ringing"), expect=401)
        self.assertFalse(pbx.call())

    def test_archived_line_token_is_refused(self):
        self.line.active = False
        self.poster().post("ringing", 0, "201", expect=401)

    def test_oversized_bodies_are_refused_with_413(self):
        pbx = self.poster()
        pbx.post_body(pbx.body("ringing", padding="x" * (1024 * 1024 + 1)), expect=413)
        pbx.post_body(b"{" + b" " * (25 * 1024 * 1024 + 1) + b"}", expect=413)
        self.assertFalse(pbx.call())

    def test_a_failure_inside_leaves_no_half_written_call(self):
        lifecycle = type(self.env["telephony.call.lifecycle"])
        pbx = self.poster()
        with patch.object(lifecycle, "_notify", side_effect=RuntimeError("the bus fell over")), \
                self.assertLogs("odoo.addons.call_telephony_bridge", level="ERROR"):
            pbx.post("ringing", 0, "201", expect=500)
        self.assertFalse(pbx.call())
        self.assertFalse(self.env["telephony.call.event"].search([("call_ref", "=", pbx.call_id)]))
        # The bridge retries later: the event then goes through as if nothing happened.
        pbx.post("ringing", 0, "201")
        self.assertEqual(pbx.call().state, "ringing")

    def test_number_spellings_reach_the_same_contact(self):
        pbx = self.poster(number="0048221234567")
        pbx.post("ringing", 0, "201")
        self.assertEqual(pbx.call().partner_id, self.partner)
        self.assertEqual(CUSTOMER_NUMBER, self.partner.phone)
