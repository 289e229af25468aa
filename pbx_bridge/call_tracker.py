"""Per-call state machines: ARI events in, our call events (to the spool) out.

One ``Call`` per phone call, keyed by its ``call_id`` (the ARI id of the
call's first leg). Inbound calls are routed step by step (ring-all within a
step), outbound click-to-dial calls are completed by dialling the customer.
Outcomes are decided from state ("was it ever answered?", the legs' final
``Dial`` status), never from a single cause code (samples README points
1-3 and 12). Every handler is idempotent: Asterisk repeats some events.
"""

import base64
import datetime
import logging
import threading
import uuid

import requests

from .ari_client import AriError
from .routing import RoutePlan

_logger = logging.getLogger(__name__)

FAILED_DIAL = {"BUSY": "busy", "CONGESTION": "congestion", "CHANUNAVAIL": "congestion"}
CAUSE_REASON = {17: "busy", 19: "no_answer", 34: "congestion"}
TRANSPORT_ERRORS = (AriError, requests.RequestException)


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
    """ARI recording names may not contain dots (samples README point 11)."""
    return f"{prefix}-{call_id.replace('.', '-')}"


class Leg:
    """A channel we originated for a call: an agent's phone or the customer's line."""

    def __init__(self, channel_id, extension, step):
        self.id = channel_id
        self.extension = extension
        self.step = step
        self.gone = False
        self.up = False
        self.rang = False
        self.final_status = None


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
        self.pending_recordings = {}
        self.ready_recordings = []

    def live_legs(self, step=None):
        """Legs still alive, optionally only those of one routing step."""
        return [leg for leg in self.legs.values() if not leg.gone and (step is None or leg.step == step)]


