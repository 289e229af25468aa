"""Per-call state machines: ARI events in, our call events (to the spool) out.

One ``Call`` per phone call, keyed by its ``call_id`` (the ARI id of the
call's first leg). Inbound calls are routed step by step (ring-all within a
step); click-to-dial calls, ordered by Odoo (see ``dial_orders``), ring the
user's phone and are completed by dialling the customer.
Outcomes are decided from state ("was it ever answered?", the legs' final
``Dial`` status), never from a single cause code: one outcome comes with
several causes (a caller who gives up: 16, 19 or 127; a busy Local leg: 0).
Every handler is idempotent: Asterisk repeats some events.

Threads. The events thread only finds each event's call and queues the event on the
call's lane (``lanes.Lanes``): the events of one call are handled in arrival order,
different calls side by side, so a call whose ARI request, recording download, spool
write or store write is slow holds back nobody else. What the calls share - the call
table and the indexes from channels, recordings and playbacks to calls - is guarded
by one short lock, held to read or change those tables only, never across ARI, Odoo,
the spool or the store. A ``Call`` and its legs are changed by their own lane only.
A channel is indexed before anything can report about it (a leg before it is
originated, a handset as its ``Dial`` is queued), so its events find their lane.
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
from .lanes import Lanes
from .routing import RoutePlan
from .wav_audio import checked_wav

_logger = logging.getLogger(__name__)

FAILED_DIAL = {"BUSY": "busy", "CONGESTION": "congestion", "CHANUNAVAIL": "congestion"}
CAUSE_REASON = {17: "busy", 19: "no_answer", 34: "congestion"}
TRANSPORT_ERRORS = (AriError, requests.RequestException)
# How many times, a second apart, Odoo is told of a dial order that could not be placed before the bridge posts
# the call's hangup instead (through the spool, which loses nothing).
FAILURE_REPORT_TRIES = 3
LOCAL_EXTENSION = re.compile(r"^Local/([^@]+)@")
# A recording Asterisk could not hand over (shutting down, restarting) is asked for again so long.
RECORDING_RETRY_FOR = 3600.0
# The lane of the bridges no call owns any more, cleaned after a reconnection.
ORPHANS_LANE = "orphan-bridges"
MALFORMED = (KeyError, TypeError, IndexError, AttributeError)


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
        self.routing = False  # the route is being asked (not kept: a restarted bridge asks again)
        self.awaiting_agent = False  # click-to-dial: the user's own phone rings, the call is not in Stasis yet
        self.agent_dial_status = None  # the last Dial status of the user's phone while it rang

    def live_legs(self, step=None):
        """Legs still alive, optionally only those of one routing step."""
        return [leg for leg in self.legs.values() if not leg.gone and (step is None or leg.step == step)]

    SCALARS = ("call_id", "direction", "from_number", "to_number", "caller_name", "extension", "step_index",
               "answered", "voicemail", "exhausted", "ended", "silent", "bridge_id", "caller_id",
               "voicemail_playback", "pending_recordings", "ready_recordings", "unfetched", "awaiting_agent",
               "agent_dial_status")

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
        # Guarded by _lock, held for the table operations only, never across I/O:
        self.calls = {}
        self._by_channel = {}  # channel id -> call id: the call's own channel, its legs, their handsets
        self._legs = set()  # channel ids of the legs we originated
        self._by_recording = {}
        self._by_playback = {}
        self._lock = threading.Lock()
        # Each entry written by its call's lane only: what the store holds of the call.
        self._saved = {}
        self.lanes = Lanes("call")
        self._restore()

    # ------------------------------------------------------------------ entry points

    def handle(self, event):
        """Queue one ARI event on its call's lane (the events thread, in arrival order); malformed events are
        logged and skipped."""
        kind = event.get("type")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            return
        try:
            with self._lock:
                lane = self._lane_of(kind, event)
        except MALFORMED as error:
            self._malformed(event, error)
            return
        self.lanes.submit(lane, self._run_event, lane, handler, event)

    def reconcile(self, first_connection=False, lost_at=None):
        """After (re)connecting: close out what ended while we were not listening, then follow the rest.

        ``lost_at`` is when the events connection broke (ARI timestamp format or ISO); calls found gone
        ended then at the latest, which is nearer the truth than the moment we noticed. Each call is
        checked on its own lane, after the events it already had and before those still to come."""
        try:
            channels = self.rest.channels()
            bridges = self.rest.bridges()
        except TRANSPORT_ERRORS as error:
            _logger.warning("reconciliation skipped: ARI did not list channels (%s)", error)
            return
        live = {c["id"] for c in channels}
        with self._lock:
            # The busy lanes too: an event still queued there may be the start of a call.
            lanes = set(self.calls) | set(self.lanes.busy_keys())
            followed = sum(not c.ended for c in self.calls.values())
        for lane in sorted(lanes):
            self.lanes.submit(lane, self._reconcile_lane, lane, live, lost_at)
        self.lanes.submit(ORPHANS_LANE, self._clean_orphans, bridges)
        if not first_connection or followed:
            _logger.info("reconciling: %d call(s) still followed", followed)

    def place_order(self, order):
        """Place a click-to-dial order claimed from Odoo (``call_id``, ``extension``, ``number``, ``caller_id``),
        on the lane of its call; a malformed order is logged and skipped."""
        try:
            call_id = order["call_id"]
            if not all(isinstance(order[key], str) and order[key] for key in ("call_id", "extension", "number")):
                raise TypeError("call_id, extension and number must be text")
        except MALFORMED as error:
            _logger.warning("skipped a malformed dial order (%s: %s)", type(error).__name__, error)
            return
        self.lanes.submit(call_id, self._run_order, order)

    def tick(self):
        """Periodic work (every few seconds): ask again for recordings Asterisk could not hand over."""
        with self._lock:
            waiting = [call_id for call_id, call in self.calls.items() if call.unfetched]
        for call_id in waiting:
            self.lanes.submit(call_id, self._retry_lane, call_id)

    def wait_idle(self, timeout=None):
        """Wait until every lane has done its work (tests, a clean stop); True when all of it is done."""
        return self.lanes.wait_idle(timeout)

    def stop(self, timeout=10.0):
        """Take no more work; let the lanes finish what they have for up to ``timeout`` seconds."""
        if not self.lanes.stop(timeout):
            _logger.warning("stopping with calls still at work; the next start follows them again")

    # ------------------------------------------------------------------ lanes

    def _lane_of(self, kind, event):
        """The lane of an event: its call's id, else the id of what it is about (a call not started yet)."""
        if kind == "StasisStart":
            args = event.get("args") or []
            if args and args[0] in ("agent", "clicktodial-customer"):
                return args[1]
            return event["channel"]["id"]
        if kind == "Dial":
            peer = event["peer"]["id"]
            if peer in self._by_channel:
                return self._by_channel[peer]
            caller = (event.get("caller") or {}).get("id", "")
            leg = caller[:-2] if caller.endswith(";2") else None
            if leg in self._legs:
                # A Local leg of ours dials a phone: the phone's own channel (its hold and resume) is that call's
                # from this event on, whether or not the call's lane has got to it yet.
                self._by_channel[peer] = self._by_channel[leg]
                return self._by_channel[leg]
            return peer
        if kind == "PlaybackFinished":
            playback_id = event["playback"]["id"]
            return self._by_playback.get(playback_id, f"playback:{playback_id}")
        if kind in ("RecordingFinished", "RecordingFailed"):
            name = event["recording"]["name"]
            return self._by_recording.get(name, f"recording:{name}")
        channel_id = event["channel"]["id"]
        return self._by_channel.get(channel_id, channel_id)

    def _run_event(self, lane, handler, event):
        try:
            handler(event)
        except MALFORMED as error:
            self._malformed(event, error)
        self._persist(lane)

    @staticmethod
    def _malformed(event, error):
        _logger.warning("skipped a malformed %s event (%s: %s)", event.get("type"), type(error).__name__, error)

    def _reconcile_lane(self, lane, live, lost_at):
        call = self._get_call(lane)
        if call is not None:
            self._reconcile_call(call, live, lost_at)
        self._persist(lane)

    def _run_order(self, order):
        self._place_order(order)
        self._persist(order["call_id"])

    def _retry_lane(self, call_id):
        call = self._get_call(call_id)
        if call is not None and call.unfetched:
            self._retry_recordings(call)
        self._persist(call_id)

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
            self._start_click_to_dial(channel, event.get("timestamp"))
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
            if call is not None and call.awaiting_agent and peer["id"] == call.call_id:
                call.agent_dial_status = event.get("dialstatus") or call.agent_dial_status
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
        if call is None or call.ended:
            return
        if channel_id == call.call_id and call.awaiting_agent:
            self._agent_phone_failed(call, event.get("timestamp"), event.get("cause"))
        elif channel_id == call.call_id:
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
        with self._lock:
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
        with self._lock:
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
        caller = channel.get("caller") or {}
        dialled = args[1] if len(args) > 1 else channel.get("dialplan", {}).get("exten", "")
        call = Call(channel["id"], "inbound", caller.get("number", ""), dialled, caller.get("name", ""))
        if not self._add_call(call):
            return
        # Numbers stay out of the log: the route may say this caller is on the exception list.
        _logger.info("inbound call %s", call.call_id)
        self._start_routing(call)

    def _start_routing(self, call):
        """Ask Odoo for the route on a thread of its own (a slow Odoo holds back no call); the plan is then
        taken on the call's lane, in order with its events."""
        call.routing = True
        threading.Thread(target=self._ask_route, args=(call.call_id, call.from_number, call.to_number),
                         name=f"route-{call.call_id}", daemon=True).start()

    def _ask_route(self, call_id, from_number, to_number):
        answer = self.odoo.route(from_number, to_number, call_id)
        plan = RoutePlan.from_answer(answer, self.settings.default_extensions, self.settings.default_step_timeout,
                                     self.settings.ring_seconds)
        self.lanes.submit(call_id, self._take_plan, call_id, plan)

    def _take_plan(self, call_id, plan):
        call = self._get_call(call_id)
        if call is None:
            return
        call.routing = False
        if not call.ended and call.plan is None:
            call.plan = plan
            call.silent = plan.skip
            self._log_plan(call)
            self._quietly(self.rest.ring, call.call_id)
            self._next_step(call)
        self._persist(call_id)

    def _log_plan(self, call):
        """What Odoo decided, for the PBX's admin: nothing of an exception-list call (it leaves no trace)."""
        plan = call.plan
        if call.silent:
            return
        _logger.info("call %s routed: %s caller, %d step(s), then %s", call.call_id,
                     plan.caller_type or "unidentified", len(plan.steps), plan.fallback)
        for notice in plan.notices:
            _logger.warning("call %s: Odoo's routing notice: %s", call.call_id, notice)

    def _next_step(self, call):
        while not call.ended:
            call.step_index += 1
            if call.step_index >= len(call.plan.steps):
                self._fallback(call)
                return
            step = call.plan.steps[call.step_index]
            if not call.silent:
                _logger.info("call %s: step %d rings %s (%s, %s rings, %d s)", call.call_id, call.step_index + 1,
                             ",".join(step.extensions), step.target or "no target",
                             step.rings if step.rings else "?", step.timeout)
            for extension in step.extensions:
                self._ring_agent(call, extension, step.timeout)
            if call.live_legs(call.step_index):
                return

    def _ring_agent(self, call, extension, timeout):
        leg = Leg(str(uuid.uuid4()), extension, call.step_index)
        call.legs[leg.id] = leg
        self._index_leg(call, leg.id)
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
        call = self._get_call(call_id)
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
            # Indexed before it starts: its PlaybackFinished must find the call's lane.
            with self._lock:
                self._by_playback[playback_id] = call.call_id
            try:
                self.rest.play(call.call_id, media, playback_id)
            except TRANSPORT_ERRORS as error:
                _logger.warning("call %s: the voicemail greeting could not play (%s)", call.call_id, error)
                with self._lock:
                    self._by_playback.pop(playback_id, None)
            else:
                call.voicemail_playback = playback_id
                return
        self._record(call, "voicemail", "channels", call.call_id, recording_name("odoo-vm", call.call_id),
                     max_seconds=300)

    # ------------------------------------------------------------------ outbound

    def _place_order(self, order):
        """Ring the user's own phone for a click-to-dial order; the call is followed (and kept in the store)
        before the phone can answer, so that a restart still knows whom to dial."""
        call = Call(order["call_id"], "outbound", order["extension"], dialled_digits(order["number"]))
        call.extension = order["extension"]
        call.caller_id = order.get("caller_id") or self.settings.outbound_caller_id or None
        call.awaiting_agent = True
        if not self._add_call(call):
            return  # claimed twice: Odoo hands an order out once, so this is a replay
        self._save_call(call)
        _logger.info("click-to-dial %s: ringing extension %s", call.call_id, call.extension)
        try:
            self.rest.originate(
                self.settings.agent_endpoint.format(extension=call.extension), "clicktodial-agent",
                # The user's phone shows the number they are about to talk to.
                caller_id=call.to_number, timeout=self.settings.click_to_dial_ring_seconds, channel_id=call.call_id,
                # A channel originated from nothing would otherwise talk signed linear at 192 kHz, and every
                # leg bridged to it would be resampled: the phones' own codecs keep a call cheap for the PBX.
                formats="ulaw,alaw",
            )
        except TRANSPORT_ERRORS as error:
            self._order_failed(call, error)

    def _order_failed(self, call, error):
        """The PBX refused to ring the user's phone: Odoo gives the call back and says why; when Odoo cannot be
        told, the call's hangup goes through the spool instead, so that it never stays ringing."""
        _logger.error("click-to-dial %s: the PBX did not ring extension %s (%s)", call.call_id, call.extension, error)
        call.awaiting_agent = False
        reason = error.args[0] if isinstance(error, AriError) else f"the PBX cannot be reached ({type(error).__name__})"
        for attempt in range(FAILURE_REPORT_TRIES):
            if self.odoo.report_dial_failure(call.call_id, reason):
                call.ended = True
                self._forget_if_done(call)
                return
            time.sleep(attempt + 1)
        self._end(call, None, reason="failed", leg="agent")

    def _agent_phone_failed(self, call, timestamp, cause):
        """The user's own phone of a click-to-dial call never answered: busy, no answer, unreachable."""
        call.awaiting_agent = False
        reason = FAILED_DIAL.get(call.agent_dial_status) or CAUSE_REASON.get(cause, "failed")
        _logger.info("click-to-dial %s: the user's phone did not connect (%s)", call.call_id, reason)
        self._end(call, timestamp, reason=reason, leg="agent")

    def _start_click_to_dial(self, channel, timestamp):
        """The user picked up their own phone: bridge it, tell Odoo the call rings, dial the customer."""
        call = self._get_call(channel["id"])
        if call is None or not call.awaiting_agent or call.ended:
            _logger.info("channel %s entered Stasis for click-to-dial without an order; hung up", channel["id"])
            self._quietly(self.rest.hangup, channel["id"])
            return
        call.awaiting_agent = False
        try:
            call.bridge_id = self.rest.create_bridge(f"c2d-{call.call_id}")["id"]
            self.rest.add_channels(call.bridge_id, [call.call_id])
        except TRANSPORT_ERRORS as error:
            _logger.error("click-to-dial %s: no bridge (%s)", call.call_id, error)
        self._emit(call, "ringing", timestamp)
        leg = Leg(str(uuid.uuid4()), call.extension, 0)
        call.legs[leg.id] = leg
        self._index_leg(call, leg.id)
        try:
            # The customer sees the company's number, never his own (a real trunk would refuse that).
            self.rest.originate(
                self.settings.outbound_endpoint.format(number=call.to_number), f"clicktodial-customer,{call.call_id}",
                caller_id=call.caller_id, timeout=30, originator=call.call_id, channel_id=leg.id,
            )
        except TRANSPORT_ERRORS as error:
            _logger.error("click-to-dial %s: could not dial the customer (%s)", call.call_id, error)
            leg.gone = True
            self._end(call, None, "failed", leg="customer")

    def _customer_answered(self, channel, call_id, timestamp):
        call = self._get_call(call_id)
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
        # Indexed before it starts: its RecordingFinished must find the call's lane.
        call.pending_recordings[name] = kind
        with self._lock:
            self._by_recording[name] = call.call_id
        try:
            self.rest.record(target, target_id, name, **options)
        except TRANSPORT_ERRORS as error:
            _logger.error("call %s: %s could not start (%s)", call.call_id, kind, error)
            call.pending_recordings.pop(name, None)
            with self._lock:
                self._by_recording.pop(name, None)

    def _deliver_recording(self, call, name, kind):
        """Fetch a finished recording, post it, then delete it from the PBX (disk, privacy)."""
        try:
            audio, _content_type = self.rest.stored_recording(name)
        except TRANSPORT_ERRORS as error:
            if isinstance(error, AriError) and error.status == 404:
                _logger.error("call %s: recording %s is not on the PBX; none posted", call.call_id, name)
                self._recording_settled(call, name)
                return
            first_failure = call.unfetched.setdefault(name, [kind, time.time()])[1]
            if time.time() - first_failure > RECORDING_RETRY_FOR:
                _logger.error("call %s: recording %s could not be fetched for an hour (%s); given up",
                              call.call_id, name, error)
                self._recording_settled(call, name)
            else:
                _logger.warning("call %s: recording %s could not be fetched (%s); trying again",
                                call.call_id, name, error)
            return
        call.unfetched.pop(name, None)
        with self._lock:
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

    def _recording_settled(self, call, name):
        """A recording that will never be posted: forget it, and the call with it once nothing else waits."""
        call.unfetched.pop(name, None)
        with self._lock:
            self._by_recording.pop(name, None)
        self._forget_if_done(call)

    def _retry_recordings(self, call):
        for name, (kind, _first_failure) in list(call.unfetched.items()):
            self._deliver_recording(call, name, kind)

    def _forget_if_done(self, call):
        if call.ended and not call.pending_recordings and not call.ready_recordings and not call.unfetched:
            with self._lock:
                if self.calls.get(call.call_id) is not call:
                    return
                del self.calls[call.call_id]
                # Its legs, their handsets, and a handset indexed by a Dial its lane never got to.
                for channel_id in [c for c, owner in self._by_channel.items() if owner == call.call_id]:
                    del self._by_channel[channel_id]
                self._legs.difference_update(call.legs)
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
            with self._lock:
                self._by_channel[leg.handset] = call.call_id

    def _hold(self, event, kind):
        call = self._call_of(event["channel"]["id"])
        if call is not None and call.answered and not call.ended:
            self._emit(call, kind, event.get("timestamp"))

    # ------------------------------------------------------------------ the shared tables (under the lock)

    def _get_call(self, call_id):
        with self._lock:
            return self.calls.get(call_id)

    def _call_of(self, channel_id):
        with self._lock:
            return self.calls.get(self._by_channel.get(channel_id))

    def _add_call(self, call):
        """Follow a new call; False when it is followed already (Asterisk repeats some events)."""
        with self._lock:
            if call.call_id in self.calls:
                return False
            self.calls[call.call_id] = call
            self._by_channel[call.call_id] = call.call_id
            return True

    def _index_leg(self, call, channel_id):
        """Index a leg before it is originated: its first event may come before ARI answers the request."""
        with self._lock:
            self._by_channel[channel_id] = call.call_id
            self._legs.add(channel_id)

    def _is_followed(self, call):
        with self._lock:
            return self.calls.get(call.call_id) is call

    # ------------------------------------------------------------------ events out

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
        if self._is_followed(call):
            self._save_call(call)

    # ------------------------------------------------------------------ restart and reconnection

    def _alive(self, channel_id, live):
        """Whether a channel still exists: in the listing, or - created or changed since - by asking ARI.
        When ARI cannot say, it is taken for alive: the next reconnection checks it again."""
        if channel_id in live:
            return True
        try:
            return self.rest.channel(channel_id) is not None
        except TRANSPORT_ERRORS:
            return True

    def _reconcile_call(self, call, live, lost_at):
        if call.ended:
            self._retry_recordings(call)
            return
        if call.awaiting_agent and not self._alive(call.call_id, live):
            # The user's phone stopped ringing (or was never rung: the bridge stopped first) meanwhile.
            self._agent_phone_failed(call, lost_at, cause=None)
            return
        if not self._alive(call.call_id, live):
            _logger.info("call %s ended while the bridge was not listening", call.call_id)
            # Its recording was cut with the call: whatever Asterisk stored is fetched now.
            for name, kind in list(call.pending_recordings.items()):
                call.pending_recordings.pop(name)
                call.ready_recordings.append((name, kind))
            self._end(call, lost_at)
            return
        for leg in call.live_legs():
            if not self._alive(leg.id, live):
                self._leg_gone(call, leg, lost_at, cause=None)
        if call.ended:
            return
        if call.direction == "inbound" and call.plan is None:
            if not call.routing:
                self._start_routing(call)  # the route was being asked when the bridge stopped
        elif call.voicemail and call.voicemail_playback:
            with self._lock:
                self._by_playback.setdefault(call.voicemail_playback, call.call_id)

    def _clean_orphans(self, bridges):
        """Bridges of ours no call owns any more (their calls were lost with an older spool): hang up, free."""
        with self._lock:
            followed = {call_id for call_id, call in self.calls.items() if not call.ended}
            owned = {self.calls[call_id].bridge_id for call_id in followed}
        for bridge in bridges:
            name = bridge.get("name", "")
            if bridge["id"] in owned or not name.startswith(("call-", "c2d-")):
                continue
            if name.split("-", 1)[1] in followed:
                continue  # its call's lane is creating it: named after the call, not recorded on it yet
            for channel_id in bridge.get("channels") or []:
                self._quietly(self.rest.hangup, channel_id)
            self._quietly(self.rest.destroy_bridge, bridge["id"])

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
            self._legs.update(call.legs)
            for channel_id in [call.call_id, *call.legs, *(leg.handset for leg in call.legs.values() if leg.handset)]:
                self._by_channel[channel_id] = call.call_id
            for name in [*call.pending_recordings, *(n for n, _ in call.ready_recordings), *call.unfetched]:
                self._by_recording[name] = call.call_id
            self._saved[call.call_id] = snapshot
        if self.calls:
            _logger.info("following again %d call(s) kept from before the restart", len(self.calls))

    def _persist(self, call_id):
        """Write the call's snapshot when it changed; drop it from the store once the call is forgotten.
        Runs on the call's lane, which alone writes the call's entry in the store."""
        if self.store is None:
            return
        call = self._get_call(call_id)
        if call is not None:
            self._save_call(call)
        elif call_id in self._saved:
            self.store.delete(call_id)
            del self._saved[call_id]

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
