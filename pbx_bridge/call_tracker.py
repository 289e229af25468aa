"""Per-call state machines: ARI events in, our call events (to the spool) out.

One ``Call`` per phone call, keyed by its ``call_id`` (the ARI id of the
call's first leg). Inbound calls are routed step by step (ring-all within a
step), outbound click-to-dial calls are completed by dialling the customer.
Outcomes are decided from state ("was it ever answered?", the legs' final
``Dial`` status), never from a single cause code: one outcome comes with
several causes (a caller who gives up: 16, 19 or 127; a busy Local leg: 0).
Every handler is idempotent: Asterisk repeats some events.
"""

import base64
import datetime
import logging
import re
import threading
import time
import uuid

import requests

from .ari_client import AriError
from .routing import RoutePlan
from .wav_audio import checked_wav

_logger = logging.getLogger(__name__)

FAILED_DIAL = {"BUSY": "busy", "CONGESTION": "congestion", "CHANUNAVAIL": "congestion"}
CAUSE_REASON = {17: "busy", 19: "no_answer", 34: "congestion"}
TRANSPORT_ERRORS = (AriError, requests.RequestException)
# Odoo names the agent's channel of a click-to-dial call so: the bridge hears of it before it answers.
CLICK_TO_DIAL_PREFIX = "odoo-c2d-"
LOCAL_EXTENSION = re.compile(r"^Local/([^@]+)@")
# A recording Asterisk could not hand over (shutting down, restarting) is asked for again so long.
RECORDING_RETRY_FOR = 3600.0


def event_time(timestamp=None):
    """ARI's ``2026-11-24T18:31:24.654+0000`` as ISO-8601 UTC with offset (now when absent)."""
    if timestamp:
        try:
            moment = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%f%z")
            return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
        except (TypeError, ValueError):
            pass
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def recording_name(prefix, call_id):
    """A recording's name from its call's id: ARI refuses recording names with dots,
    and they become file names on the PBX, so only letters, digits, ``-`` and ``_`` are kept."""
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_-]", "-", call_id)


def dialled_digits(number):
    """A number as a trunk takes it: ``+`` and digits only, whatever spaces or dashes it was typed with."""
    number = (number or "").strip()
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"+{digits}" if number.startswith(("+", "00")) and digits else digits


class Leg:
    """A channel we originated for a call: an agent's phone or the customer's line."""

    FIELDS = ("id", "extension", "step", "gone", "up", "rang", "final_status", "handset")

    def __init__(self, channel_id, extension, step):
        self.id = channel_id
        self.extension = extension
        self.step = step
        self.gone = False
        self.up = False
        self.rang = False
        self.final_status = None
        self.handset = None  # the phone's own channel behind a Local leg, which reports the handset's hold

    def snapshot(self):
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_snapshot(cls, data):
        leg = cls(data["id"], data["extension"], data["step"])
        for name in cls.FIELDS[3:]:
            setattr(leg, name, data.get(name))
        return leg


