from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools.call_state import summarize
from ..tools.event_schema import EventError, event_key, parse_event

T0 = datetime(2024, 5, 6, 9, 0, 0)


def ev(event, second, extension=None, reason=None, leg=None):
    return {"event": event, "time": T0 + timedelta(seconds=second), "extension": extension, "reason": reason,
            "leg": leg}


@tagged("post_install", "-at_install")
class TestCallState(BaseCase):
    """The call's state is a function of the set of its events, whatever their order."""

    def test_every_order_of_the_same_events_gives_the_same_call(self):
        events = [ev("ringing", 0, "201"), ev("answered", 4, "201"), ev("hold", 10, "201"),
                  ev("unhold", 25, "201"), ev("hangup", 64, "201", "answered")]
        expected = summarize(events, "inbound")
        self.assertEqual((expected["state"], expected["duration"], expected["hold_duration"]), ("done", 60, 15))
        for shift in range(1, len(events)):
            self.assertEqual(summarize(events[shift:] + events[:shift], "inbound"), expected)
        self.assertEqual(summarize(list(reversed(events)), "inbound"), expected)

    def test_live_states(self):
        self.assertEqual(summarize([ev("ringing", 0, "201")], "inbound")["state"], "ringing")
        talking = summarize([ev("ringing", 0), ev("answered", 3, "201")], "inbound")
        self.assertEqual((talking["state"], talking["start"], talking["answer_extension"]),
                         ("in_progress", T0 + timedelta(seconds=3), "201"))
        holding = summarize([ev("answered", 3, "201"), ev("hold", 9)], "inbound")
        self.assertEqual((holding["state"], holding["hold_started_at"]), ("on_hold", T0 + timedelta(seconds=9)))

    def test_hangup_while_on_hold_counts_the_hold_until_the_hangup(self):
        summary = summarize([ev("answered", 0, "201"), ev("hold", 10), ev("hangup", 30, None, "answered")], "outbound")
        self.assertEqual((summary["state"], summary["hold_duration"], summary["duration"]), ("done", 20, 30))

    def test_unanswered_calls(self):
        self.assertEqual(summarize([ev("ringing", 0), ev("hangup", 20, None, "cancel")], "inbound")["state"], "missed")
        busy = summarize([ev("ringing", 0), ev("hangup", 2, None, "busy")], "outbound")
        self.assertEqual((busy["state"], busy["result"]), ("done", "busy"))
        failed = summarize([ev("hangup", 2, None, "failed")], "outbound")
        self.assertEqual((failed["state"], failed["result"], failed["end_reason"]),
                         ("done", "not_connected", "customer_failed"))
        voicemail = summarize([ev("ringing", 0), ev("voicemail", 20), ev("hangup", 50, None, "answered")], "inbound")
        self.assertEqual(voicemail["state"], "missed")

    def test_event_validation(self):
        body = {"event": "ringing", "call_id": "c1", "direction": "inbound", "from": "+48221234567",
                "to": "100", "extension": "201", "time": "2024-05-06T11:00:00.123+02:00"}
        parsed = parse_event(body)
        self.assertEqual(parsed["time"], T0 + timedelta(milliseconds=123), "kept to the millisecond")
        self.assertEqual(event_key(parsed), "ev:ringing|2024-05-06T09:00:00|201", "deduplicated to the second")
        self.assertEqual(event_key(parse_event(dict(body, event_id="e-1"))), "id:e-1")
        self.assertEqual(parse_event(dict(body, time="2024-05-06T09:00:00Z"))["time"], T0)
        for broken in ({"time": "soon"}, {"event": "boom"}, {"direction": "sideways"}, {"call_id": ""},
                       {"call_id": "x" * 200}, {"extension": 201}, {"event": "hangup", "leg": "both"},
                       {"event": "hangup", "leg": 1}):
            with self.assertRaises(EventError):
                parse_event(dict(body, **broken))

    def test_durations_are_computed_from_the_milliseconds(self):
        answered, hangup = T0 + timedelta(milliseconds=980), T0 + timedelta(seconds=6)
        summary = summarize([
            {"event": "ringing", "time": T0 - timedelta(seconds=4, milliseconds=500), "extension": "201",
             "reason": None, "leg": None},
            {"event": "answered", "time": answered, "extension": "201", "reason": None, "leg": None},
            {"event": "hangup", "time": hangup, "extension": "201", "reason": "answered", "leg": None},
        ], "inbound")
        self.assertEqual((summary["duration"], summary["exact_duration"]), (5, 5.02), "5.02 s of talk is 5 s, not 6")
        self.assertEqual(summary["exact_ring_duration"], 5.48)
        self.assertEqual((summary["answered_at"], summary["ended_at"]),
                         (T0 + timedelta(seconds=1), T0 + timedelta(seconds=6)), "times kept to the nearest second")
        held = summarize([ev("answered", 0, "201"), ev("hold", 1.25), ev("unhold", 3.5),
                          ev("hangup", 10.75, None, "answered")], "outbound")
        self.assertEqual((held["exact_hold_duration"], held["hold_duration"]), (2.25, 2))
        self.assertEqual((held["exact_duration"], held["duration"]), (10.75, 11), "halves and above round up")
        self.assertEqual(held["hold_started_at"], None)

    def test_click_to_dial_that_never_connected_says_which_phone(self):
        placed = T0 - timedelta(seconds=30)
        for leg, reason, end_reason, result in [
            ("agent", "no_answer", "agent_no_answer", "not_connected"),
            ("agent", "busy", "agent_busy", "not_connected"),
            ("agent", "congestion", "agent_unreachable", "not_connected"),
            ("agent", "failed", "agent_unreachable", "not_connected"),
        ]:
            summary = summarize([ev("hangup", 0, "201", reason, leg)], "outbound", placed_at=placed)
            self.assertEqual((summary["state"], summary["duration"], summary["answered_at"], summary["start"]),
                             ("done", 0, None, placed), f"{leg} {reason}: not connected, kept at the dial time")
            self.assertEqual((summary["end_reason"], summary["result"]), (end_reason, result), f"{leg} {reason}")
            self.assertEqual(summary["exact_ring_duration"], 30.0, "my phone rang from the dial to the hangup")
        for reason, end_reason, result in [
            ("no_answer", "customer_no_answer", "no_answer"),
            ("busy", "customer_busy", "busy"),
            ("congestion", "customer_unreachable", "not_connected"),
            ("failed", "customer_failed", "not_connected"),
            ("cancel", "customer_cancelled", "no_answer"),
        ]:
            for leg in ("customer", None):
                summary = summarize([ev("ringing", 0, "201"), ev("hangup", 25, "201", reason, leg)], "outbound",
                                    placed_at=placed)
                self.assertEqual((summary["state"], summary["duration"], summary["end_reason"], summary["result"]),
                                 ("done", 0, end_reason, result), f"customer {reason} (leg {leg})")
                self.assertEqual(summary["exact_ring_duration"], 25.0, "the customer's phone rang for 25 s")
        ringing = summarize([ev("ringing", 0, "201")], "outbound", placed_at=placed)
        self.assertEqual((ringing["state"], ringing["start"], ringing["end_reason"]), ("ringing", placed, None))
        answered = summarize([ev("ringing", 0, "201"), ev("answered", 8, "201"),
                              ev("hangup", 20, "201", "answered", "customer")], "outbound", placed_at=placed)
        self.assertEqual((answered["start"], answered["duration"], answered["end_reason"], answered["result"]),
                         (T0 + timedelta(seconds=8), 12, None, None))
