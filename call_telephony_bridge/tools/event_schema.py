"""Validation of the events the PBX bridge posts: plain functions, no ORM.

``parse_event`` turns a decoded JSON body into a normalized dict or raises
``EventError`` with a message fit for the 400 answer.
"""

import base64
import binascii
import json
import re
from datetime import UTC, datetime

EVENTS = ("ringing", "answered", "hold", "unhold", "hangup", "recording", "voicemail")
AUDIO_EVENTS = ("recording", "voicemail")
DIRECTIONS = ("inbound", "outbound")
HANGUP_REASONS = ("answered", "no_answer", "busy", "congestion", "cancel", "failed")
# The leg of an outbound call a hangup is about: the user's own phone (click-to-dial rings it first) or the customer.
LEGS = ("agent", "customer")
MAX_ID_LENGTH = 128
MAX_NUMBER_LENGTH = 64
MAX_NAME_LENGTH = 255
# Bodies larger than these are refused with 413 before they are parsed.
MAX_BODY_BYTES = 1024 * 1024
MAX_AUDIO_BODY_BYTES = 25 * 1024 * 1024
# A batch (a JSON array of events) holds at most this many.
MAX_BATCH_EVENTS = 500
# An event is a flat object with one small object inside (the recording): deeper nesting is refused.
MAX_DEPTH = 8
# Moments outside these bounds are a broken PBX clock, not a call; they also keep date arithmetic in range.
EARLIEST_TIME = datetime(1970, 1, 1)
LATEST_TIME = datetime(2200, 1, 1)
# The audio types a recording may have, exactly as named here (no parameters): the browser's player plays them.
AUDIO_CONTENT_TYPES = ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/mpeg", "audio/mp3",
                       "audio/ogg", "audio/opus", "audio/webm", "audio/flac", "audio/x-flac", "audio/aac",
                       "audio/mp4")
# PostgreSQL cannot store NUL, UTF-8 cannot encode a lone surrogate: neither may appear in any string.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Identifiers, numbers and names are single-line text.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class EventError(ValueError):
    """The body is not a valid telephony event; the message says why."""


def has_control(value):
    """True when ``value`` holds a control character (CR, LF, ...), which no identifier, number or name has."""
    return bool(_CONTROL.search(value))


def _text(body, key, max_length, required=True):
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise EventError(f"missing field: {key}")
        return None
    if not isinstance(value, str):
        raise EventError(f"field {key} must be a string")
    if _CONTROL.search(value):
        raise EventError(f"field {key} holds control characters")
    value = value.strip()
    if len(value) > max_length:
        raise EventError(f"field {key} is longer than {max_length} characters")
    if required and not value:
        raise EventError(f"missing field: {key}")
    return value or None


def parse_time(value):
    """An ISO-8601 moment as a naive UTC datetime (what Odoo stores); naive input counts as UTC."""
    if not isinstance(value, str) or not value:
        raise EventError("missing field: time")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        # An offset may push a valid moment out of the calendar (9999-12-31T23:59:59-05:00).
        raise EventError("field time is not an ISO-8601 date and time")
    if not EARLIEST_TIME <= moment < LATEST_TIME:
        raise EventError(f"field time must lie between {EARLIEST_TIME.year} and {LATEST_TIME.year}")
    # Kept to the microsecond: durations are computed from the precise times (5.02 s of talk is not 6 s).
    return moment


def _audio(body):
    audio = body.get("recording")
    if not isinstance(audio, dict):
        raise EventError("missing field: recording")
    name = _text(audio, "name", MAX_NAME_LENGTH)
    content_type = _text(audio, "content_type", MAX_NAME_LENGTH).lower()
    if content_type not in AUDIO_CONTENT_TYPES:
        raise EventError("field recording.content_type must be one of " + ", ".join(AUDIO_CONTENT_TYPES))
    data = audio.get("data_base64")
    if not isinstance(data, str) or not data:
        raise EventError("missing field: recording.data_base64")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise EventError("field recording.data_base64 is not valid base64")
    if not raw:
        raise EventError("field recording.data_base64 is empty")
    return {"name": name, "content_type": content_type, "data": raw}


