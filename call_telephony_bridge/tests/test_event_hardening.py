import base64
import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, tagged

from ..tools.event_schema import parse_event
from .common import EventPoster, TelephonyWorldMixin

WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00\x02\x00\x10\x00data"


@tagged("post_install", "-at_install")
class TestEventHardening(TelephonyWorldMixin, HttpCase):
    """Whatever a broken or hostile PBX posts, the events endpoint answers JSON, never a 500, and a bad event
    in a batch never costs the good ones."""

    def refused(self, pbx, body):
        """Post ``body`` (a dict, or raw JSON text) alone and in a batch between two good events."""
        raw = body if isinstance(body, str) else json.dumps(body)
        response = self.url_open("/telephony/v1/events", data=raw, headers=self.headers())
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("error", response.json())
        before, after = EventPoster(self), EventPoster(self)
        good = [json.dumps(pbx.body("ringing", 0, "201")) for pbx in (before, after)]
        batch = f"[{good[0]}, {raw}, {good[1]}]"
        response = self.url_open("/telephony/v1/events", data=batch, headers=self.headers())
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual([r["status"] for r in response.json()["results"]], [200, 400, 200])
        self.assertEqual((before.call().state, after.call().state), ("ringing", "ringing"))
        return response.json()["results"][1]["error"]

    def headers(self):
        return {"Content-Type": "application/json", "Authorization": f"Bearer {EventPoster(self).token}"}

    def test_times_out_of_range_are_refused_with_400(self):
        pbx = EventPoster(self)
        for moment in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59",
                       "1900-01-01T00:00:00Z", "2026-11-25T10:00:00+25:00"):
            self.assertIn("time", self.refused(pbx, pbx.body("ringing", 0, "201", time=moment)), moment)
        self.assertFalse(pbx.call())

    def test_nul_and_lone_surrogates_are_refused_in_any_string(self):
        pbx = EventPoster(self)
        for field in ("call_id", "from", "to", "extension", "event_id", "anything_else"):
            for bad in ("a\x00b", "a\ud800b"):
                # json.dumps escapes both (\u0000, \ud800), as a JSON encoder on the PBX would.
                self.refused(pbx, dict(pbx.body("ringing", 0, "201"), **{field: bad}))
        self.refused(pbx, pbx.body("hangup", 5, "201", reason="answered\x00"))
        audio = {"name": "x\x00.wav", "content_type": "audio/wav", "data_base64": base64.b64encode(WAV).decode()}
        self.refused(pbx, pbx.body("recording", 6, "201", recording=audio))
        self.refused(pbx, dict(pbx.body("ringing", 0, "201"), extension="20\n1"))
        self.assertFalse(pbx.call())

    def test_deep_nesting_is_refused(self):
        pbx = EventPoster(self)
        self.refused(pbx, pbx.body("ringing", 0, "201", extra=json.loads("[" * 50 + "]" * 50)))
        deep = "[" * 100000 + "]" * 100000
        # Deeper than any JSON decoder goes: an array is still a batch, its one entry refused.
        response = self.url_open("/telephony/v1/events", data=deep, headers=self.headers())
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual([r["status"] for r in response.json()["results"]], [400])
        response = self.url_open("/telephony/v1/events", data='{"event": ' + deep + "}", headers=self.headers())
        self.assertEqual(response.status_code, 400, response.text)
        event = json.dumps(pbx.body("ringing", 0, "201"))
        self.refused(pbx, event[:-1] + ', "extra": ' + deep + "}")
        self.assertFalse(pbx.call())

    def test_wrong_types_and_huge_numbers_are_refused(self):
        pbx = EventPoster(self)
        for field, value in (("event", ["ringing"]), ("event", {"a": 1}), ("direction", {"in": "bound"}),
                             ("direction", 1), ("time", 1e308), ("time", ["2026-01-01"]), ("call_id", True),
                             ("extension", 201), ("from", None), ("event_id", 10**30)):
            self.refused(pbx, dict(pbx.body("ringing", 0, "201"), **{field: value}))
        for reason in (["answered"], 0, "bored"):
            self.refused(pbx, pbx.body("hangup", 0, "201", reason=reason))
        self.refused(pbx, pbx.body("recording", 0, "201", recording=["call.wav"]))
        event = json.dumps(pbx.body("ringing", 0, "201"))
        for number in ("1" * 5000, "1e400", "-1e400", "NaN", "Infinity"):
            self.refused(pbx, event[:-1] + ', "time": ' + number + "}")
            self.refused(pbx, event[:-1] + ', "extension": ' + number + "}")
        self.assertFalse(pbx.call())

    def test_hangup_without_reason_is_derived_from_the_calls_events(self):
        answered = EventPoster(self)
        answered.post("ringing", 0, "201")
        answered.post("answered", 4, "201")
        answered.post("hangup", 64, "201")
        call = answered.call()
        self.assertEqual((call.state, call.duration, call.user_id), ("done", 60, self.agent))
        hangup = call.telephony_event_ids.filtered(lambda e: e.event == "hangup")
        self.assertEqual(hangup.reason, "answered")
        unanswered = EventPoster(self)
        unanswered.post("ringing", 0, "201")
        unanswered.post("hangup", 20, None)
        call = unanswered.call()
        self.assertEqual(call.state, "missed")
        self.assertEqual(call.telephony_event_ids.filtered(lambda e: e.event == "hangup").reason, "no_answer")
        outbound = EventPoster(self, direction="outbound")
        outbound.post("ringing", 0, "201")
        outbound.post("hangup", 30, "201")
        call = outbound.call()
        self.assertEqual((call.state, call.result_id), ("done", self.env.ref("call_logging.result_no_answer")))
        # The minimal body of the public contract, nothing more, opens and closes a call.
        minimal = EventPoster(self)
        for event, second in (("ringing", 0), ("answered", 2), ("hangup", 12)):
            minimal.post(event, second, "201", event_id=None)
        self.assertEqual((minimal.call().state, minimal.call().duration), ("done", 10))

    def test_an_event_id_reused_on_another_call_is_applied_to_each(self):
        first, second = EventPoster(self), EventPoster(self)
        self.assertNotIn("duplicate", first.post("ringing", 0, "201", event_id="ring-1"))
        self.assertNotIn("duplicate", second.post("ringing", 0, "201", event_id="ring-1"))
        self.assertNotIn("duplicate", second.post("hangup", 9, None, event_id="end", reason="no_answer"))
        self.assertTrue(second.post("hangup", 9, None, event_id="end", reason="no_answer")["duplicate"])
        self.assertNotIn("duplicate", first.post("hangup", 9, None, event_id="end", reason="no_answer"))
        self.assertEqual((first.call().state, second.call().state), ("missed", "missed"))
        self.assertEqual(len(first.call().telephony_event_ids), 2)
        # In one batch too.
        third, fourth = EventPoster(self), EventPoster(self)
        answer = third.post_body([third.body("ringing", 0, "201", event_id="r"),
                                  fourth.body("ringing", 0, "201", event_id="r"),
                                  fourth.body("ringing", 0, "201", event_id="r")])
        self.assertEqual([r.get("duplicate", False) for r in answer["results"]], [False, False, True])
        self.assertEqual(len(third.call() | fourth.call()), 2)

    def test_recordings_only_of_known_audio_types(self):
        data = base64.b64encode(WAV).decode()
        pbx = EventPoster(self)
        pbx.post("ringing", 0, "201")
        pbx.post("hangup", 9, None, reason="no_answer")
        for content_type in ("audio/wav\r\nX-Injected: 1", "audio/wav; codecs=1", "text/html", "audio/x-evil",
                             "audio/", "image/svg+xml", "audio/wav\n", "application/octet-stream"):
            audio = {"name": "vm.wav", "content_type": content_type, "data_base64": data}
            self.assertIn("content_type", self.refused(pbx, pbx.body("voicemail", 10, None, recording=audio)))
        self.assertFalse(pbx.call().recording_id)
        for second, content_type in ((10, "audio/mpeg"), (11, "Audio/WAV")):
            audio = {"name": "vm", "content_type": content_type, "data_base64": data}
            pbx.post("voicemail", second, None, recording=audio)
        self.assertEqual(pbx.call().recording_id.mimetype, "audio/wav")

    def test_odd_numbers_and_ids_are_answered_without_a_server_error(self):
        for number in ("+", "ext. 12", "\uff0b\uff18\uff11\u3000\uff13", "\u0663\u0663\u0663", "1" * 64,
                       "+999999999999999999999", "\U0001f4de", "0", "*#31#"):
            pbx = EventPoster(self, number=number)
            response = self.url_open("/telephony/v1/events", data=json.dumps(pbx.body("ringing", 0, "201")),
                                     headers=self.headers())
            self.assertIn(response.status_code, (200, 400), (number, response.text))
        for call_id in ("\U0001f4de", "a|b", "ü" * 128):
            pbx = EventPoster(self, call_id=call_id)
            self.assertNotIn("duplicate", pbx.post("ringing", 0, "201", event_id=None))
            self.assertEqual(len(pbx.call()), 1, call_id)


