"""Calls proceed independently: one call stuck on a slow PBX, disk or download holds back nobody else."""

import threading
import time

import pytest
import requests

from pbx_bridge.lanes import Lanes

from .conftest import wait_for

STUCK_FOR = 8.0  # longer than any wait below: a call that waited for the stuck one would fail the test


class Gate:
    """Wraps a method of the bridge so that its first call matching ``which`` blocks until ``release()``."""

    def __init__(self, owner, name, which=lambda *args, **kwargs: True):
        self.entered = threading.Event()
        self.released = threading.Event()
        self.held = []
        original = getattr(owner, name)

        def gated(*args, **kwargs):
            if not self.entered.is_set() and which(*args, **kwargs):
                self.held.append(args)
                self.entered.set()
                self.released.wait(STUCK_FOR)
            return original(*args, **kwargs)

        setattr(owner, name, gated)

    def release(self):
        self.released.set()


def _second_call_goes_through(sim, odoo, gate, stuck_call_id, stuck_kinds):
    """While ``gate`` holds the first call, a second one rings, is answered and ends, and Odoo hears it all."""
    started = time.monotonic()
    scenario = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.3)
    call_id = sim.caller_channel(scenario["id"])
    odoo.wait_event(call_id, "ringing", timeout=3)
    ringing_after = time.monotonic() - started
    odoo.wait_event(call_id, "hangup", timeout=5)
    assert odoo.kinds(call_id)[:3] == ["ringing", "answered", "hangup"]
    assert not gate.released.is_set(), "the first call was still stuck"
    assert odoo.kinds(stuck_call_id) == stuck_kinds, "nothing of the stuck call overtook it"
    assert ringing_after < 3
    return call_id


def test_a_call_waiting_on_a_slow_ari_request_holds_back_no_other_call(sim, odoo, make_bridge):
    bridge = make_bridge()
    gate = Gate(bridge.rest, "ring")  # the first call's ringback: its plan waits on ARI
    first = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.3)
    first_id = sim.caller_channel(first["id"])
    assert gate.entered.wait(5) and gate.held == [(first_id,)]
    _second_call_goes_through(sim, odoo, gate, first_id, [])
    gate.release()
    odoo.wait_event(first_id, "hangup", timeout=10)
    assert odoo.kinds(first_id) == ["ringing", "answered", "hangup"]
    sim.wait_call(first["id"])


def test_a_slow_recording_download_holds_back_no_other_call(sim, odoo, make_bridge):
    bridge = make_bridge(record_calls=True)
    gate = Gate(bridge.rest, "stored_recording")
    first = sim.start_call(preset="recording", agents={"101": 0.2}, talk=0.4)
    first_id = sim.caller_channel(first["id"])
    assert gate.entered.wait(10)
    second_id = _second_call_goes_through(sim, odoo, gate, first_id, ["ringing", "answered", "hangup"])
    gate.release()
    recording = odoo.wait_event(first_id, "recording", timeout=10)
    assert recording["recording"]["name"] == "odoo-call-" + first_id.replace(".", "-") + ".wav"
    odoo.wait_event(second_id, "recording", timeout=10)


@pytest.mark.parametrize("stuck", ["spool", "store"])
def test_a_slow_disk_write_of_one_call_holds_back_no_other_call(sim, odoo, make_bridge, stuck):
    bridge = make_bridge()
    calls = {}

    def of_the_first_call_once_answered(*args):
        first_id = calls.get("first")
        if stuck == "spool":
            return args[0]["call_id"] == first_id and args[0]["event"] == "answered"
        return args[0] == first_id and args[1].get("answered")

    gate = Gate(bridge.spool if stuck == "spool" else bridge.store, "append" if stuck == "spool" else "save",
                of_the_first_call_once_answered)
    first = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.3)
    calls["first"] = first_id = sim.caller_channel(first["id"])
    assert gate.entered.wait(5)
    # The spool's write of the answer is what is stuck; the store's write comes after the answer is spooled.
    _second_call_goes_through(sim, odoo, gate, first_id, ["ringing"] if stuck == "spool" else ["ringing", "answered"])
    gate.release()
    odoo.wait_event(first_id, "hangup", timeout=10)
    assert odoo.kinds(first_id) == ["ringing", "answered", "hangup"]


def test_a_leg_rung_while_the_bridge_reconnects_is_not_taken_for_gone(sim, odoo, make_bridge):
    """The call's lane rings the agent after ARI listed the channels for the reconnection: the reconciliation,
    queued behind it, asks ARI about that leg rather than ending the call."""
    bridge = make_bridge()
    gate = Gate(bridge.rest, "ring")
    scenario = sim.start_call(preset="answered", agents={"101": 0.5}, talk=0.5)
    call_id = sim.caller_channel(scenario["id"])
    assert gate.entered.wait(5)
    requests.post(f"{sim.url}/sim/disconnect", params={"refuse": 0.3}, timeout=5)
    wait_for(lambda: not bridge.events.connected.is_set())
    wait_for(bridge.events.connected.is_set)
    gate.release()
    hangup = odoo.wait_event(call_id, "hangup", timeout=10)
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    assert hangup["reason"] == "answered"
    sim.wait_call(scenario["id"])


def test_a_call_stuck_during_a_reconnection_that_ended_meanwhile_is_closed(sim, odoo, make_bridge):
    """A call whose lane was busy while the bridge was away is reconciled after that work: the caller who
    hung up meanwhile gets the call's hangup, though the listing was taken before."""
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 10}], "fallback": "hangup"}
    bridge = make_bridge()
    gate = Gate(bridge.rest, "ring")
    scenario = sim.start_call(preset="caller_gives_up", agents={"101": "never"}, caller_gives_up_after=1.2)
    call_id = sim.caller_channel(scenario["id"])
    assert gate.entered.wait(5)
    requests.post(f"{sim.url}/sim/disconnect", params={"refuse": 2.0}, timeout=5)
    wait_for(lambda: not bridge.events.connected.is_set())
    sim.wait_call(scenario["id"])  # the caller gave up while nobody listened
    wait_for(bridge.events.connected.is_set)
    gate.release()
    hangup = odoo.wait_event(call_id, "hangup", timeout=10)
    assert hangup["reason"] in ("cancel", "no_answer")
    assert bridge.tracker.wait_idle(10)
    assert call_id not in bridge.tracker.calls


def test_lanes_keep_the_order_of_each_key_and_run_keys_side_by_side():
    lanes = Lanes("test", max_workers=4)
    done, release = [], threading.Event()
    lanes.submit("slow", release.wait, 5)
    for n in range(20):
        lanes.submit("slow", done.append, ("slow", n))
        lanes.submit(f"fast-{n % 3}", done.append, (f"fast-{n % 3}", n))
    wait_for(lambda: sum(key != "slow" for key, _n in done) == 20, timeout=3)
    assert [n for key, n in done if key == "slow"] == []
    release.set()
    assert lanes.wait_idle(5)
    for key in ("slow", "fast-0", "fast-1", "fast-2"):
        numbers = [n for k, n in done if k == key]
        assert numbers == sorted(numbers) and numbers
    assert lanes.stop(1) and not lanes.submit("late", done.append, ("late", 0))


def test_a_failing_task_is_logged_and_its_lane_goes_on(caplog):
    lanes = Lanes("test")
    done = []
    lanes.submit("k", lambda: 1 / 0)
    lanes.submit("k", done.append, 1)
    assert lanes.wait_idle(5)
    assert done == [1]
    assert "work on k failed" in caplog.text
