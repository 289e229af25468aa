"""Validation of the events the PBX bridge posts: plain functions, no ORM.

``parse_event`` turns a decoded JSON body into a normalized dict or raises
``EventError`` with a message fit for the 400 answer.
"""

import base64
import binascii
from datetime import UTC, datetime

EVENTS = ("ringing", "answered", "hold", "unhold", "hangup", "recording", "voicemail")
AUDIO_EVENTS = ("recording", "voicemail")
DIRECTIONS = ("inbound", "outbound")
HANGUP_REASONS = ("answered", "no_answer", "busy", "congestion", "cancel", "failed")
MAX_ID_LENGTH = 128
MAX_NUMBER_LENGTH = 64
MAX_NAME_LENGTH = 255
# Bodies larger than these are refused with 413 before they are parsed.
MAX_BODY_BYTES = 1024 * 1024
MAX_AUDIO_BODY_BYTES = 25 * 1024 * 1024
# A batch (a JSON array of events) holds at most this many.
MAX_BATCH_EVENTS = 500


class EventError(ValueError):
    """The body is not a valid telephony event; the message says why."""


def _text(body, key, max_length, required=True):
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise EventError(f"missing field: {key}")
        return None
    if not isinstance(value, str):
        raise EventError(f"field {key} must be a string")
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
    except ValueError:
        raise EventError("field time is not an ISO-8601 date and time")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # Odoo keeps datetimes to the second.
    return moment.replace(microsecond=0)


def _audio(body):
    audio = body.get("recording")
    if not isinstance(audio, dict):
        raise EventError("missing field: recording")
    name = _text(audio, "name", MAX_NAME_LENGTH)
    content_type = _text(audio, "content_type", MAX_NAME_LENGTH)
    if not content_type.startswith("audio/"):
        raise EventError("field recording.content_type must be an audio type")
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
    (naive UTC datetime), ``reason`` (hangup only) and ``recording`` (audio events only:
    ``name``, ``content_type``, ``data`` as bytes).
    """
    if not isinstance(body, dict):
        raise EventError("the body must be a JSON object")
    event = body.get("event")
    if event is None:
        raise EventError("missing field: event")
    if event not in EVENTS:
        raise EventError(f"unknown event type: {str(event)[:40]}")
    direction = body.get("direction")
    if direction is None:
        raise EventError("missing field: direction")
    if direction not in DIRECTIONS:
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
        "recording": None,
    }
    if event == "hangup":
        reason = body.get("reason")
        if reason is None:
            raise EventError("missing field: reason")
        if reason not in HANGUP_REASONS:
            raise EventError("field reason must be one of " + ", ".join(HANGUP_REASONS))
        parsed["reason"] = reason
    if event in AUDIO_EVENTS:
        parsed["recording"] = _audio(body)
    return parsed


def event_key(parsed):
    """The key an event is deduplicated on: its id, else what identifies it (call, kind, time, extension)."""
    if parsed["event_id"]:
        return "id:" + parsed["event_id"]
    moment = parsed["time"].isoformat()
    return f"ev:{parsed['call_id']}|{parsed['event']}|{moment}|{parsed['extension'] or ''}"


def other_party(parsed):
    """The customer's number: the caller of an inbound call, the callee of an outbound one."""
    return parsed["from"] if parsed["direction"] == "inbound" else parsed["to"]
