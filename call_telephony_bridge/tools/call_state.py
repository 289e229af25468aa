"""What a call is, derived from all the events seen of it: a plain function, no ORM.

Events may arrive twice or in any order (a hangup before its ringing, an answer after
the hangup); the state is always recomputed from the whole set, so the order of arrival
never changes the result.
"""

from odoo.addons.call_logging.tools.call_duration import MAX_DURATION

# Events of the same second are read in the order a call lives them.
EVENT_RANK = {"ringing": 0, "answered": 1, "hold": 2, "unhold": 3, "recording": 4, "voicemail": 4, "hangup": 5}


def _seconds(start, end):
    return max(int((end - start).total_seconds()), 0)


def summarize(events, direction):
    """The call as the events describe it.

    ``events`` are dicts with ``event``, ``time`` (naive UTC datetime), ``extension`` and
    ``reason``. Returns a dict: ``state``, ``start`` (answer time once answered, else the
    first event's time), ``answered_at``, ``answer_extension`` (the last extension that
    answered), ``ring_extensions`` (in order), ``ended_at``, ``duration`` (seconds from the
    answer to the hangup), ``hold_duration``, ``hold_started_at`` and ``result``
    (``"no_answer"`` or ``"busy"`` for an unanswered outbound call, else None).
    """
    ordered = sorted(events, key=lambda e: (e["time"], EVENT_RANK[e["event"]]))
    first_time = ordered[0]["time"]
    answers = [e for e in ordered if e["event"] == "answered"]
    hangups = [e for e in ordered if e["event"] == "hangup"]
    voicemail = any(e["event"] == "voicemail" for e in ordered)
    ended_at = hangups[0]["time"] if hangups else None
    reason = hangups[0]["reason"] if hangups else None
    # A hangup saying "answered" counts even before its answer event arrives; a voicemail box is no answer.
    answered = bool(answers) or (reason == "answered" and not voicemail)
    answered_at = answers[0]["time"] if answers else None

    hold_total, holding_since = 0, None
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

    result = None
    duration = 0
    if ended_at:
        if answered:
            state = "done"
            duration = _seconds(answered_at or first_time, ended_at)
        elif direction == "inbound":
            state = "missed"
        else:
            state = "done"
            result = "busy" if reason == "busy" else "no_answer"
    elif answered:
        state = "on_hold" if holding_since is not None else "in_progress"
    else:
        state = "ringing"
    duration = min(duration, MAX_DURATION)
    return {
        "state": state,
        "start": answered_at or first_time,
        "answered_at": answered_at,
        "answer_extension": next((e["extension"] for e in reversed(answers) if e["extension"]), None),
        "ring_extensions": [e["extension"] for e in ordered if e["event"] == "ringing" and e["extension"]],
        "ended_at": ended_at,
        "duration": duration,
        "hold_duration": min(hold_total, duration) if ended_at else hold_total,
        "hold_started_at": holding_since,
        "result": result,
    }
