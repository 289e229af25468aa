"""What a real PBX does to calls: it crashes, it is stopped, the bridge dies or is restarted.

Each test plays one failure during a live call and says exactly what Odoo must end up with."""

import base64
import datetime
import io
import signal
import time
import wave

import pytest

from .conftest import CUSTOMER, Watcher, click_to_dial, wait_for, wait_hangup
from .test_inbound_calls import seconds_between


def now_iso():
    return datetime.datetime.now(datetime.UTC).isoformat()


def test_asterisk_killed_during_a_call_ends_it_with_its_real_duration_and_valid_audio(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"}
    pbx.agent("201", ring=1)
    make_bridge(record_calls=True)
    call_id = pbx.call_in()
    answered = odoo.wait_event(call_id, "answered", timeout=15)
    time.sleep(4)
    killed_at = {"time": now_iso()}
    pbx.kill9()
    time.sleep(3)
    pbx.start()
    hangup = wait_hangup(odoo, call_id, timeout=30)
    assert hangup["reason"] == "answered"
    assert abs(seconds_between(killed_at, hangup)) <= 1.0
    assert abs(seconds_between(answered, hangup) - 4) <= 1.0
    # The recording cut by the crash is posted repaired (a WAV any player opens): what Asterisk had
    # written to disk, which lacks the last seconds it still held in its write buffer.
    recording = odoo.wait_event(call_id, "recording", timeout=20)
    audio = base64.b64decode(recording["recording"]["data_base64"])
    with wave.open(io.BytesIO(audio)) as wav:
        assert 0 < wav.getnframes() / wav.getframerate() <= 5.0
    pbx.wait_idle()


def test_asterisk_stopped_during_a_call_still_hands_over_the_recording_after_its_restart(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"}
    pbx.agent("201", ring=1)
    bridge = make_bridge(record_calls=True)
    call_id = pbx.call_in()
    odoo.wait_event(call_id, "answered", timeout=15)
    time.sleep(3)
    pbx.cli("core stop now")
    wait_for(lambda: not pbx._answers(), timeout=10)
    hangup = wait_hangup(odoo, call_id, timeout=15)
    assert hangup["reason"] == "answered"
    time.sleep(2)
    pbx.start()
    bridge.tracker.tick()  # what the bridge does every few seconds: ask again for what it could not fetch
    recording = odoo.wait_event(call_id, "recording", timeout=30)
    assert recording["recording"]["name"].endswith(".wav")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_bridge_killed_during_an_answered_call_closes_it_after_its_restart(pbx, odoo, bridge_process, sig):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"}
    pbx.agent("201", ring=1)
    bridge_process.start()
    call_id = pbx.call_in(talk=4)
    odoo.wait_event(call_id, "answered", timeout=15)
    bridge_process.kill(sig)
    time.sleep(5)  # the caller hangs up while no bridge listens; the agent stays alone in our bridge
    ended_at = {"time": now_iso()}
    bridge_process.start()
    hangup = wait_hangup(odoo, call_id, timeout=60, bridge=bridge_process)
    assert hangup["reason"] == "answered"
    assert seconds_between(ended_at, hangup) < 60
    pbx.wait_idle(timeout=15)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_bridge_killed_while_an_agent_rings_picks_the_call_up_again(pbx, odoo, bridge_process, sig):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 20}], "fallback": "hangup"}
    pbx.agent("201", ring=6, talk=2)
    bridge_process.start()
    call_id = pbx.call_in()
    odoo.wait_event(call_id, "ringing", timeout=15)
    bridge_process.kill(sig)
    time.sleep(1)
    bridge_process.start()
    hangup = wait_hangup(odoo, call_id, timeout=60, bridge=bridge_process)
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    assert hangup["reason"] == "answered" and hangup["extension"] == "201"
    pbx.wait_idle(timeout=15)


def test_bridge_killed_while_a_click_to_dial_customer_rings(pbx, odoo, bridge_process):
    pbx.agent("201", ring=1)
    pbx.customers(ring=5, talk=2)
    bridge_process.start()
    call_id = click_to_dial(odoo, "201", CUSTOMER["answers"])
    odoo.wait_event(call_id, "ringing", timeout=15)
    bridge_process.kill()
    time.sleep(1)
    bridge_process.start()
    hangup = wait_hangup(odoo, call_id, timeout=60, bridge=bridge_process)
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    assert hangup["reason"] == "answered"
    pbx.wait_idle(timeout=15)


def test_odoo_stopped_then_frozen_loses_and_duplicates_nothing(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"}
    pbx.agent("201", ring=1)
    make_bridge()
    odoo.mode = "error"  # Odoo's workers answer 500 for 10 s
    first = pbx.call_in(talk=2)
    time.sleep(10)
    odoo.mode = "hang"  # then it freezes for 10 s more: no answer within the bridge's time-out
    second = pbx.call_in(number="+48221112233", talk=2)
    time.sleep(10)
    odoo.mode = "ok"
    for call_id in (first, second):
        wait_hangup(odoo, call_id, timeout=60)
        assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    ids = [e["event_id"] for e in odoo.events]
    assert len(ids) == len(set(ids))


def test_a_call_that_arrives_while_no_bridge_listens_rings_reception(pbx, odoo, bridge_process, watcher):
    bridge_process.start()
    bridge_process.kill()
    pbx.agent("299", ring=1)
    pbx.call_in(talk=2)
    wait_for(lambda: watcher.answered_extensions() == ["299"], timeout=20)
    pbx.wait_idle()


def test_a_call_that_arrives_before_any_bridge_ever_connected_rings_reception(pbx):
    pbx.stop()
    pbx.start()
    watcher = Watcher(pbx)
    pbx.agent("299", ring=1)
    pbx.call_in(talk=2)
    wait_for(lambda: watcher.answered_extensions() == ["299"], timeout=20)
    watcher.close()
