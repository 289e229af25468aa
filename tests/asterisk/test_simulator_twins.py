"""Every scenario of the simulated PBX has a twin on the real Asterisk, and the two tell the same story.

Each test plays one scenario of the simulator (a ``POST /sim/calls`` preset, as the fast tests and
the demo play them) and, at the same time, its twin in the real Asterisk's test world: the same
caller, agents and customers, the same route, each PBX followed by its own real bridge posting to
its own stand-in for Odoo. Then, ids and times aside, it compares

- what each bridge posted to Odoo: the events in order, with direction, numbers, extension,
  reason, ``leg`` and the shape of recordings' names;
- what ARI told each bridge and another application listening to everything: every channel's
  significant events in order (states, dial statuses, causes, Stasis arguments), each channel's
  playbacks and each recording's life, and across channels the order of the milestones the bridge
  causes or acts on (channels created, Stasis, hold, playbacks, recordings).

Only what a real Asterisk decides is compared. Events of different channels race each other, so
beyond the milestones only each channel's own order counts; hang-up requests race even their own
channel's state changes and count by cause; agents rung together report ringing in any order; a
bridge's recording is announced once or twice. Variables, dialplan steps, caller-id updates and
device states differ with every dialplan and are left out.

So the simulator cannot drift from the real thing: a difference fails here, not in production.
"""

import itertools
import re
import time
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from pathlib import PurePosixPath
from types import SimpleNamespace

import pytest
import requests

from pbx_bridge.app import Bridge
from pbx_simulator.runner import SimulatorThread
from tests.bridge.conftest import ARI_PASSWORD, ARI_USER, FakeOdoo, Sim

from .conftest import COMPANY_NUMBER, CUSTOMER, LINE_NUMBER, Watcher, bridge_settings, click_to_dial, wait_for

CALLER = {"number": "+48221234567", "name": "Jan Kowalski"}
# Per channel: what a call's channels live through. Not compared: variables, dialplan steps,
# caller-id updates and device states, which differ with every dialplan and say nothing of the call.
CHANNEL_EVENTS = {
    "ChannelCreated", "ChannelStateChange", "Dial", "StasisStart", "StasisEnd", "ChannelHangupRequest",
    "ChannelDestroyed", "ChannelEnteredBridge", "ChannelLeftBridge", "ChannelHold", "ChannelUnhold",
}
BRIDGE_EVENTS = {"BridgeCreated", "BridgeDestroyed"}
# Across channels: what the bridge does and acts on, in an order that causes, not races, decide.
MILESTONES = {"ChannelCreated", "StasisStart", "StasisEnd", "ChannelHold", "ChannelUnhold", "PlaybackFinished",
              "RecordingStarted"}


# ---------------------------------------------------------------------- the story a PBX tells

def local_name(name):
    """``Local/201@agents-0000001a;1`` -> ``Local/201@agents;1``: the pair's number changes every run."""
    return re.sub(r"-[0-9a-f]{8};", ";", name)


