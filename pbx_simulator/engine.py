"""The simulated PBX's core: channels, bridges, recordings and the events they raise.

Everything runs on one asyncio loop and every state change emits its events
synchronously, so the order of events is the order of the code below. The
orders, states, dial statuses and causes follow recordings of a real Asterisk 22
(``tests/bridge/test_simulator_fidelity.py`` replays them) and the real
Asterisk's test world (``tests/asterisk/test_simulator_twins.py`` plays every
scenario on both and compares what they say).
"""

import asyncio
import datetime
import itertools
import logging
import time
import uuid

from .scenarios import Behaviour, Scenario
from .wav import tone_wav

_logger = logging.getLogger(__name__)

ASTERISK_ID = "02:fc:00:00:00:01"
CAUSE_TEXT = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    19: "User alerting, no answer",
    21: "Call Rejected",
    34: "Circuit/channel congestion",
}
# How long each media of a playback lasts: the simulator has no sound files to measure.
MEDIA_SECONDS = 0.5
# Only the application a channel is in hears of its entering and leaving Stasis, even with subscribeAll.
STASIS_EVENTS = ("StasisStart", "StasisEnd")
HANGUP_REASONS = {"normal": 16, "busy": 17, "congestion": 34, "no_answer": 19, "answered_elsewhere": 26}


def ari_time(moment=None):
    """Format a moment the way ARI does: ``2026-11-24T18:31:24.654+0000``."""
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_caller_id(text):
    """Split ``Name <number>`` (or a bare number) into ARI's caller dict."""
    text = (text or "").strip()
    if "<" in text and text.endswith(">"):
        name, number = text[:-1].split("<", 1)
        return {"name": name.strip().strip('"'), "number": number.strip()}
    return {"name": "", "number": text}


class AriError(Exception):
    """A REST error with ARI's status code and message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Channel:
    """One half of a Local channel pair, as ARI shows it."""

    def __init__(self, channel_id, name, state, context, exten, half):
        self.id = channel_id
        self.name = name
        self.state = state
        self.half = half
        self.caller = {"name": "", "number": ""}
        self.connected = {"name": "", "number": ""}
        self.dialplan = {"context": context, "exten": exten, "priority": 1, "app_name": "", "app_data": ""}
        self.creationtime = ari_time()
        self.peer = None
        self.app = None
        self.args = []
        self.pending_app = None
        self.pending_args = []
        self.dialstring = None
        self.dial_done = False
        self.bridge = None
        self.variables = {}
        self.hold_intercept = False
        self.alive = True
        self.scenario = None
        self.role = None
        self.timers = []

    def to_json(self):
        """The channel object of ARI's REST answers and events."""
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "protocol_id": "",
            "caller": dict(self.caller),
            "connected": dict(self.connected),
            "accountcode": "",
            "dialplan": dict(self.dialplan),
            "creationtime": self.creationtime,
            "language": "en",
        }


class Bridge:
    """A mixing bridge created through ARI."""

    def __init__(self, bridge_id, name, bridge_type):
        self.id = bridge_id
        self.name = name
        self.bridge_type = bridge_type
        self.channels = []
        self.creationtime = ari_time()

    def to_json(self):
        """The bridge object of ARI's REST answers and events."""
        return {
            "id": self.id,
            "technology": "simple_bridge",
            "bridge_type": self.bridge_type,
            "bridge_class": "stasis",
            "creator": "Stasis",
            "name": self.name,
            "channels": list(self.channels),
            "creationtime": self.creationtime,
            "video_mode": "talker",
        }


class Recording:
    """A live recording of a bridge or a channel."""

    def __init__(self, name, fmt, target_uri):
        self.name = name
        self.format = fmt
        self.target_uri = target_uri
        self.started = time.monotonic()
        self.state = "queued"
        self.timer = None

    def to_json(self, **extra):
        """The live recording object of ARI."""
        data = {"name": self.name, "format": self.format, "state": self.state, "target_uri": self.target_uri}
        data.update(extra)
        return data


