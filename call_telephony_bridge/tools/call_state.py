"""What a call is, derived from all the events seen of it: a plain function, no ORM.

Events may arrive twice or in any order (a hangup before its ringing, an answer after
the hangup); the state is always recomputed from the whole set, so the order of arrival
never changes the result.
"""

from datetime import timedelta

from odoo.addons.call_logging.tools.call_duration import MAX_DURATION

# Events of the same moment are read in the order a call lives them.
EVENT_RANK = {"ringing": 0, "answered": 1, "hold": 2, "unhold": 3, "recording": 4, "voicemail": 4, "hangup": 5}
# Why an outbound call never connected: (the leg that ended it, the hangup's reason) -> the end reason.
END_REASONS = {
    ("agent", "no_answer"): "agent_no_answer",
    ("agent", "cancel"): "agent_no_answer",
    ("agent", "busy"): "agent_busy",
    ("agent", "congestion"): "agent_unreachable",
    ("agent", "failed"): "agent_unreachable",
    ("customer", "no_answer"): "customer_no_answer",
    ("customer", "cancel"): "customer_cancelled",
    ("customer", "busy"): "customer_busy",
    ("customer", "congestion"): "customer_unreachable",
    ("customer", "failed"): "customer_failed",
}
# The result an end reason gives the call; the others are "not_connected".
END_REASON_RESULTS = {"customer_no_answer": "no_answer", "customer_cancelled": "no_answer", "customer_busy": "busy"}


def _seconds(start, end):
    """Seconds from ``start`` to ``end``, to the millisecond (what PBXs stamp); never negative."""
    return max(round((end - start).total_seconds(), 3), 0.0)


def whole_seconds(seconds):
    """``seconds`` rounded to the nearest whole second (halves up): 5.02 s is 5 s, 5.5 s is 6 s."""
    return int(seconds + 0.5)


def to_the_second(moment):
    """A moment rounded to the nearest second, as Odoo keeps datetimes; None stays None."""
    return moment and (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def summarize(events, direction, placed_at=None):
    """The call as the events describe it.

    ``events`` are dicts with ``event``, ``time`` (naive UTC datetime, to the microsecond),
    ``extension``, ``reason`` and ``leg`` (``agent``, ``customer`` or None: a hangup's leg,
    the customer's when not told). ``placed_at``: when Odoo asked the PBX to place the call
    (click-to-dial), before any event. Returns a dict:

    - ``state``; ``start`` (the answer time once answered, else ``placed_at``, else the first
      event's time), ``answered_at``, ``ended_at``, ``hold_started_at``: rounded to the second;
    - ``answer_extension`` (the last extension that answered), ``ring_extensions`` (in order);
    - ``duration``, ``hold_duration``: whole seconds from the answer to the hangup and on hold,
      rounded from ``exact_duration``, ``exact_hold_duration``, computed from the precise times;
      ``exact_ring_duration``: seconds from the first ring (else ``placed_at``) to the answer,
      else to the hangup;
    - ``end_reason`` (see ``END_REASONS``) and ``result`` (``no_answer``, ``busy`` or
      ``not_connected``) for an outbound call that never connected, else None.
    """
    ordered = sorted(events, key=lambda e: (e["time"], EVENT_RANK[e["event"]]))
    first_time = ordered[0]["time"]
    answers = [e for e in ordered if e["event"] == "answered"]
    hangups = [e for e in ordered if e["event"] == "hangup"]
    rings = [e for e in ordered if e["event"] == "ringing"]
    voicemail = any(e["event"] == "voicemail" for e in ordered)
    hangup = hangups[0] if hangups else None
    ended_at = hangup["time"] if hangup else None
    reason = hangup["reason"] if hangup else None
    # A hangup saying "answered" counts even before its answer event arrives; a voicemail box is no answer.
    answered = bool(answers) or (reason == "answered" and not voicemail)
    answered_at = answers[0]["time"] if answers else None

    hold_total, holding_since = 0.0, None
    for event in ordered:
        if ended_at and event["time"] > ended_at:
            break
        if event["event"] == "hold" and holding_since is None:
            holding_since = event["time"]
        elif event["event"] == "unhold" and holding_since is not None:
            hold_total += _seconds(holding_since, event["time"])
            holding_since = None
    if holding_since is not None and ended_at:
        hold_total += _seconds(holding_since, ended_at)
        holding_since = None

    result = end_reason = None
    duration = 0.0
    if ended_at:
        if answered:
            state = "done"
            duration = _seconds(answered_at or first_time, ended_at)
        elif direction == "inbound":
            state = "missed"
        else:
            state = "done"
            end_reason = END_REASONS.get((hangup.get("leg") or "customer", reason), "customer_no_answer")
            result = END_REASON_RESULTS.get(end_reason, "not_connected")
    elif answered:
        state = "on_hold" if holding_since is not None else "in_progress"
    else:
        state = "ringing"
    duration = min(duration, MAX_DURATION)
    hold = round(min(hold_total, duration) if ended_at else hold_total, 3)
    ring_from = rings[0]["time"] if rings else placed_at
    ring_to = answered_at or ended_at
    return {
        "state": state,
        "start": to_the_second(answered_at or placed_at or first_time),
        "answered_at": to_the_second(answered_at),
        "answer_extension": next((e["extension"] for e in reversed(answers) if e["extension"]), None),
        "ring_extensions": [e["extension"] for e in rings if e["extension"]],
        "ended_at": to_the_second(ended_at),
        "duration": whole_seconds(duration),
        "hold_duration": whole_seconds(hold),
        "exact_duration": duration,
        "exact_hold_duration": hold,
        "exact_ring_duration": min(_seconds(ring_from, ring_to), MAX_DURATION) if ring_from and ring_to else 0.0,
        "hold_started_at": to_the_second(holding_since),
        "end_reason": end_reason,
        "result": result,
    }
