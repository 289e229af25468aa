"""The simulated PBX replays the recorded Asterisk scenarios with the same event stream.

Each test drives the simulator with the REST requests of a recording of a real
Asterisk 22 (in ``../shared/ari-samples`` beside the checkout; times shortened)
and compares, ids and timestamps aside, what the events WebSocket says with what
the real Asterisk said: per channel, the sequence of (type, state, dial status,
cause); across the call, the order of the Stasis, bridge, hold and recording events. Real
Asterisk races a few events of different channels against each other (for
example a channel's first ``Dial ""`` and its ``Ringing``); those are
compared per channel, not across channels.
"""

import json
import pathlib
import queue
import re
import threading
import time

import pytest
import websocket

from .conftest import ARI_PASSWORD, ARI_USER, wait_for

# The project's shared data sits beside the checkout (``<repo>/../shared``), on every machine alike.
SAMPLES = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "ari-samples"
SIGNIFICANT = {
    "ChannelCreated", "ChannelStateChange", "Dial", "StasisStart", "StasisEnd", "ChannelHangupRequest",
    "ChannelDestroyed", "ChannelEnteredBridge", "ChannelLeftBridge", "ChannelHold", "ChannelUnhold",
}
CALL_LEVEL = {
    "StasisStart", "StasisEnd", "ChannelEnteredBridge", "ChannelLeftBridge", "BridgeCreated", "BridgeDestroyed",
    "ChannelHold", "ChannelUnhold", "RecordingStarted", "RecordingFinished",
}



def pattern(name):
    """``Local/101@agents-00000001;1`` -> ``Local/101@agents-N;1``."""
    return re.sub(r"-[0-9a-f]{8};", "-N;", name) if name else None


def per_channel(events):
    """Every channel's own sequence of significant events."""
    timelines = {}
    for event in events:
        if event["type"] not in SIGNIFICANT:
            continue
        channel = event.get("channel") or event.get("peer")
        status = event.get("dialstatus")
        if status == "":
            continue  # the opening Dial races the channel's Ringing in real Asterisk
        timelines.setdefault(pattern(channel["name"]), []).append(
            (event["type"], channel["state"], status, event.get("cause")))
    return timelines


def call_level(events):
    """The cross-channel order of what makes the call."""
    return [
        (e["type"], pattern((e.get("channel") or {}).get("name")), (e.get("args") or [None])[0],
         (e.get("recording") or {}).get("state"))
        for e in events if e["type"] in CALL_LEVEL
    ]


def load(name):
    path = SAMPLES / f"{name}.events.jsonl"
    if not path.is_file():
        # Missing data is a broken checkout, not a reason to pass quietly.
        pytest.fail(f"the recorded ARI sample {path} is missing: the shared data belongs beside the repository")
    with open(path) as handle:
        return [json.loads(line) for line in handle]