class Playback:
    """Media played to a channel in turn (``POST /channels/{id}/play``): one id for the whole list."""

    def __init__(self, playback_id, media, target_uri):
        self.id = playback_id
        self.media = list(media)
        self.index = 0
        self.target_uri = target_uri
        self.state = "queued"
        self.timer = None

    def to_json(self):
        """The playback object of ARI; ``next_media_uri`` only while another media follows."""
        data = {"id": self.id, "media_uri": self.media[self.index]}
        if self.index + 1 < len(self.media):
            data["next_media_uri"] = self.media[self.index + 1]
        data.update(target_uri=self.target_uri, language="en", state=self.state)
        return data


class Subscriber:
    """One events WebSocket: the apps it listens for and its outgoing queue."""

    def __init__(self, apps, subscribe_all):
        self.apps = apps
        self.subscribe_all = subscribe_all
        self.queue = asyncio.Queue()


class Engine:
    """The PBX: owns every channel, bridge and recording and emits ARI events."""

    def __init__(self, default_app="odoo", agent_default=None, customer_default=None):
        self.default_app = default_app
        self.channels = {}
        self.bridges = {}
        self.live_recordings = {}
        self.stored_recordings = {}
        self.playbacks = {}
        self.subscribers = set()
        self.scenarios = {}
        self.pending_outbound = []
        self.agent_default = agent_default or Behaviour("answer", after=1.5)
        self.customer_default = customer_default or Behaviour("answer", after=2.5, talk=15.0)
        self.media_seconds = MEDIA_SECONDS
        self._id_base = int(time.time())
        self._ids = itertools.count()
        self._locals = itertools.count()
        self._scenario_ids = itertools.count(1)

    # ------------------------------------------------------------------ events

    def subscribe(self, apps, subscribe_all):
        """Register an events WebSocket and return its subscriber."""
        subscriber = Subscriber(apps, subscribe_all)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber):
        """Forget an events WebSocket that closed."""
        self.subscribers.discard(subscriber)

    def close_subscribers(self):
        """Close every events WebSocket; return how many there were."""
        subscribers = list(self.subscribers)
        for subscriber in subscribers:
            subscriber.queue.put_nowait(None)
        return len(subscribers)

    def emit(self, event_type, **fields):
        """Queue one event for every subscriber that should see it."""
        channel = fields.get("channel") or fields.get("peer")
        for subscriber in list(self.subscribers):
            app = self._app_for(subscriber, channel, stasis_only=event_type in STASIS_EVENTS)
            if app is None:
                continue
            event = {"type": event_type, "timestamp": ari_time()}
            event.update(fields)
            event["asterisk_id"] = ASTERISK_ID
            event["application"] = app
            subscriber.queue.put_nowait(event)
            # With subscribeAll, a bridge's recording is announced twice, once per subscription path;
            # a channel's only once.
            if subscriber.subscribe_all and event_type.startswith("Recording") \
                    and fields["recording"]["target_uri"].startswith("bridge:"):
                subscriber.queue.put_nowait(dict(event))

    def _app_for(self, subscriber, channel_json, stasis_only=False):
        channel = self.channels.get(channel_json["id"]) if channel_json else None
        if channel and channel.app in subscriber.apps:
            return channel.app
        if stasis_only:
            return None
        if subscriber.subscribe_all or channel_json is None:
            return next(iter(subscriber.apps))
        return None

    def _emit_channel(self, event_type, channel, **fields):
        self.emit(event_type, channel=channel.to_json(), **fields)

    def _set_state(self, channel, state):
        if channel.state != state and channel.alive:
            channel.state = state
            self._emit_channel("ChannelStateChange", channel)

    def _dial(self, channel, status):
        self.emit("Dial", dialstatus=status, forward="", dialstring=channel.dialstring, peer=channel.to_json())

    # ------------------------------------------------------------------ timers

    @staticmethod
    def _cancel_timers(channel):
        for handle in channel.timers:
            handle.cancel()
        channel.timers.clear()

    def later(self, delay, callback, *args, owner=None):
        """Run ``callback(*args)`` after ``delay`` seconds on the loop."""
        handle = asyncio.get_running_loop().call_later(max(delay, 0), self._guarded, callback, args)
        if owner is not None:
            owner.timers.append(handle)
        return handle

    @staticmethod
    def _guarded(callback, args):
        try:
            callback(*args)
        except Exception:
            _logger.exception("simulated PBX step %s failed", getattr(callback, "__name__", callback))

    # ------------------------------------------------------------------ channels

    def new_id(self):
        """A fresh Asterisk-style unique id (``<epoch>.<n>``)."""
        return f"{self._id_base}.{next(self._ids)}"

    def channel(self, channel_id):
        """The live channel with that id, or a 404."""
        channel = self.channels.get(channel_id)
        if channel is None:
            raise AriError(404, "Channel not found")
        return channel

    def stasis_channel(self, channel_id):
        """The live channel with that id, which must be in Stasis (409 otherwise)."""
        channel = self.channel(channel_id)
        if channel.app is None:
            raise AriError(409, "Channel not in Stasis application")
        return channel

    def _local_pair(self, exten, context, caller, ids=(None, None), scenario=None):
        number = next(self._locals)
        base = f"Local/{exten}@{context}-{number:08x}"
        for channel_id in ids:
            if channel_id and channel_id in self.channels:
                raise AriError(409, "Channel with given unique ID already exists")
        first_id = ids[0] or self.new_id()
        # Asterisk names the second half of a Local channel it was given an id for "<id>;2".
        second_id = ids[1] or (f"{first_id};2" if ids[0] else self.new_id())
        if second_id in self.channels:
            raise AriError(409, "Channel with given unique ID already exists")
        first = Channel(first_id, base + ";1", "Down", context, exten, 1)
        second = Channel(second_id, base + ";2", "Ring", context, exten, 2)
        first.peer, second.peer = second, first
        for channel in (first, second):
            channel.scenario = scenario
            self.channels[channel.id] = channel
            if scenario:
                scenario.channel_added(channel.id)
            self._emit_channel("ChannelCreated", channel)
        first.dialplan.update(app_name="AppDial2", app_data="(Outgoing Line)")
        first.caller = dict(caller)
        self._emit_channel("ChannelCallerId", first, caller_presentation=0,
                           caller_presentation_txt="Presentation Allowed, Not Screened")
        first.connected = dict(caller)
        self._emit_channel("ChannelConnectedLine", first)
        second.caller = dict(caller)
        second.connected = dict(caller)
        self._emit_channel("ChannelCallerId", second, caller_presentation=0,
                           caller_presentation_txt="Presentation Allowed, Not Screened")
        self._emit_channel("ChannelConnectedLine", second)
        first.dialstring = f"{exten}@{context}"
        return first, second

    def _enter_stasis(self, channel, app, args):
        channel.app = app
        channel.args = list(args)
        channel.dialplan.update(app_name="Stasis", app_data=",".join([app, *args]))
        self._emit_channel("StasisStart", channel, args=list(args))

    def inbound_call(self, did, caller, scenario, app=None, ids=(None, None)):
        """A PSTN caller dials our number: the ``;2`` half enters Stasis(app,inbound,did)."""
        app = app or self.default_app
        trunk, leg = self._local_pair(did, "from-pstn", caller, ids=ids, scenario=scenario)
        trunk.role, leg.role = "trunk", "caller"
        snapshot = trunk.to_json()
        self._dial(trunk, "")
        leg.dialplan.update(priority=2)
        self._enter_stasis(leg, app, ["inbound", did])
        scenario.on_caller(self, trunk, leg)
        return snapshot

    def originate(self, params):
        """``POST /channels``: dial a Local endpoint; it enters Stasis when answered."""
        endpoint = params.get("endpoint")
        if not endpoint:
            raise AriError(400, "Endpoint must be specified")
        if not endpoint.startswith("Local/") or "@" not in endpoint:
            raise AriError(400, "Allocation failed: only Local/<exten>@<context> endpoints are simulated")
        exten, context = endpoint[len("Local/"):].split("@", 1)
        context = context.split("/", 1)[0]
        caller = parse_caller_id(params.get("callerId"))
        variables = params.get("variables") or {}
        ids = (params.get("channelId"), params.get("otherChannelId"))
        if context == "from-pstn":
            scenario = Scenario.from_variables(self, caller, exten, variables, params.get("timeout"))
            return self.inbound_call(exten, caller, scenario, ids=ids)
        app = params.get("app")
        if not app:
            raise AriError(400, "Application or extension must be specified")
        args = list((params.get("appArgs") or "").split(",")) if params.get("appArgs") else []
        scenario = self._scenario_for_originate(params, args, exten)
        first, second = self._local_pair(exten, context, caller, ids=ids, scenario=scenario)
        first.pending_app, first.pending_args = app, args
        first.role = (args[0] if args else "originated")
        first.variables.update(variables)
        snapshot = first.to_json()
        self._dial(first, "")
        timeout = float(params.get("timeout", 30) or 30)
        if timeout > 0:
            self.later(timeout, self.originate_timed_out, first, owner=first)
        behaviour = Behaviour.from_variables(variables) or (
            scenario.behaviour_for(first, exten) if scenario else self._default_behaviour(first)
        )
        behaviour.schedule(self, first)
        return snapshot

    def _default_behaviour(self, channel):
        if channel.role == "clicktodial-customer" or channel.dialplan["context"] == "pstn-out":
            return self.customer_default
        return self.agent_default

    def _scenario_for_originate(self, params, args, exten):
        for key in (params.get("originator"), args[1] if len(args) > 1 else None):
            linked = self.channels.get(key) if key else None
            if linked and linked.scenario:
                return linked.scenario
        if args and args[0] == "clicktodial-agent":
            for scenario in self.pending_outbound:
                if scenario.extension in (None, exten):
                    self.pending_outbound.remove(scenario)
                    return scenario
        return None

    def far_rings(self, first):
        """The far end of an originated pair starts ringing (a busy phone never does)."""
        if first.alive and first.state == "Down":
            self._set_state(first, "Ringing")
            self._dial(first, "RINGING")

    def far_answer(self, first):
        """The far end of an originated pair picks up: the ``;1`` half enters Stasis."""
        if not first.alive or first.state == "Up":
            return
        self._set_state(first, "Up")
        first.dial_done = True
        self._dial(first, "ANSWER")
        self._cancel_timers(first)
        if first.pending_app:
            self._enter_stasis(first, first.pending_app, first.pending_args)
        self._set_state(first.peer, "Up")
        if first.scenario:
            first.scenario.on_far_answer(self, first)

    def far_reject(self, first, status, cause):
        """The far end answers busy or congested: the originated half dies with cause 0, so trust the Dial status."""
        if not first.alive or first.state == "Up":
            return
        second = first.peer
        self._set_state(second, "Busy")
        first.dial_done = True
        self._dial(first, status)
        self._emit_channel("ChannelHangupRequest", second, cause=0)
        self._destroy(first, 0)
        self._emit_channel("ChannelHangupRequest", second, cause=16, soft=True)
        self._destroy(second, cause)

    def originate_timed_out(self, first):
        """No answer within the originate timeout: no final Dial, only cause 19.

        The same happens to an outside caller who gives up: the world's originate of him timed out."""
        if not first.alive or first.state == "Up":
            return
        second = first.peer
        self._emit_channel("ChannelHangupRequest", second, cause=19)
        if second.app is not None:
            self._leave_stasis(second)
            self._emit_channel("ChannelHangupRequest", second, cause=16, soft=True)
            self._destroy(second, 19)
            self._destroy(first, 19)
        else:
            self._destroy(first, 19)
            self._emit_channel("ChannelHangupRequest", second, cause=16, soft=True)
            self._destroy(second, 19)

    def far_hangup(self, channel, cause=16):
        """The far (dialplan) half hangs up; its Stasis peer follows (samples 01 and 04)."""
        if not channel.alive:
            return
        peer = channel.peer
        self._emit_channel("ChannelHangupRequest", channel, cause=cause, soft=True)
        if peer is None or not peer.alive:
            self._destroy(channel, cause)
            return
        self._emit_channel("ChannelHangupRequest", peer, cause=cause)
        if channel.half == 1:
            self._destroy(channel, cause)
            self._leave_stasis(peer)
            self._emit_channel("ChannelHangupRequest", peer, cause=cause, soft=True)
            self._destroy(peer, cause)
        else:
            self._leave_stasis(peer)
            self._destroy(peer, cause)
            self._destroy(channel, cause)

    def hangup(self, channel, reason="normal"):
        """``DELETE /channels/{id}``: the app hangs up a channel (sample 01's agent)."""
        cause = HANGUP_REASONS.get(reason, 16)
        peer = channel.peer
        self._emit_channel("ChannelHangupRequest", channel, cause=32, soft=True)
        if channel.dialstring and not channel.dial_done:
            channel.dial_done = True
            self._dial(channel, "NOANSWER" if channel.state == "Ringing" else "CANCEL")
        self._leave_stasis(channel)
        if peer is None or not peer.alive:
            self._destroy(channel, cause)
            return
        self._emit_channel("ChannelHangupRequest", peer, cause=16)
        self._destroy(channel, cause)
        self._emit_channel("ChannelHangupRequest", peer, cause=16, soft=True)
        self._leave_stasis(peer)
        self._destroy(peer, 16)

    def _leave_stasis(self, channel):
        if channel.bridge is not None:
            self._leave_bridge(channel)
        self._fail_playbacks(f"channel:{channel.id}")
        self._finish_recordings(f"channel:{channel.id}")
        if channel.app is not None:
            self._emit_channel("StasisEnd", channel)
            channel.app = None

    def _destroy(self, channel, cause):
        if not channel.alive:
            return
        if channel.bridge is not None:
            self._leave_bridge(channel)
        self._emit_channel("ChannelDestroyed", channel, cause=cause, cause_txt=CAUSE_TEXT.get(cause, "Unknown"))
        channel.alive = False
        channel.app = None
        self.channels.pop(channel.id, None)
        self._cancel_timers(channel)
        if channel.scenario:
            channel.scenario.channel_gone(channel.id)

    def answer(self, channel):
        """``POST /channels/{id}/answer``: the caller's leg and its trunk half go Up."""
        if channel.state == "Up":
            return
        self._set_state(channel, "Up")
        peer = channel.peer
        if peer is not None and peer.alive:
            self._set_state(peer, "Up")
            if peer.dialstring and not peer.dial_done:
                peer.dial_done = True
                self._dial(peer, "ANSWER")
        if channel.scenario:
            channel.scenario.on_caller_answered(self, channel)

    def ring(self, channel):
        """``POST /channels/{id}/ring``: ringback, seen as Ringing on the trunk half."""
        peer = channel.peer
        if peer is not None and peer.alive and peer.state == "Down":
            self._set_state(peer, "Ringing")
            self._dial(peer, "RINGING")

    def hold(self, channel, on):
        """Hold or resume; ARI reports it only with HOLD_INTERCEPT(set)."""
        if channel.hold_intercept:
            self.phone_hold(channel, on)

    def phone_hold(self, channel, on):
        """A phone puts the call on hold or resumes it."""
        if not channel.alive:
            return
        if on:
            self._emit_channel("ChannelHold", channel, musicclass="N/A")
        else:
            self._emit_channel("ChannelUnhold", channel)

    def set_variable(self, channel, name, value):
        """``POST /channels/{id}/variable``."""
        if name == "HOLD_INTERCEPT(set)":
            channel.hold_intercept = True
        channel.variables[name] = value

    # ------------------------------------------------------------------ bridges

    def bridge(self, bridge_id):
        """The bridge with that id, or a 404."""
        bridge = self.bridges.get(bridge_id)
        if bridge is None:
            raise AriError(404, "Bridge not found")
        return bridge

    def create_bridge(self, bridge_id=None, name="", bridge_type="mixing"):
        """``POST /bridges``."""
        bridge_id = bridge_id or str(uuid.uuid4())
        if bridge_id in self.bridges:
            return self.bridges[bridge_id]
        bridge = Bridge(bridge_id, name or "", (bridge_type or "mixing").split(",")[0])
        self.bridges[bridge.id] = bridge
        self.emit("BridgeCreated", bridge=bridge.to_json())
        return bridge

    def add_channels(self, bridge, channel_ids):
        """``POST /bridges/{id}/addChannel``."""
        channels = []
        for channel_id in channel_ids:
            channel = self.channels.get(channel_id)
            if channel is None:
                raise AriError(400, "Channel not found")
            if channel.app is None:
                raise AriError(422, "Channel not in Stasis application")
            channels.append(channel)
        for channel in channels:
            if channel.bridge is bridge:
                continue
            if channel.bridge is not None:
                self._leave_bridge(channel)
            channel.bridge = bridge
            bridge.channels.append(channel.id)
            self.emit("ChannelEnteredBridge", bridge=bridge.to_json(), channel=channel.to_json())

    def remove_channels(self, bridge, channel_ids):
        """``POST /bridges/{id}/removeChannel``."""
        for channel_id in channel_ids:
            channel = self.channels.get(channel_id)
            if channel is None:
                raise AriError(400, "Channel not found")
            if channel.bridge is not bridge:
                raise AriError(422, "Channel not in this bridge")
            self._leave_bridge(channel)

    def _leave_bridge(self, channel):
        bridge = channel.bridge
        channel.bridge = None
        if channel.id in bridge.channels:
            bridge.channels.remove(channel.id)
        self.emit("ChannelLeftBridge", bridge=bridge.to_json(), channel=channel.to_json())
        if not bridge.channels:
            self._finish_recordings(f"bridge:{bridge.id}")

    def destroy_bridge(self, bridge):
        """``DELETE /bridges/{id}``."""
        for channel_id in list(bridge.channels):
            self._leave_bridge(self.channels[channel_id])
        self._finish_recordings(f"bridge:{bridge.id}")
        self.bridges.pop(bridge.id, None)
        self.emit("BridgeDestroyed", bridge=bridge.to_json())

    # ------------------------------------------------------------------ playbacks

    def play(self, channel, media, playback_id=None):
        """``POST /channels/{id}/play[/{playbackId}]``: play each media in turn, then ``PlaybackFinished``."""
        media = [m for m in (media or []) if m]
        if not media:
            raise AriError(400, "Missing parameter media")
        playback_id = playback_id or str(uuid.uuid4())
        if playback_id in self.playbacks:
            raise AriError(409, "Playback with that id already exists")
        playback = Playback(playback_id, media, f"channel:{channel.id}")
        self.playbacks[playback_id] = playback
        self.later(0.005, self._playback_step, playback)
        return playback.to_json()

    def _playback_step(self, playback):
        """Start the playback's current media; when it ends, go on to the next or finish."""
        if self.playbacks.get(playback.id) is not playback:
            return
        if playback.state == "queued":
            playback.state = "playing"
            self.emit("PlaybackStarted", playback=playback.to_json())
        elif playback.index + 1 < len(playback.media):
            playback.state = "continuing"
            self.emit("PlaybackContinuing", playback=playback.to_json())
            playback.index += 1
            playback.state = "playing"
            self.emit("PlaybackStarted", playback=playback.to_json())
        else:
            self._end_playback(playback, "done")
            return
        playback.timer = self.later(self.media_seconds, self._playback_step, playback)

    def _end_playback(self, playback, state):
        self.playbacks.pop(playback.id, None)
        if playback.timer:
            playback.timer.cancel()
        playback.state = state
        self.emit("PlaybackFinished", playback=playback.to_json())

    def _fail_playbacks(self, target_uri):
        """A channel that hangs up while media plays to it: the playback fails where it was."""
        for playback in list(self.playbacks.values()):
            if playback.target_uri == target_uri:
                self._end_playback(playback, "failed")

    def playback(self, playback_id):
        """The playback in progress with that id, or a 404 (finished ones are forgotten)."""
        playback = self.playbacks.get(playback_id)
        if playback is None:
            raise AriError(404, "Playback not found")
        return playback

    # ------------------------------------------------------------------ recordings

    def record(self, target_uri, params):
        """``POST /bridges/{id}/record`` or ``/channels/{id}/record``: start a recording."""
        name, fmt = params.get("name"), params.get("format")
        if not name or not fmt:
            raise AriError(400, "Parameters name and format are required")
        if fmt != "wav":
            raise AriError(422, "Format not supported")
        exists = name in self.live_recordings or name in self.stored_recordings
        if name in self.live_recordings or (exists and params.get("ifExists", "fail") == "fail"):
            raise AriError(409, "Recording with that name already exists")
        recording = Recording(name, fmt, target_uri)
        self.live_recordings[name] = recording
        self.later(0.005, self._recording_started, recording)
        max_duration = float(params.get("maxDurationSeconds") or 0)
        if max_duration > 0:
            recording.timer = self.later(max_duration, self.stop_recording, recording)
        return recording.to_json()

    def _recording_started(self, recording):
        if self.live_recordings.get(recording.name) is recording and recording.state == "queued":
            recording.state = "recording"
            self.emit("RecordingStarted", recording=recording.to_json())

    def stop_recording(self, recording):
        """Finish a live recording and store its file."""
        if self.live_recordings.get(recording.name) is not recording:
            return
        del self.live_recordings[recording.name]
        if recording.timer:
            recording.timer.cancel()
        duration = time.monotonic() - recording.started
        if recording.state == "queued":
            recording.state = "recording"
            self.emit("RecordingStarted", recording=recording.to_json())
        recording.state = "done"
        self.stored_recordings[recording.name] = {"format": recording.format, "duration": duration}
        self.emit("RecordingFinished", recording=recording.to_json(duration=int(round(duration))))

    def _finish_recordings(self, target_uri):
        for recording in list(self.live_recordings.values()):
            if recording.target_uri == target_uri:
                self.stop_recording(recording)

    def recording_file(self, name):
        """The WAV bytes of a stored recording, or a 404."""
        stored = self.stored_recordings.get(name)
        if stored is None:
            raise AriError(404, "Recording not found")
        return tone_wav(stored["duration"])

    # ------------------------------------------------------------------ scenarios

    def start_scenario(self, spec):
        """Start a call scenario from the control API and return it."""
        scenario = Scenario(f"sim-{next(self._scenario_ids)}", spec)
        self.scenarios[scenario.id] = scenario
        if scenario.direction == "outbound":
            self.pending_outbound.append(scenario)
        else:
            self.inbound_call(scenario.dialled, scenario.caller, scenario)
        return scenario

    def snapshot(self):
        """Counts for ``GET /sim/status``."""
        return {
            "channels": len(self.channels),
            "bridges": len(self.bridges),
            "live_recordings": len(self.live_recordings),
            "subscribers": len(self.subscribers),
        }