@tagged("post_install", "-at_install")
class TestLifecycleCaller(TelephonyWorldMixin, TransactionCase):
    """The lifecycle applies events for superuser code and the line they came on only: a user's environment, a
    context key or a record of another kind are refused with an error, not an assertion."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = parse_event(EventPoster(cls, call_id="caller-check").body("ringing", 0, "201"))

    def calls(self):
        return self.env["crm.call"].search([("external_ref", "=", "caller-check")])

    def test_a_users_environment_applies_no_event_whatever_its_context(self):
        for context in ({}, {"telephony_event": True}):
            lifecycle = self.env["telephony.call.lifecycle"].with_user(self.agent).with_context(**context)
            with self.assertRaisesRegex(AccessError, "Only the phone system"):
                lifecycle._apply_event(self.line.with_user(self.agent), self.event)
            with self.assertRaisesRegex(AccessError, "Only the phone system"):
                lifecycle._receive_batch(self.line.with_user(self.agent), [self.event])
        self.assertFalse(self.calls())

    def test_events_apply_to_the_line_they_came_on_only(self):
        lifecycle = self.env["telephony.call.lifecycle"]
        other = self.env["telephony.line"].create({"name": "Other line"})
        for line in (self.line.browse(), self.agent.partner_id, self.line | other):
            with self.assertRaisesRegex(AccessError, "one phone line"):
                lifecycle._apply_event(line, self.event)
        self.assertFalse(self.calls())
        self.assertEqual(lifecycle._apply_event(self.line, self.event)["call_id"], self.calls().id)