class Listener:
    """An ARI events WebSocket client collecting everything in arrival order."""

    def __init__(self, url):
        self.events = []
        self.queue = queue.Queue()
        query = f"app=odoo&subscribeAll=true&api_key={ARI_USER}:{ARI_PASSWORD}"
        ws_url = url.replace("http://", "ws://") + f"/ari/events?{query}"
        self.socket = websocket.create_connection(ws_url, timeout=5)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                event = json.loads(self.socket.recv())
                self.events.append(event)
                self.queue.put(event)
        except (websocket.WebSocketException, OSError, ValueError):
            return

    def wait(self, event_type, first_arg=None, timeout=5.0):
        """The next event of that type (and first Stasis arg) from now on."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            if event["type"] == event_type and (first_arg is None or (event.get("args") or [None])[0] == first_arg):
                return event

    def close(self):
        self.socket.close()


@pytest.fixture
def ari(sim):
    listener = Listener(sim.url)
    yield sim, listener
    listener.close()


def post(sim, path, **kwargs):
    response = sim.ari.post(f"{sim.url}/ari{path}", timeout=5, **kwargs)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def delete(sim, path):
    assert sim.ari.delete(f"{sim.url}/ari{path}", timeout=5).status_code == 204


def inbound_answered(sim, listener, talk, during_call=None):
    """The app side of samples 01, 06b and 07: ring, dial agent 101, answer, bridge."""
    post(sim, "/channels", json={
        "endpoint": "Local/48221000000@from-pstn", "context": "pstn-caller", "extension": "talk", "priority": 1,
        "callerId": "Jan Kowalski <+48221234567>", "timeout": 30, "variables": {"SIM_TALK": str(talk)}})
    caller = listener.wait("StasisStart", "inbound")["channel"]["id"]
    post(sim, f"/channels/{caller}/ring")
    post(sim, "/channels", json={
        "endpoint": "Local/101@agents", "app": "odoo", "appArgs": f"agent,{caller}",
        "callerId": "Jan Kowalski <+48221234567>", "timeout": 20, "variables": {"SIM_RING": "0.2"},
        "originator": caller})
    agent = listener.wait("StasisStart", "agent")["channel"]["id"]
    post(sim, f"/channels/{caller}/answer")
    bridge = post(sim, "/bridges", params={"type": "mixing", "name": f"call-{caller}"})["id"]
    post(sim, f"/bridges/{bridge}/addChannel", params={"channel": f"{caller},{agent}"})
    if during_call:
        during_call(caller, bridge)
    listener.wait("StasisEnd", timeout=10)
    delete(sim, f"/channels/{agent}")
    delete(sim, f"/bridges/{bridge}")


def assert_same_as_sample(sample, listener):
    wait_for(lambda: any(e["type"] == "BridgeDestroyed" for e in listener.events))
    wait_for(lambda: sum(e["type"] == "ChannelDestroyed" for e in listener.events) == 4)
    recorded = load(sample)
    assert per_channel(listener.events) == per_channel(recorded)
    assert call_level(listener.events) == call_level(recorded)


def test_simulator_plays_an_answered_inbound_call_like_asterisk(ari):
    sim, listener = ari
    inbound_answered(sim, listener, talk=0.4)
    assert_same_as_sample("01_inbound_answered", listener)


def test_simulator_reports_hold_with_hold_intercept_like_asterisk(ari):
    sim, listener = ari

    def hold(caller, bridge):
        post(sim, f"/channels/{caller}/variable", json={"variable": "HOLD_INTERCEPT(set)", "value": ""})
        time.sleep(0.1)
        post(sim, f"/channels/{caller}/hold")
        time.sleep(0.2)
        delete(sim, f"/channels/{caller}/hold")

    inbound_answered(sim, listener, talk=0.8, during_call=hold)
    assert_same_as_sample("06b_hold_intercept", listener)


def test_simulator_records_a_bridge_like_asterisk(ari):
    sim, listener = ari

    def record(caller, bridge):
        name = "odoo-call-" + caller.replace(".", "-")
        answer = post(sim, f"/bridges/{bridge}/record", params={
            "name": name, "format": "wav", "ifExists": "overwrite", "beep": "false", "terminateOn": "none"})
        assert answer == {"name": name, "format": "wav", "state": "queued", "target_uri": f"bridge:{bridge}"}
        time.sleep(0.2)
        assert sim.ari.get(f"{sim.url}/ari/recordings/live/{name}", timeout=5).json()["state"] == "recording"
        post(sim, f"/recordings/live/{name}/stop")
        post(sim, f"/bridges/{bridge}/record", params={"name": f"{name}-part2", "format": "wav"})

    inbound_answered(sim, listener, talk=0.8, during_call=record)
    assert_same_as_sample("07_recording", listener)
    stored = sim.ari.get(f"{sim.url}/ari/recordings/stored", timeout=5).json()
    assert [r["format"] for r in stored] == ["wav", "wav"]
    audio = sim.ari.get(f"{sim.url}/ari/recordings/stored/{stored[0]['name']}/file", timeout=5)
    assert audio.headers["Content-Type"] == "audio/wav" and audio.content[:4] == b"RIFF"


def test_simulator_plays_click_to_dial_like_asterisk(ari):
    sim, listener = ari
    post(sim, "/channels", json={
        "endpoint": "Local/101@agents", "app": "odoo", "appArgs": "clicktodial-agent,+48221234567",
        "callerId": "Jan Kowalski <+48221234567>", "timeout": 30, "variables": {"SIM_RING": "0.2", "SIM_TALK": "0.6"}})
    agent = listener.wait("StasisStart", "clicktodial-agent")["channel"]["id"]
    bridge = post(sim, "/bridges", params={"type": "mixing", "name": f"c2d-{agent}"})["id"]
    post(sim, f"/bridges/{bridge}/addChannel", params={"channel": agent})
    post(sim, "/channels", json={
        "endpoint": "Local/+48221234567@pstn-out", "app": "odoo", "appArgs": f"clicktodial-customer,{agent}",
        "callerId": "Odoo Company <+48221000000>", "timeout": 30, "variables": {"SIM_RING": "0.2"},
        "originator": agent})
    customer = listener.wait("StasisStart", "clicktodial-customer")["channel"]["id"]
    post(sim, f"/bridges/{bridge}/addChannel", params={"channel": customer})
    listener.wait("StasisEnd", timeout=10)
    delete(sim, f"/channels/{customer}")
    delete(sim, f"/bridges/{bridge}")
    assert_same_as_sample("04_outbound_click_to_dial_answered", listener)


def caller_in_stasis(sim, listener, talk):
    post(sim, "/channels", json={
        "endpoint": "Local/48221000000@from-pstn", "context": "pstn-caller", "extension": "talk", "priority": 1,
        "callerId": "Jan Kowalski <+48221234567>", "timeout": 30, "variables": {"SIM_TALK": str(talk)}})
    return listener.wait("StasisStart", "inbound")["channel"]["id"]


def playbacks(listener):
    return [(e["type"], e["playback"]["media_uri"], e["playback"].get("next_media_uri"), e["playback"]["state"])
            for e in listener.events if e["type"].startswith("Playback")]


# The rules below were read from the project's own Asterisk 22 (tests/asterisk/test_simulator_twins.py
# compares the simulator with it scenario by scenario).

def test_simulator_plays_a_greeting_then_the_beep_like_asterisk(ari):
    sim, listener = ari
    caller = caller_in_stasis(sim, listener, talk=3)
    post(sim, f"/channels/{caller}/answer")
    answer = sim.ari.post(f"{sim.url}/ari/channels/{caller}/play/greeting-1",
                          params={"media": "sound:vm-intro,sound:beep"}, timeout=5)
    assert answer.status_code == 201 and answer.headers["Location"] == "/ari/playbacks/greeting-1"
    assert answer.json() == {"id": "greeting-1", "media_uri": "sound:vm-intro", "next_media_uri": "sound:beep",
                             "target_uri": f"channel:{caller}", "language": "en", "state": "queued"}
    listener.wait("PlaybackFinished")
    # One playback for the whole list: each media starts in turn, only the last one finishes.
    assert playbacks(listener) == [
        ("PlaybackStarted", "sound:vm-intro", "sound:beep", "playing"),
        ("PlaybackContinuing", "sound:vm-intro", "sound:beep", "continuing"),
        ("PlaybackStarted", "sound:beep", None, "playing"),
        ("PlaybackFinished", "sound:beep", None, "done"),
    ]
    assert sim.ari.get(f"{sim.url}/ari/playbacks/greeting-1", timeout=5).status_code == 404


def test_simulator_fails_the_greeting_of_a_caller_who_hangs_up_during_it_like_asterisk(ari):
    sim, listener = ari
    caller = caller_in_stasis(sim, listener, talk=0.2)
    post(sim, f"/channels/{caller}/answer")
    post(sim, f"/channels/{caller}/play/greeting-2", params={"media": "sound:vm-intro,sound:beep"})
    listener.wait("StasisEnd", timeout=5)
    assert playbacks(listener)[-1] == ("PlaybackFinished", "sound:vm-intro", "sound:beep", "failed")
    order = [e["type"] for e in listener.events if e["type"] in ("PlaybackFinished", "StasisEnd")]
    assert order == ["PlaybackFinished", "StasisEnd"]


def test_simulator_names_the_second_half_of_an_originated_channel_after_its_id_like_asterisk(ari):
    sim, listener = ari
    post(sim, "/channels", json={"endpoint": "Local/101@agents", "app": "odoo", "appArgs": "agent,x",
                                 "channelId": "leg-1", "timeout": 1, "variables": {"SIM_RING": "never"}})
    wait_for(lambda: sum(e["type"] == "ChannelDestroyed" for e in listener.events) == 2)
    assert [e["channel"]["id"] for e in listener.events if e["type"] == "ChannelCreated"] == ["leg-1", "leg-1;2"]


def test_simulator_busy_phone_refuses_without_ringing_like_asterisk(ari):
    sim, listener = ari
    post(sim, "/channels", json={"endpoint": "Local/101@agents", "app": "odoo", "appArgs": "agent,x",
                                 "channelId": "leg-2", "timeout": 5, "variables": {"SIM_BUSY": "1"}})
    wait_for(lambda: sum(e["type"] == "ChannelDestroyed" for e in listener.events) == 2)
    assert per_channel(listener.events) == {
        "Local/101@agents-N;1": [("ChannelCreated", "Down", None, None), ("Dial", "Down", "BUSY", None),
                                 ("ChannelDestroyed", "Down", None, 0)],
        "Local/101@agents-N;2": [("ChannelCreated", "Ring", None, None), ("ChannelStateChange", "Busy", None, None),
                                 ("ChannelHangupRequest", "Busy", None, 0), ("ChannelHangupRequest", "Busy", None, 16),
                                 ("ChannelDestroyed", "Busy", None, 17)],
    }


def test_simulator_answers_errors_with_ari_status_codes(sim):
    base = f"{sim.url}/ari"
    assert sim.ari.get(f"{base}/channels/nope", timeout=5).status_code == 404
    assert sim.ari.get(f"{base}/bridges/nope", timeout=5).status_code == 404
    assert sim.ari.get(f"{base}/recordings/stored/nope/file", timeout=5).status_code == 404
    assert sim.ari.post(f"{base}/channels", json={}, timeout=5).status_code == 400
    bridge = sim.ari.post(f"{base}/bridges", params={"type": "mixing"}, timeout=5).json()["id"]
    assert sim.ari.post(f"{base}/bridges/{bridge}/addChannel", timeout=5).status_code == 400
    assert sim.ari.post(f"{base}/bridges/{bridge}/record", params={"format": "wav"}, timeout=5).status_code == 400
    wrong = sim.ari.get(f"{base}/asterisk/info", auth=(ARI_USER, "wrong"), timeout=5)
    assert wrong.status_code == 401
    info = sim.ari.get(f"{base}/asterisk/info", timeout=5).json()
    assert info["system"]["version"].startswith("22")