class Call:
    """One phone call as the bridge follows it."""

    def __init__(self, call_id, direction, from_number, to_number, caller_name=""):
        self.call_id = call_id
        self.direction = direction
        self.from_number = from_number
        self.to_number = to_number
        self.caller_name = caller_name
        self.extension = None
        self.legs = {}
        self.plan = None
        self.step_index = -1
        self.answered = False
        self.answer_leg = None
        self.voicemail = False
        self.exhausted = False
        self.ended = False
        self.silent = False
        self.bridge_id = None
        self.caller_id = None
        self.voicemail_playback = None
        self.pending_recordings = {}
        self.ready_recordings = []
        self.unfetched = {}  # recordings Asterisk did not hand over yet: name -> [kind, first failure]

    def live_legs(self, step=None):
        """Legs still alive, optionally only those of one routing step."""
        return [leg for leg in self.legs.values() if not leg.gone and (step is None or leg.step == step)]

    SCALARS = ("call_id", "direction", "from_number", "to_number", "caller_name", "extension", "step_index",
               "answered", "voicemail", "exhausted", "ended", "silent", "bridge_id", "caller_id",
               "voicemail_playback", "pending_recordings", "ready_recordings", "unfetched")

    def snapshot(self):
        """Everything needed to follow this call again after a restart, as JSON-able values."""
        data = {name: getattr(self, name) for name in self.SCALARS}
        data["legs"] = [leg.snapshot() for leg in self.legs.values()]
        data["answer_leg"] = self.answer_leg.id if self.answer_leg else None
        data["plan"] = self.plan.snapshot() if self.plan else None
        return data

    @classmethod
    def from_snapshot(cls, data):
        call = cls(data["call_id"], data["direction"], data["from_number"], data["to_number"], data["caller_name"])
        for name in cls.SCALARS[5:]:
            setattr(call, name, data.get(name))
        call.ready_recordings = [tuple(item) for item in call.ready_recordings or []]
        call.pending_recordings = call.pending_recordings or {}
        call.unfetched = call.unfetched or {}
        call.legs = {leg["id"]: Leg.from_snapshot(leg) for leg in data.get("legs", [])}
        call.answer_leg = call.legs.get(data.get("answer_leg"))
        call.plan = RoutePlan.from_snapshot(data["plan"]) if data.get("plan") else None
        return call