class Story:
    """What one PBX and its bridge said about one call: the events posted to Odoo, the ARI events."""

    def __init__(self, call_id, posted, ari_events, watched=None):
        self.call_id = call_id
        # What another application subscribed to everything heard meanwhile (no Stasis events of ours).
        self.watched = None if watched is None else Story(call_id, posted, watched)
        self.token = re.sub(r"[^A-Za-z0-9_-]", "-", call_id)  # the call's id as recording names hold it
        self.posted_events = posted
        self.ari_events = ari_events
        self.names = {}
        for event in ari_events:
            if event["type"] == "ChannelCreated":
                self.names[event["channel"]["id"]] = local_name(event["channel"]["name"])
            elif event["type"] == "BridgeCreated":
                self.names[event["bridge"]["id"]] = "bridge " + self._shape(event["bridge"]["name"])

    def _shape(self, text):
        return text.replace(self.call_id, "<call>").replace(self.token, "<call>")

    def posted(self):
        """The events Odoo received for the call, as Odoo reads them. Agents rung together report their
        ringing in whatever order their phones do, so a run of ``ringing`` events is read by extension."""
        stories = []
        for event in self.posted_events:
            told = {key: event[key] for key in ("event", "direction", "from", "to", "extension", "reason", "leg")
                    if key in event}
            if "recording" in event:
                told["recording"] = (self._shape(event["recording"]["name"]), event["recording"]["content_type"])
            stories.append(told)
        runs = itertools.groupby(stories, key=lambda told: told["event"] == "ringing")
        return [told for ringing, run in runs
                for told in (sorted(run, key=itemgetter("extension")) if ringing else run)]

    def _owner(self, event):
        """The channel or bridge an event is about (by the name it has in every run), if it is ours."""
        if event["type"] in CHANNEL_EVENTS:
            return self.names.get((event.get("channel") or event.get("peer"))["id"])
        if event["type"] in BRIDGE_EVENTS:
            return self.names.get(event["bridge"]["id"])
        if event["type"].startswith("Playback"):
            return self.names.get(event["playback"]["target_uri"].partition(":")[2])
        if event["type"].startswith("Recording"):
            target = self.names.get(event["recording"]["target_uri"].partition(":")[2])
            return target and f"{target}, recording"
        return None

    def _told(self, event):
        kind = event["type"]
        if kind in BRIDGE_EVENTS:
            return (kind,)
        if kind.startswith("Playback"):
            return kind, PurePosixPath(event["playback"]["media_uri"]).name, event["playback"]["state"]
        if kind.startswith("Recording"):
            return kind, self._shape(event["recording"]["name"]), event["recording"]["state"]
        state = (event.get("channel") or event.get("peer"))["state"]
        if kind == "Dial":
            return kind, state, event["dialstatus"]
        if kind == "StasisStart":
            return kind, state, event["args"][0]
        if kind == "ChannelDestroyed":
            return kind, state, event["cause"]
        if kind in ("ChannelEnteredBridge", "ChannelLeftBridge"):
            return kind, state, self.names.get(event["bridge"]["id"])
        return kind, state

    def timelines(self):
        """Each channel's, bridge's and recording's own events, in order (hang-up requests aside).

        A bridge's recording is announced once per subscription, and the
        bridge's own subscription may end before the recording does: a repeated announcement counts once."""
        lines = {}
        for event in self.ari_events:
            owner = self._owner(event)
            # A leg's first Dial ("") races its own Ringing on Asterisk: leave it out.
            if owner is None or event["type"] == "ChannelHangupRequest" or event["type"] == "Dial" \
                    and not event["dialstatus"]:
                continue
            told, line = self._told(event), lines.setdefault(owner, [])
            if not (event["type"].startswith("Recording") and told in line[-1:]):
                line.append(told)
        return lines

    def hangup_requests(self):
        """Each channel's hang-up requests by cause and softness. On Asterisk they race even their own
        channel's state changes (a busy line turns Busy while its other half already asks it to hang
        up), so neither their place nor the state they caught is compared."""
        requests_of = {}
        for event in self.ari_events:
            owner = self._owner(event)
            if owner is not None and event["type"] == "ChannelHangupRequest":
                requests_of.setdefault(owner, []).append((event.get("cause"), bool(event.get("soft"))))
        return {owner: sorted(told) for owner, told in requests_of.items()}

    def milestones(self):
        """The call's milestones across its channels; a recording's repeated announcement counts once."""
        steps = []
        for event in self.ari_events:
            owner = self._owner(event)
            if owner is None or event["type"] not in MILESTONES:
                continue
            step = (owner, *self._told(event))
            if step not in steps[-1:]:
                steps.append(step)
        return steps


def assert_same_story(simulated, real):
    """The simulator's story of the call is the real Asterisk's, told with other ids and times."""
    assert simulated.posted() == real.posted(), "the bridge told Odoo another story"
    assert simulated.timelines() == real.timelines(), "a channel lived another life on the simulator"
    assert simulated.hangup_requests() == real.hangup_requests(), "a channel was hung up otherwise"
    assert simulated.milestones() == real.milestones(), "the call went another way on the simulator"
    for told in (Story.timelines, Story.hangup_requests, Story.milestones):
        assert told(simulated.watched) == told(real.watched), "an application listening to everything heard otherwise"


# ---------------------------------------------------------------------- the two PBXs