class CallTracker:
    """Turns the ARI event stream into call events and drives the calls through ARI REST."""

    def __init__(self, settings, rest, odoo, spool):
        self.settings = settings
        self.rest = rest
        self.odoo = odoo
        self.spool = spool
        self.calls = {}
        self._by_channel = {}
        self._by_recording = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ entry points

    def handle(self, event):
        """Process one ARI event (any thread); malformed events are logged and skipped."""
        handler = getattr(self, f"_on_{event.get('type')}", None)
        if handler is None:
            return
        try:
            with self._lock:
                handler(event)
        except (KeyError, TypeError, IndexError, AttributeError) as error:
            _logger.warning("skipped a malformed %s event (%s: %s)", event.get("type"), type(error).__name__, error)

    def reconcile(self, first_connection=False):
        """After (re)connecting: close out calls whose channels vanished while we were away."""
        try:
            live = {c["id"] for c in self.rest.channels()}
            bridges = self.rest.bridges()
        except TRANSPORT_ERRORS as error:
            _logger.warning("reconciliation skipped: ARI did not list channels (%s)", error)
            return
        with self._lock:
            for call in list(self.calls.values()):
                if call.ended:
                    self._retry_recordings(call)
                    continue
                if call.call_id not in live:
                    _logger.info("call %s ended while the events connection was down", call.call_id)
                    self._end(call, None)
                    continue
                for leg in call.live_legs():
                    if leg.id not in live:
                        self._leg_gone(call, leg, None, cause=None)
            known = {call.bridge_id for call in self.calls.values() if not call.ended}
            for bridge in bridges:
                name = bridge.get("name", "")
                if bridge["id"] not in known and not bridge.get("channels") and name.startswith(("call-", "c2d-")):
                    self._quietly(self.rest.destroy_bridge, bridge["id"])
        if not first_connection:
            _logger.info("reconciled: %d call(s) still followed", sum(not c.ended for c in self.calls.values()))

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
            self._start_click_to_dial(channel, args[1], event.get("timestamp"))
        elif kind == "clicktodial-customer":
            self._customer_answered(channel, args[1], event.get("timestamp"))
        else:
            _logger.info("channel %s entered Stasis with unknown args %s; left alone", channel["id"], args)

    def _on_Dial(self, event):
        peer = event["peer"]
        call = self._call_of(peer["id"])
        leg = call.legs.get(peer["id"]) if call else None
        if leg is None or call.ended:
            return
        status = event.get("dialstatus", "")
        if status == "RINGING" and not leg.rang:
            leg.rang = True
            if call.direction == "inbound":
                self._emit(call, "ringing", event.get("timestamp"), extension=leg.extension)
        elif status in FAILED_DIAL or status in ("NOANSWER", "CANCEL"):
            leg.final_status = status

    def _on_ChannelDestroyed(self, event):
        channel_id = event["channel"]["id"]
        call = self._call_of(channel_id)
        if call is None or call.ended:
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
        # Without subscribeAll nothing follows StasisEnd (point 5): it ends the leg.
        if channel_id == call.call_id or call.answer_leg is not None and channel_id == call.answer_leg.id:
            self._end(call, event.get("timestamp"))

    def _on_ChannelHold(self, event):
        self._hold(event, "hold")

    def _on_ChannelUnhold(self, event):
        self._hold(event, "unhold")

    def _on_RecordingFinished(self, event):
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
        _logger.info("inbound call %s from %s to %s", call.call_id, call.from_number, dialled)
        threading.Thread(target=self._route, args=(call,), name=f"route-{call.call_id}", daemon=True).start()

    def _route(self, call):
        answer = self.odoo.route(call.from_number, call.to_number, call.call_id)
        plan = RoutePlan.from_answer(answer, self.settings.default_extensions, self.settings.default_step_timeout)
        with self._lock:
            if call.ended:
                return
            call.plan = plan
            call.silent = plan.skip
            self._quietly(self.rest.ring, call.call_id)
            self._next_step(call)

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
        leg.up = True
        call.answered = True
        call.answer_leg = leg
        call.extension = leg.extension
        for other in call.live_legs():
            if other is not leg:
                self._quietly(self.rest.hangup, other.id)
        try:
            self.rest.answer(call.call_id)
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
            self._end(call, timestamp, reason)
            return
        if leg is call.answer_leg:
            self._end(call, timestamp)
        elif not call.answered and not call.voicemail and call.plan and not call.live_legs(call.step_index):
            self._next_step(call)

    def _fallback(self, call):
        call.exhausted = True
        if call.plan.fallback == "hangup":
            self._end(call, None, "no_answer")
            return
        call.voicemail = True
        try:
            self.rest.answer(call.call_id)
        except TRANSPORT_ERRORS as error:
            _logger.error("call %s: voicemail could not start (%s)", call.call_id, error)
            return
        self._record(call, "voicemail", "channels", call.call_id, recording_name("odoo-vm", call.call_id),
                     max_seconds=300)

    # ------------------------------------------------------------------ outbound

    def _start_click_to_dial(self, channel, number, timestamp):
        if channel["id"] in self.calls:
            return
        extension = channel.get("dialplan", {}).get("exten", "")
        call = Call(channel["id"], "outbound", extension, number)
        call.extension = extension
        self.calls[call.call_id] = call
        self._by_channel[call.call_id] = call.call_id
        _logger.info("click-to-dial %s: extension %s calls %s", call.call_id, extension, number)
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
            self.rest.originate(
                self.settings.outbound_endpoint.format(number=number), f"clicktodial-customer,{call.call_id}",
                timeout=30, originator=call.call_id, channel_id=leg.id,
            )
        except TRANSPORT_ERRORS as error:
            _logger.error("click-to-dial %s: could not dial %s (%s)", call.call_id, number, error)
            leg.gone = True
            self._end(call, None, "failed")

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

    def _end(self, call, timestamp, reason=None):
        """Close the call once: post its hangup, hang up what is left, free the bridge."""
        if call.ended:
            return
        call.ended = True
        if reason is None:
            reason = "answered" if call.answered else "no_answer" if call.exhausted else "cancel"
        self._emit(call, "hangup", timestamp, reason=reason)
        _logger.info("call %s ended: %s", call.call_id, reason)
        for channel_id in [call.call_id, *(leg.id for leg in call.live_legs())]:
            self._quietly(self.rest.hangup, channel_id)
        if call.bridge_id:
            self._quietly(self.rest.destroy_bridge, call.bridge_id)
        for name, kind in call.ready_recordings:
            self._deliver_recording(call, name, kind)
        call.ready_recordings.clear()
        self._forget_if_done(call)

    def _start_recording(self, call):
        if not self.settings.record_calls or not call.bridge_id:
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
        try:
            audio, content_type = self.rest.stored_recording(name)
        except TRANSPORT_ERRORS as error:
            _logger.error("call %s: recording %s could not be fetched (%s)", call.call_id, name, error)
            return
        self._emit(call, kind, None, recording={
            "name": name, "content_type": content_type or "audio/wav",
            "data_base64": base64.b64encode(audio).decode("ascii"),
        })
        self._by_recording.pop(name, None)
        self._forget_if_done(call)

    def _retry_recordings(self, call):
        for name, kind in list(call.pending_recordings.items()):
            call.pending_recordings.pop(name)
            self._deliver_recording(call, name, kind)

    def _forget_if_done(self, call):
        if call.ended and not call.pending_recordings and not call.ready_recordings:
            self.calls.pop(call.call_id, None)
            for channel_id in [call.call_id, *call.legs]:
                self._by_channel.pop(channel_id, None)

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

    @staticmethod
    def _quietly(action, *args):
        try:
            action(*args)
        except TRANSPORT_ERRORS as error:
            _logger.debug("%s%s failed: %s", action.__name__, args, error)
