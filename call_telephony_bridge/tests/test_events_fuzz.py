import itertools
import json
import time
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import HttpCase, tagged

from ..tools.call_state import summarize
from ..tools.event_schema import HANGUP_REASONS, derive_reason, event_key, parse_event
from .common import CUSTOMER_NUMBER, LINE_NUMBER, LINE_TOKEN, setup_telephony_world

KINDS = ("ringing", "answered", "hold", "unhold", "hangup")
CALLS_PER_EXAMPLE = 3
T0 = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0, tzinfo=None)

# What a broken or hostile PBX may send instead of an event: each one must be refused alone with 400.
MALFORMED = (
    {"time": "9999-12-31T23:59:59-05:00"},
    {"time": "0001-01-01T00:00:00+01:00"},
    {"time": 1e308},
    {"call_id": "x\x00y"},
    {"from": "\ud800"},
    {"extension": "20\r\n1"},
    {"nested": json.loads("[" * 30 + "]" * 30)},
    {"event": ["ringing"]},
    {"event": "exploded"},
    {"direction": {"in": 1}},
    {"event_id": 10**40},
    {"event": "hangup", "reason": "bored"},
    {"call_id": "c" * 200},
    {"event": "voicemail", "recording": {"name": "v.wav", "content_type": "audio/wav\r\nX: 1",
                                         "data_base64": "UklGRg=="}},
)

valid_events = st.fixed_dictionaries({
    "call": st.integers(0, CALLS_PER_EXAMPLE - 1),
    "event": st.sampled_from(KINDS),
    "second": st.integers(0, 90),
    "extension": st.sampled_from([None, "201", "202", "999"]),
    "reason": st.sampled_from((None, *HANGUP_REASONS)),
    "event_id": st.sampled_from([None, None, "e1", "e2", "e3"]),
})
any_event = st.one_of(
    valid_events.map(lambda spec: (spec, None)),
    st.tuples(valid_events, st.sampled_from(range(len(MALFORMED)))),
)
# A request is one event or a batch; events repeat within and across requests, as a retrying PBX does.
exchanges_strategy = st.lists(
    st.one_of(any_event.map(lambda e: [e]).map(lambda events: ("single", events)),
              st.lists(any_event, min_size=1, max_size=6).map(lambda events: ("batch", events))),
    min_size=1, max_size=5,
)


@tagged("post_install", "-at_install")
class TestEventsFuzz(HttpCase):
    """Random sequences of good, repeated and malformed events over real HTTP: never a 5xx, one call per PBX call
    id, and each call as its events describe it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_telephony_world(cls.env)
        cls.examples = itertools.count()

    def setUp(self):
        super().setUp()
        self.started = time.monotonic()

    def body(self, prefix, spec, malformed):
        direction = "inbound" if spec["call"] % 2 == 0 else "outbound"
        parties = (CUSTOMER_NUMBER, LINE_NUMBER) if direction == "inbound" else (LINE_NUMBER, CUSTOMER_NUMBER)
        body = {"event": spec["event"], "call_id": f"{prefix}-{spec['call']}", "direction": direction,
                "from": parties[0], "to": parties[1], "extension": spec["extension"],
                "time": (T0 + timedelta(seconds=spec["second"])).isoformat() + "Z"}
        if spec["event_id"]:
            body["event_id"] = spec["event_id"]
        if spec["reason"] and spec["event"] == "hangup":
            body["reason"] = spec["reason"]
        if malformed is not None:
            body.update(MALFORMED[malformed])
        return body

    def post(self, payload):
        response = self.url_open("/telephony/v1/events", data=json.dumps(payload), timeout=30, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {LINE_TOKEN}"})
        self.assertLess(response.status_code, 500, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"), response.text)
        return response

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(exchanges_strategy)
    def test_random_events_never_fail_the_server_and_give_consistent_calls(self, exchanges):
        if time.monotonic() - self.started > 55:
            return  # the suite's time budget: the examples already run stand
        prefix = f"fz{next(self.examples)}"
        history, seen, directions = {}, set(), {}
        for kind, events in exchanges:
            bodies = [self.body(prefix, spec, malformed) for spec, malformed in events]
            response = self.post(bodies[0] if kind == "single" else bodies)
            statuses = [response.status_code] if kind == "single" else [
                result["status"] for result in response.json()["results"]]
            for body, (_spec, malformed), status in zip(bodies, events, statuses, strict=True):
                if malformed is not None:
                    self.assertEqual(status, 400, body)
                    continue
                self.assertEqual(status, 200, body)
                parsed = parse_event(body)
                ref = parsed["call_id"]
                key = (ref, event_key(parsed))
                if key in seen:
                    continue
                seen.add(key)
                events_of_call = history.setdefault(ref, [])
                directions.setdefault(ref, parsed["direction"])
                events_of_call.append({"event": parsed["event"], "time": parsed["time"],
                                       "extension": parsed["extension"],
                                       "reason": derive_reason(parsed, events_of_call)})
        self.env.invalidate_all()
        for number in range(CALLS_PER_EXAMPLE):
            ref = f"{prefix}-{number}"
            calls = self.env["crm.call"].search([("external_ref", "=", ref)])
            self.assertEqual(len(calls), 1 if ref in history else 0, ref)
            if ref not in history:
                continue
            expected = summarize(history[ref], directions[ref])
            self.assertEqual(
                (calls.state, calls.duration, calls.hold_duration, calls.answered_at or None),
                (expected["state"], expected["duration"], expected["hold_duration"], expected["answered_at"]),
                (ref, history[ref]))
            self.assertEqual(len(calls.telephony_event_ids), len(history[ref]), ref)