class Side:
    """One PBX of a twin run: its ARI, the bridge following it, the Odoo that bridge posts to."""

    def __init__(self, url, auth, odoo):
        self.url = url
        self.odoo = odoo
        self.ari = requests.Session()
        self.ari.auth = auth
        self.heard = []
        self.watcher = None

    def watch(self):
        """Listen to everything as another application would, from now on."""
        user, password = self.ari.auth
        self.watcher = Watcher(SimpleNamespace(url=self.url, user=user, password=password))

    def follow(self, bridge):
        """Keep every ARI event the bridge hears, in the order it hears them."""
        handle = bridge.events.on_event

        def heard(event):
            self.heard.append(event)
            handle(event)

        bridge.events.on_event = heard
        return bridge

    def click_to_dial(self, extension, number, caller_id=LINE_NUMBER):
        """What Odoo does when the user clicks a number: leave a dial order, which this side's bridge places."""
        return click_to_dial(self.odoo, extension, number, caller_id)

    def hold(self, channel_id, seconds):
        """Hold the channel for a while; ARI reports it only with HOLD_INTERCEPT(set)."""
        base = f"{self.url}/ari/channels/{channel_id}"
        self.ari.post(f"{base}/variable", params={"variable": "HOLD_INTERCEPT(set)", "value": ""},
                      timeout=5).raise_for_status()
        self.ari.post(f"{base}/hold", timeout=5).raise_for_status()
        time.sleep(seconds)
        self.ari.delete(f"{base}/hold", timeout=5).raise_for_status()

    def _idle(self):
        return not self.ari.get(f"{self.url}/ari/channels", timeout=5).json() \
            and not self.ari.get(f"{self.url}/ari/bridges", timeout=5).json()

    def story(self, call_id, until, timeout):
        """Once Odoo has heard ``until`` and nothing of the call is left on the PBX, the call's story."""
        for kind in until:
            self.odoo.wait_event(call_id, kind, timeout=timeout)
        wait_for(self._idle, timeout=timeout)
        time.sleep(0.5)  # the last events of the hang-up are still on their way
        return Story(call_id, self.odoo.of(call_id), list(self.heard), list(self.watcher.events))


class SimulatorSide(Side):
    """The simulated PBX, where scenarios are started through its control API."""

    def __init__(self, sim, odoo):
        super().__init__(sim.url, (ARI_USER, ARI_PASSWORD), odoo)
        self.sim = sim

    def call_in(self, **scenario):
        """Start an inbound scenario (the usual caller dialling the company); the id of its caller's
        channel, which is the call's id."""
        scenario = {"caller_number": CALLER["number"], "caller_name": CALLER["name"], "dialled": COMPANY_NUMBER,
                    **scenario}
        return self.sim.caller_channel(self.sim.start_call(**scenario)["id"])

    def expect_click_to_dial(self, **scenario):
        """Cast the phones of the next click-to-dial call (``direction: outbound``)."""
        self.sim.start_call(direction="outbound", **scenario)


class AsteriskSide(Side):
    """The real Asterisk with its test world, which the ``pbx`` fixture drives."""

    def __init__(self, pbx, odoo):
        super().__init__(pbx.url, (pbx.user, pbx.password), odoo)
        self.pbx = pbx


class Twins:
    """The simulator and the real Asterisk, each with a real bridge: one scenario played on both at once."""

    def __init__(self, simulator, asterisk, make_bridge, settings):
        self.simulator, self.asterisk = simulator, asterisk
        self._make_bridge, self._settings = make_bridge, settings
        self._bridges = []

    def route(self, plan):
        """What Odoo answers both bridges when asked where an inbound call goes."""
        self.simulator.odoo.route = self.asterisk.odoo.route = plan

    def start_bridges(self, **overrides):
        for side in (self.simulator, self.asterisk):
            side.watch()
        self.asterisk.follow(self._make_bridge(**overrides))
        bridge = Bridge(self._settings(**overrides)).start()
        self._bridges.append(bridge)
        wait_for(bridge.events.connected.is_set, timeout=15)
        self.simulator.follow(bridge)

    def play(self, on_simulator, on_asterisk, until=("hangup",), timeout=45, **settings):
        """Play the scenario on both PBXs at once, each followed by a bridge with those ``settings``;
        their stories of the call, the simulator's first."""
        self.start_bridges(**settings)
        with ThreadPoolExecutor(1) as pool:
            simulated = pool.submit(lambda: self.simulator.story(on_simulator(self.simulator), until, timeout))
            real = self.asterisk.story(on_asterisk(self.asterisk), until, timeout)
            return simulated.result(), real

    def stop(self):
        for bridge in self._bridges:
            bridge.stop()
        for side in (self.simulator, self.asterisk):
            if side.watcher:
                side.watcher.close()