def parse_event(body):
    """Validate a decoded event body and return it normalized.

    The result has the keys ``event``, ``event_id`` (None when absent), ``call_id``,
    ``direction``, ``from``, ``to``, ``extension`` (None when absent), ``time``
    (naive UTC datetime, to the microsecond), ``reason`` and ``leg`` (hangup only; None when
    absent) and ``recording`` (audio events only: ``name``, ``content_type``, ``data`` as bytes).
    """
    if not isinstance(body, dict):
        raise EventError("the body must be a JSON object")
    check_strings(body)
    event = body.get("event")
    if event is None:
        raise EventError("missing field: event")
    if not isinstance(event, str) or event not in EVENTS:
        raise EventError("unknown event type: " + (event[:40] if isinstance(event, str) else type(event).__name__))
    direction = body.get("direction")
    if direction is None:
        raise EventError("missing field: direction")
    if not isinstance(direction, str) or direction not in DIRECTIONS:
        raise EventError("field direction must be inbound or outbound")
    parsed = {
        "event": event,
        "event_id": _text(body, "event_id", MAX_ID_LENGTH, required=False),
        "call_id": _text(body, "call_id", MAX_ID_LENGTH),
        "direction": direction,
        "from": _text(body, "from", MAX_NUMBER_LENGTH),
        "to": _text(body, "to", MAX_NUMBER_LENGTH),
        "extension": _text(body, "extension", MAX_NUMBER_LENGTH, required=False),
        "time": parse_time(body.get("time")),
        "reason": None,
        "leg": None,
        "recording": None,
    }
    if event == "hangup":
        # Optional: without it the call's events tell whether it was answered (see ``derive_reason``).
        reason = body.get("reason")
        if reason is not None and (not isinstance(reason, str) or reason not in HANGUP_REASONS):
            raise EventError("field reason must be one of " + ", ".join(HANGUP_REASONS))
        parsed["reason"] = reason
        leg = body.get("leg")
        if leg is not None and (not isinstance(leg, str) or leg not in LEGS):
            raise EventError("field leg must be one of " + ", ".join(LEGS))
        parsed["leg"] = leg
    if event in AUDIO_EVENTS:
        parsed["recording"] = _audio(body)
    return parsed


def check_strings(body):
    """Refuse a body nested deeper than an event can be, or holding a string nothing can store."""
    stack = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise EventError("the body holds a NUL character or a lone surrogate")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise EventError(f"the body is nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((key, depth))
                stack.append((item, depth + 1))


def event_key(parsed):
    """The key an event is deduplicated on within its call: its id, else what identifies it (kind, time,
    extension). The ledger keys events per (company, call id, key): two calls may reuse an event id.
    The time counts to the second, as it always did, so that a retry keeps its key whatever the release."""
    if parsed["event_id"]:
        return "id:" + parsed["event_id"]
    moment = parsed["time"].replace(microsecond=0).isoformat()
    return f"ev:{parsed['event']}|{moment}|{parsed['extension'] or ''}"


def derive_reason(parsed, history):
    """A hangup's reason, derived when the PBX gave none: ``answered`` when the call's events (``history``,
    dicts with ``event``) hold an answer, else ``no_answer``."""
    if parsed["event"] != "hangup" or parsed["reason"]:
        return parsed["reason"]
    return "answered" if any(e["event"] == "answered" for e in history) else "no_answer"


def other_party(parsed):
    """The customer's number: the caller of an inbound call, the callee of an outbound one."""
    return parsed["from"] if parsed["direction"] == "inbound" else parsed["to"]


def _json_int(text):
    # No event field is a number: a huge one becomes an infinite float, refused like any wrong type, rather than
    # failing the decoding of a whole batch (Python refuses integers past 4300 digits).
    return int(text) if len(text) <= 64 else float(text)


def decode_json(text):
    """``json.loads`` for event bodies; raises ValueError (not JSON) or RecursionError (nested too deeply)."""
    return json.loads(text, parse_int=_json_int)


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def split_batch(text):
    """The entries of a JSON array, each decoded alone: a value, or an ``EventError`` for an entry that is not
    JSON or nests deeper than the decoder goes. None when ``text`` is not an array.

    Used only when the whole array could not be decoded at once, so that one abusive entry of a batch is
    refused alone.
    """
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    entries, depth, start = [], 0, None
    for match in _JSON_TOKENS.finditer(stripped):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == 1:
                start = match.end()
        elif token in "]}":
            depth -= 1
            if depth == 0:
                entries.append(stripped[start:match.start()])
                break
        elif token == "," and depth == 1:
            entries.append(stripped[start:match.start()])
            start = match.end()
    if depth != 0 or stripped[match.end():].strip():
        return None
    if len(entries) == 1 and not entries[0].strip():
        return []
    decoded = []
    for entry in entries:
        try:
            decoded.append(decode_json(entry))
        except (ValueError, RecursionError):
            decoded.append(EventError("the event is not valid JSON or is nested too deeply"))
    return decoded
