from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools.call_state import summarize
from ..tools.event_schema import EventError, event_key, parse_event

T0 = datetime(2024, 5, 6, 9, 0, 0)


def ev(event, second, extension=None, reason=None):
    return {"event": event, "time": T0 + timedelta(seconds=second), "extension": extension, "reason": reason}


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
        self.assertEqual((failed["state"], failed["result"]), ("done", "no_answer"))
        voicemail = summarize([ev("ringing", 0), ev("voicemail", 20), ev("hangup", 50, None, "answered")], "inbound")
        self.assertEqual(voicemail["state"], "missed")

    def test_event_validation(self):
        body = {"event": "ringing", "call_id": "c1", "direction": "inbound", "from": "+48221234567",
                "to": "100", "extension": "201", "time": "2024-05-06T11:00:00.123+02:00"}
        parsed = parse_event(body)
        self.assertEqual(parsed["time"], T0)
        self.assertEqual(event_key(parsed), "ev:ringing|2024-05-06T09:00:00|201")
        self.assertEqual(event_key(parse_event(dict(body, event_id="e-1"))), "id:e-1")
        self.assertEqual(parse_event(dict(body, time="2024-05-06T09:00:00Z"))["time"], T0)
        for broken in ({"time": "soon"}, {"event": "boom"}, {"direction": "sideways"}, {"call_id": ""},
                       {"call_id": "x" * 200}, {"extension": 201}):
            with self.assertRaises(EventError):
                parse_event(dict(body, **broken))