@pytest.fixture
def twins(pbx, odoo, make_bridge, tmp_path):
    thread = SimulatorThread(user=ARI_USER, password=ARI_PASSWORD).start()
    sim_odoo = FakeOdoo()

    def simulator_settings(**overrides):
        return bridge_settings(pbx, sim_odoo, tmp_path / "sim-spool", ari_url=thread.url, ari_user=ARI_USER,
                               ari_password=ARI_PASSWORD, **overrides)

    pair = Twins(SimulatorSide(Sim(thread), sim_odoo), AsteriskSide(pbx, odoo), make_bridge, simulator_settings)
    yield pair
    pair.stop()
    sim_odoo.stop()
    thread.stop()


# ---------------------------------------------------------------------- inbound

def test_an_answered_inbound_call(twins):
    twins.route({"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "voicemail"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", ring=1)
        return asterisk.pbx.call_in(**CALLER, talk=3)

    simulated, real = twins.play(
        lambda simulator: simulator.call_in(preset="answered", agents={"201": 1.0}, talk=3), on_asterisk)
    assert [e["event"] for e in real.posted()] == ["ringing", "answered", "hangup"]
    assert_same_story(simulated, real)


def test_a_missed_call_goes_to_voicemail_after_the_greeting_and_the_beep(twins):
    twins.route({"steps": [{"extensions": ["201"], "timeout": 2}], "fallback": "voicemail"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", mode="never")
        return asterisk.pbx.call_in(**CALLER, talk=8)

    # The caller speaks after the greeting and the beep: some 5.5 s on Asterisk, 1 s on the simulator.
    simulated, real = twins.play(
        lambda simulator: simulator.call_in(preset="missed", agents={"201": "never"}, talk=3.5),
        on_asterisk, until=("hangup", "voicemail"))
    assert [e["event"] for e in real.posted()] == ["ringing", "hangup", "voicemail"]
    assert real.posted()[-1]["recording"] == ("odoo-vm-<call>.wav", "audio/wav")
    assert_same_story(simulated, real)


def test_a_caller_who_gives_up_while_the_agents_ring(twins):
    twins.route({"steps": [{"extensions": ["201", "202"], "timeout": 20}], "fallback": "voicemail"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", mode="never")
        asterisk.pbx.agent("202", mode="never")
        return asterisk.pbx.call_in(**CALLER, give_up_after=3)

    simulated, real = twins.play(
        lambda simulator: simulator.call_in(preset="caller_gives_up", agents={"*": "never"},
                                            caller_gives_up_after=3),
        on_asterisk)
    assert real.posted()[-1]["reason"] == "cancel"
    assert_same_story(simulated, real)


def test_a_busy_agent_is_skipped_for_the_next_step(twins):
    twins.route({"steps": [{"extensions": ["201"], "timeout": 10}, {"extensions": ["202"], "timeout": 10}],
                 "fallback": "hangup"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", mode="busy")
        asterisk.pbx.agent("202", ring=1)
        return asterisk.pbx.call_in(**CALLER, talk=1)

    simulated, real = twins.play(
        lambda simulator: simulator.call_in(agents={"201": "busy", "202": 1.0}, talk=1), on_asterisk)
    # A busy phone never rings: Odoo hears of the agent who did.
    assert [(e["event"], e["extension"]) for e in real.posted()] == [
        ("ringing", "202"), ("answered", "202"), ("hangup", "202")]
    assert_same_story(simulated, real)


def test_ring_all_connects_the_first_agent_who_answers(twins):
    twins.route({"steps": [{"extensions": ["201", "202", "203"], "timeout": 10}], "fallback": "hangup"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", mode="never")
        asterisk.pbx.agent("202", ring=1)
        asterisk.pbx.agent("203", ring=3)
        return asterisk.pbx.call_in(**CALLER, talk=2)

    simulated, real = twins.play(
        lambda simulator: simulator.call_in(agents={"201": "never", "202": 1.0, "203": 3.0}, talk=2),
        on_asterisk)
    assert [e["extension"] for e in real.posted() if e["event"] == "answered"] == ["202"]
    assert_same_story(simulated, real)


def test_a_call_put_on_hold_and_resumed(twins):
    # The simulator's phone holds on its own; Asterisk's test world has no handset, so the caller's
    # channel is held through ARI with HOLD_INTERCEPT(set): the same ChannelHold reaches the bridge.
    twins.route({"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", ring=1)
        call_id = asterisk.pbx.call_in(**CALLER, talk=4)
        asterisk.odoo.wait_event(call_id, "answered", timeout=10)
        time.sleep(1)
        asterisk.hold(call_id, seconds=1.5)
        return call_id

    simulated, real = twins.play(
        lambda simulator: simulator.call_in(preset="hold", agents={"201": 1.0}, talk=4, hold_at=1, hold_for=1.5),
        on_asterisk)
    assert [e["event"] for e in real.posted()] == ["ringing", "answered", "hold", "unhold", "hangup"]
    assert_same_story(simulated, real)


def test_a_recorded_call(twins):
    twins.route({"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"})

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", ring=1)
        return asterisk.pbx.call_in(**CALLER, talk=3)

    simulated, real = twins.play(
        lambda simulator: simulator.call_in(preset="recording", agents={"201": 1.0}, talk=3),
        on_asterisk, until=("hangup", "recording"), record_calls=True)
    assert real.posted()[-1]["recording"] == ("odoo-call-<call>.wav", "audio/wav")
    assert_same_story(simulated, real)


# ---------------------------------------------------------------------- click-to-dial

def test_click_to_dial_answered_by_the_customer(twins):
    def on_simulator(simulator):
        simulator.expect_click_to_dial(preset="click_to_dial", extension="201", agent=1.0, customer=1.0, talk=3)
        return simulator.click_to_dial("201", CUSTOMER["answers"])

    def on_asterisk(asterisk):
        # The world's agent counts her talk from her own answer, the simulator from the customer's.
        asterisk.pbx.agent("201", ring=1, talk=4)
        asterisk.pbx.customers(ring=1)
        return asterisk.click_to_dial("201", CUSTOMER["answers"])

    simulated, real = twins.play(on_simulator, on_asterisk)
    assert [e["event"] for e in real.posted()] == ["ringing", "answered", "hangup"]
    assert_same_story(simulated, real)


@pytest.mark.parametrize(("customer", "reason"), [("busy", "busy"), ("never", "no_answer"),
                                                  ("congestion", "congestion")])
def test_click_to_dial_whose_customer_does_not_answer(twins, customer, reason):
    def on_simulator(simulator):
        simulator.expect_click_to_dial(extension="201", agent=1.0, customer=customer)
        return simulator.click_to_dial("201", CUSTOMER[customer])

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", ring=1)
        return asterisk.click_to_dial("201", CUSTOMER[customer])

    # A customer who never answers is given up by the bridge's 30 s originate time-out.
    simulated, real = twins.play(on_simulator, on_asterisk, timeout=50)
    assert (real.posted()[-1]["reason"], real.posted()[-1]["leg"]) == (reason, "customer")
    assert_same_story(simulated, real)


@pytest.mark.parametrize(("phone", "reason"), [("busy", "busy"), ("never", "no_answer"),
                                               ("congestion", "congestion")])
def test_click_to_dial_whose_users_own_phone_does_not_answer(twins, phone, reason):
    def on_simulator(simulator):
        simulator.expect_click_to_dial(extension="201", agent=phone)
        return simulator.click_to_dial("201", CUSTOMER["answers"])

    def on_asterisk(asterisk):
        asterisk.pbx.agent("201", mode=phone)
        return asterisk.click_to_dial("201", CUSTOMER["answers"])

    # The bridge gives her phone 30 s to answer; 4 s here tell the same story sooner.
    simulated, real = twins.play(on_simulator, on_asterisk, click_to_dial_ring_seconds=4)
    assert real.posted() == [{"event": "hangup", "direction": "outbound", "from": "201", "to": CUSTOMER["answers"],
                              "extension": "201", "reason": reason, "leg": "agent"}]
    assert_same_story(simulated, real)