class CallTracker:
    """Turns the ARI event stream into call events and drives the calls through ARI REST."""

    def __init__(self, settings, rest, odoo, spool, store=None):
        self.settings = settings
        self.rest = rest
        self.odoo = odoo
        self.spool = spool
        self.store = store
        self.calls = {}
        self._by_channel = {}
        self._by_recording = {}
        self._by_playback = {}
        self._unstarted_dials = {}  # click-to-dial agent channels not in Stasis yet: id -> last Dial status
        self._saved = {}
        self._lock = threading.RLock()
        self._restore()

    # ------------------------------------------------------------------ entry points

    def handle(self, event):
        """Process one ARI event (any thread); malformed events are logged and skipped."""
        handler = getattr(self, f"_on_{event.get('type')}", None)
        if handler is None:
            return
        try:
            with self._lock:
                handler(event)
                self._save_changes()
        except (KeyError, TypeError, IndexError, AttributeError) as error:
            _logger.warning("skipped a malformed %s event (%s: %s)", event.get("type"), type(error).__name__, error)

    def reconcile(self, first_connection=False, lost_at=None):
        """After (re)connecting: close out what ended while we were not listening, then follow the rest.

        ``lost_at`` is when the events connection broke (ARI timestamp format or ISO); calls found gone
        ended then at the latest, which is nearer the truth than the moment we noticed."""
        try:
            channels = self.rest.channels()
            bridges = self.rest.bridges()
        except TRANSPORT_ERRORS as error:
            _logger.warning("reconciliation skipped: ARI did not list channels (%s)", error)
            return
        live = {c["id"] for c in channels}
        with self._lock:
            for call in list(self.calls.values()):
                self._reconcile_call(call, live, lost_at)
            self._clean_orphans(channels, bridges, live)
            self._save_changes()
        if not first_connection or self.calls:
            _logger.info("reconciled: %d call(s) still followed", sum(not c.ended for c in self.calls.values()))

    def tick(self):
        """Periodic work (every few seconds): ask again for recordings Asterisk could not hand over."""
        with self._lock:
            for call in list(self.calls.values()):
                if call.unfetched:
                    self._retry_recordings(call)
            self._save_changes()

    # ------------------------------------------------------------------ ARI events

    def _on_StasisStart(self, event):
        channel = event["channel"]
        args = event.get("args") or []
        kind = args[0] if args else "inbound"
        if kind == "inbound":
            self._start_inbound(channel, args)
        elif kind == "agent":
            self._agent_answered(channel, args[1], event.get("timestamp"))
        elif kind == "clicktodial-agent":
            self._unstarted_dials.pop(channel["id"], None)
            self._start_click_to_dial(channel, args[1], args[2] if len(args) > 2 else None, event.get("timestamp"))
        elif kind == "clicktodial-customer":
            self._customer_answered(channel, args[1], event.get("timestamp"))
        else:
            _logger.info("channel %s entered Stasis with unknown args; left alone", channel["id"])

    def _on_Dial(self, event):
        peer = event["peer"]
        call = self._call_of(peer["id"])
        leg = call.legs.get(peer["id"]) if call else None
        if leg is None:
            self._note_handset(event)
            if call is None and self._is_unstarted_click_to_dial(peer["id"]):
                self._unstarted_dials[peer["id"]] = event.get("dialstatus") or self._unstarted_dials.get(peer["id"])
            return
        if call.ended:
            return
        status = event.get("dialstatus", "")
        if status == "RINGING" and not leg.rang:
            leg.rang = True
            if call.direction == "inbound":
                self._emit(call, "ringing", event.get("timestamp"), extension=leg.extension)
        elif status in FAILED_DIAL or status in ("NOANSWER", "CANCEL"):
            leg.final_status = status

    def _on_ChannelDestroyed(self, event):
        channel = event["channel"]
        channel_id = channel["id"]
        call = self._call_of(channel_id)
        if call is None:
            if channel_id in self._unstarted_dials:
                self._agent_phone_failed(channel, self._unstarted_dials.pop(channel_id), event)
            return
        if call.ended:
            return
        if channel_id == call.call_id:
            self._end(call, event.get("timestamp"))
        elif channel_id in call.legs:
            self._leg_gone(call, call.legs[channel_id], event.get("timestamp"), event.get("cause"))

    def _on_StasisEnd(self, event):
        channel_id = event["channel"]["id"]
        call = self._call_of(channel_id)
        if call is None or call.ended:
            return
        # Without subscribeAll a channel sends nothing after its StasisEnd: it ends the leg.
        if channel_id == call.call_id or call.answer_leg is not None and channel_id == call.answer_leg.id:
            self._end(call, event.get("timestamp"))

    def _on_ChannelHold(self, event):
        self._hold(event, "hold")

    def _on_ChannelUnhold(self, event):
        self._hold(event, "unhold")

    def _on_PlaybackFinished(self, event):
        call = self.calls.get(self._by_playback.pop(event["playback"]["id"], None))
        if call is not None and call.voicemail and not call.ended:
            call.voicemail_playback = None
            self._record(call, "voicemail", "channels", call.call_id, recording_name("odoo-vm", call.call_id),
                         max_seconds=300)

    def _on_RecordingFinished(self, event):
        self._recording_done(event)

    def _on_RecordingFailed(self, event):
        self._recording_done(event)

    def _recording_done(self, event):
        name = event["recording"]["name"]
        call = self.calls.get(self._by_recording.get(name))
        if call is None or name not in call.pending_recordings:
            return
        kind = call.pending_recordings.pop(name)
        if call.ended:
            self._deliver_recording(call, name, kind)
        else:
            call.ready_recordings.append((name, kind))

    # ------------------------------------------------------------------ inbound

    def _start_inbound(self, channel, args):
        if channel["id"] in self.calls:
            return
        caller = channel.get("caller") or {}
        dialled = args[1] if len(args) > 1 else channel.get("dialplan", {}).get("exten", "")
        call = Call(channel["id"], "inbound", caller.get("number", ""), dialled, caller.get("name", ""))
        self.calls[call.call_id] = call
        self._by_channel[call.call_id] = call.call_id
        # Numbers stay out of the log: the route may say this caller is on the exception list.
        _logger.info("inbound call %s", call.call_id)
        self._start_routing(call)

    def _start_routing(self, call):
        threading.Thread(target=self._route, args=(call,), name=f"route-{call.call_id}", daemon=True).start()

    def _route(self, call):
        answer = self.odoo.route(call.from_number, call.to_number, call.call_id)
        plan = RoutePlan.from_answer(answer, self.settings.default_extensions, self.settings.default_step_timeout)
        with self._lock:
            if call.ended or call.plan is not None:
                return
            call.plan = plan
            call.silent = plan.skip
            self._quietly(self.rest.ring, call.call_id)
            self._next_step(call)
            self._save_changes()

    def _next_step(self, call):
        while not call.ended:
            call.step_index += 1
            if call.step_index >= len(call.plan.steps):
                self._fallback(call)
                return
            step = call.plan.steps[call.step_index]
            for extension in step.extensions:
                self._ring_agent(call, extension, step.timeout)
            if call.live_legs(call.step_index):
                return

    def _ring_agent(self, call, extension, timeout):
        leg = Leg(str(uuid.uuid4()), extension, call.step_index)
        call.legs[leg.id] = leg
        self._by_channel[leg.id] = call.call_id
        caller_id = f'"{call.caller_name}" <{call.from_number}>' if call.caller_name else call.from_number
        try:
            self.rest.originate(
                self.settings.agent_endpoint.format(extension=extension), f"agent,{call.call_id}",
                caller_id=caller_id, timeout=timeout, originator=call.call_id, channel_id=leg.id,
            )
        except TRANSPORT_ERRORS as error:
            _logger.warning("call %s: could not ring extension %s (%s)", call.call_id, extension, error)
            leg.gone = True

    def _agent_answered(self, channel, call_id, timestamp):
        call = self.calls.get(call_id)
        leg = call.legs.get(channel["id"]) if call else None
        if call is None or leg is None or call.ended or call.answered or call.voicemail:
            self._quietly(self.rest.hangup, channel["id"])
            return
        try:
            self.rest.answer(call.call_id)
        except AriError as error:
            if error.status == 404:
                # The caller hung up as the agent answered; its ChannelDestroyed is still on its way (events
                # read late under load). Nobody talked: the call ends unanswered, the agent's phone is freed.
                _logger.info("call %s: the caller was gone when extension %s answered", call.call_id, leg.extension)
                self._end(call, timestamp)
                return
            _logger.error("call %s: could not answer the caller (%s)", call.call_id, error)
        except requests.RequestException as error:
            _logger.error("call %s: could not answer the caller (%s)", call.call_id, error)
        leg.up = True
        call.answered = True
        call.answer_leg = leg
        call.extension = leg.extension
        for other in call.live_legs():
            if other is not leg:
                self._quietly(self.rest.hangup, other.id)
        try:
            call.bridge_id = self.rest.create_bridge(f"call-{call.call_id}")["id"]
            self.rest.add_channels(call.bridge_id, [call.call_id, leg.id])
        except TRANSPORT_ERRORS as error:
            _logger.error("call %s: could not connect extension %s (%s)", call.call_id, leg.extension, error)
        self._emit(call, "answered", timestamp)
        self._start_recording(call)

    def _leg_gone(self, call, leg, timestamp, cause):
        if leg.gone:
            return
        leg.gone = True
        if call.direction == "outbound":
            reason = None if leg.up else FAILED_DIAL.get(leg.final_status) or CAUSE_REASON.get(cause, "failed")
            self._end(call, timestamp, reason, leg="customer")
            return
        if leg is call.answer_leg:
            self._end(call, timestamp)
        elif not call.answered and not call.voicemail and call.plan and not call.live_legs(call.step_index):
            self._next_step(call)

    def _fallback(self, call):
        call.exhausted = True
        if call.plan.fallback == "hangup" or call.silent:
            self._end(call, None, "no_answer")
            return
        call.voicemail = True
        try:
            self.rest.answer(call.call_id)
        except TRANSPORT_ERRORS as error:
            _logger.error("call %s: voicemail could not start (%s)", call.call_id, error)
            return
        self._start_voicemail_greeting(call)

    def _start_voicemail_greeting(self, call):
        """The greeting and the beep, then (on PlaybackFinished) the recording of the message."""
        media = [m.strip() for m in self.settings.voicemail_prompt.split(",") if m.strip()]
        if media:
            playback_id = str(uuid.uuid4())
            try:
                self.rest.play(call.call_id, media, playback_id)
            except TRANSPORT_ERRORS as error:
                _logger.warning("call %s: the voicemail greeting could not play (%s)", call.call_id, error)
            else:
                call.voicemail_playback = playback_id
                self._by_playback[playback_id] = call.call_id
                return
        self._record(call, "voicemail", "channels", call.call_id, recording_name("odoo-vm", call.call_id),
                     max_seconds=300)

    # ------------------------------------------------------------------ outbound

    def _is_unstarted_click_to_dial(self, channel_id):
        return channel_id.startswith(CLICK_TO_DIAL_PREFIX) and ";" not in channel_id

    def _agent_phone_failed(self, channel, dial_status, event):
        """The user's own phone of a click-to-dial call never answered: busy, no answer, unreachable."""
        match = LOCAL_EXTENSION.match(channel.get("name", ""))
        extension = match.group(1) if match else None
        number = (channel.get("caller") or {}).get("number", "")
        call = Call(channel["id"], "outbound", extension or "", number)
        call.extension = extension
        reason = FAILED_DIAL.get(dial_status) or CAUSE_REASON.get(event.get("cause"), "failed")
        call.ended = True
        self._emit(call, "hangup", event.get("timestamp"), reason=reason, leg="agent")
        _logger.info("click-to-dial %s: the user's phone did not connect (%s)", call.call_id, reason)

    def _start_click_to_dial(self, channel, number, caller_id, timestamp):
        if channel["id"] in self.calls:
            return
        extension = channel.get("dialplan", {}).get("exten", "")
        number = dialled_digits(number)
        call = Call(channel["id"], "outbound", extension, number)
        call.extension = extension
        call.caller_id = caller_id or self.settings.outbound_caller_id or None
        self.calls[call.call_id] = call
        self._by_channel[call.call_id] = call.call_id
        _logger.info("click-to-dial %s from extension %s", call.call_id, extension)
        try:
            call.bridge_id = self.rest.create_bridge(f"c2d-{call.call_id}")["id"]
            self.rest.add_channels(call.bridge_id, [call.call_id])
        except TRANSPORT_ERRORS as error:
            _logger.error("click-to-dial %s: no bridge (%s)", call.call_id, error)
        self._emit(call, "ringing", timestamp)
        leg = Leg(str(uuid.uuid4()), extension, 0)
        call.legs[leg.id] = leg
        self._by_channel[leg.id] = call.call_id
        try:
            # The customer sees the company's number, never his own (a real trunk would refuse that).
            self.rest.originate(
                self.settings.outbound_endpoint.format(number=number), f"clicktodial-customer,{call.call_id}",
                caller_id=call.caller_id, timeout=30, originator=call.call_id, channel_id=leg.id,
            )
        except TRANSPORT_ERRORS as error:
            _logger.error("click-to-dial %s: could not dial the customer (%s)", call.call_id, error)
            leg.gone = True
            self._end(call, None, "failed", leg="customer")

    def _customer_answered(self, channel, call_id, timestamp):
        call = self.calls.get(call_id)
        leg = call.legs.get(channel["id"]) if call else None
        if call is None or leg is None or call.ended:
            self._quietly(self.rest.hangup, channel["id"])
            return
        leg.up = True
        call.answered = True
        call.answer_leg = leg
        try:
            self.rest.add_channels(call.bridge_id, [leg.id])
        except TRANSPORT_ERRORS as error:
            _logger.error("click-to-dial %s: could not bridge the customer (%s)", call.call_id, error)
        self._emit(call, "answered", timestamp)
        self._start_recording(call)

    # ------------------------------------------------------------------ common

    def _end(self, call, timestamp, reason=None, **extra):
        """Close the call once: post its hangup, hang up what is left, free the bridge."""
        if call.ended:
            return
        call.ended = True
        if reason is None:
            reason = "answered" if call.answered else "no_answer" if call.exhausted else "cancel"
        self._emit(call, "hangup", timestamp, reason=reason, **extra)
        _logger.info("call %s ended: %s", call.call_id, reason)
        for channel_id in [call.call_id, *(leg.id for leg in call.live_legs())]:
            self._quietly(self.rest.hangup, channel_id)
        if call.bridge_id:
            self._quietly(self.rest.destroy_bridge, call.bridge_id)
        for name, kind in call.ready_recordings:
            self._deliver_recording(call, name, kind)
        call.ready_recordings = []
        self._forget_if_done(call)

    def _start_recording(self, call):
        # Exception-list calls leave no trace: neither events nor audio.
        if not self.settings.record_calls or not call.bridge_id or call.silent:
            return
        self._record(call, "recording", "bridges", call.bridge_id, recording_name("odoo-call", call.call_id))

    def _record(self, call, kind, target, target_id, name, **options):
        """Record a channel or bridge of ``call``; the file is posted as a ``kind`` event once it is finished."""
        try:
            self.rest.record(target, target_id, name, **options)
        except TRANSPORT_ERRORS as error:
            _logger.error("call %s: %s could not start (%s)", call.call_id, kind, error)
            return
        call.pending_recordings[name] = kind
        self._by_recording[name] = call.call_id

    def _deliver_recording(self, call, name, kind):
        """Fetch a finished recording, post it, then delete it from the PBX (disk, privacy)."""
        try:
            audio, _content_type = self.rest.stored_recording(name)
        except TRANSPORT_ERRORS as error:
            if isinstance(error, AriError) and error.status == 404:
                _logger.error("call %s: recording %s is not on the PBX; none posted", call.call_id, name)
                call.unfetched.pop(name, None)
                self._by_recording.pop(name, None)
                self._forget_if_done(call)
                return
            first_failure = call.unfetched.setdefault(name, [kind, time.time()])[1]
            if time.time() - first_failure > RECORDING_RETRY_FOR:
                _logger.error("call %s: recording %s could not be fetched for an hour (%s); given up",
                              call.call_id, name, error)
                call.unfetched.pop(name, None)
                self._by_recording.pop(name, None)
                self._forget_if_done(call)
            else:
                _logger.warning("call %s: recording %s could not be fetched (%s); trying again",
                                call.call_id, name, error)
            return
        call.unfetched.pop(name, None)
        self._by_recording.pop(name, None)
        wav = checked_wav(audio)
        if wav is None:
            _logger.error("call %s: recording %s holds no audio; none posted %r", call.call_id, name, audio[:64])
        else:
            self._emit(call, kind, None, recording={
                "name": f"{name}.wav", "content_type": "audio/wav",
                "data_base64": base64.b64encode(wav).decode("ascii"),
            })
        # The event is in the spool (durable) before the PBX's copy goes.
        self._quietly(self.rest.delete_stored_recording, name)
        self._forget_if_done(call)

    def _retry_recordings(self, call):
        for name, (kind, _first_failure) in list(call.unfetched.items()):
            self._deliver_recording(call, name, kind)

    def _forget_if_done(self, call):
        if call.ended and not call.pending_recordings and not call.ready_recordings and not call.unfetched:
            self.calls.pop(call.call_id, None)
            for channel_id in [call.call_id, *call.legs, *(leg.handset for leg in call.legs.values() if leg.handset)]:
                self._by_channel.pop(channel_id, None)
            if call.voicemail_playback:
                self._by_playback.pop(call.voicemail_playback, None)

    def _note_handset(self, event):
        """A Local leg of ours dialled a phone: follow that phone's channel too (its own hold and resume)."""
        caller = event.get("caller") or {}
        if not caller.get("id", "").endswith(";2"):
            return
        call = self._call_of(caller["id"][:-2])
        leg = call.legs.get(caller["id"][:-2]) if call else None
        if leg is not None and not leg.handset:
            leg.handset = event["peer"]["id"]
            self._by_channel[leg.handset] = call.call_id

    def _hold(self, event, kind):
        call = self._call_of(event["channel"]["id"])
        if call is not None and call.answered and not call.ended:
            self._emit(call, kind, event.get("timestamp"))

    def _call_of(self, channel_id):
        return self.calls.get(self._by_channel.get(channel_id))

    def _emit(self, call, kind, timestamp, extension=None, **extra):
        if call.silent:
            return
        event = {
            "event": kind,
            "event_id": str(uuid.uuid4()),
            "call_id": call.call_id,
            "direction": call.direction,
            "from": call.from_number,
            "to": call.to_number,
            "extension": extension or call.extension,
            "time": event_time(timestamp),
        }
        event.update(extra)
        self.spool.append(event)
        # The call's state goes to disk with what Odoo was just told, before any further ARI request:
        # a bridge killed meanwhile must not tell it again (a second hangup) nor forget it (an answer).
        if call.call_id in self.calls:
            self._save_call(call)

    # ------------------------------------------------------------------ restart and reconnection

    def _reconcile_call(self, call, live, lost_at):
        if call.ended:
            self._retry_recordings(call)
            return
        if call.call_id not in live:
            _logger.info("call %s ended while the bridge was not listening", call.call_id)
            # Its recording was cut with the call: whatever Asterisk stored is fetched now.
            for name, kind in list(call.pending_recordings.items()):
                call.pending_recordings.pop(name)
                call.ready_recordings.append((name, kind))
            self._end(call, lost_at)
            return
        for leg in call.live_legs():
            if leg.id not in live:
                self._leg_gone(call, leg, lost_at, cause=None)
        if call.ended:
            return
        if call.direction == "inbound" and call.plan is None:
            self._start_routing(call)  # the route was being asked when the bridge stopped
        elif call.voicemail and call.voicemail_playback and call.voicemail_playback not in self._by_playback:
            self._by_playback[call.voicemail_playback] = call.call_id

    def _clean_orphans(self, channels, bridges, live):
        """Bridges of ours no call owns any more (their calls were lost with an older spool): hang up, free."""
        known = {call.bridge_id for call in self.calls.values() if not call.ended}
        for bridge in bridges:
            name = bridge.get("name", "")
            if bridge["id"] in known or not name.startswith(("call-", "c2d-")):
                continue
            for channel_id in bridge.get("channels") or []:
                self._quietly(self.rest.hangup, channel_id)
            self._quietly(self.rest.destroy_bridge, bridge["id"])
        for channel_id in list(self._unstarted_dials):
            if channel_id not in live:
                self._unstarted_dials.pop(channel_id)

    def _restore(self):
        if self.store is None:
            return
        for snapshot in self.store.load():
            try:
                call = Call.from_snapshot(snapshot)
            except (KeyError, TypeError, ValueError) as error:
                _logger.warning("a call kept from before the restart could not be read (%s); dropped", error)
                continue
            self.calls[call.call_id] = call
            for channel_id in [call.call_id, *call.legs, *(leg.handset for leg in call.legs.values() if leg.handset)]:
                self._by_channel[channel_id] = call.call_id
            for name in [*call.pending_recordings, *(n for n, _ in call.ready_recordings), *call.unfetched]:
                self._by_recording[name] = call.call_id
            self._saved[call.call_id] = snapshot
        if self.calls:
            _logger.info("following again %d call(s) kept from before the restart", len(self.calls))

    def _save_changes(self):
        """Write the snapshot of every call that changed since the last save; drop those forgotten."""
        if self.store is None:
            return
        for call_id in [c for c in self._saved if c not in self.calls]:
            self.store.delete(call_id)
            del self._saved[call_id]
        for call in self.calls.values():
            self._save_call(call)

    def _save_call(self, call):
        if self.store is None:
            return
        snapshot = call.snapshot()
        if self._saved.get(call.call_id) != snapshot:
            self.store.save(call.call_id, snapshot)
            self._saved[call.call_id] = snapshot

    @staticmethod
    def _quietly(action, *args):
        try:
            action(*args)
        except TRANSPORT_ERRORS as error:
            _logger.debug("%s%s failed: %s", action.__name__, args, error)
