"""Inbound calls through the real Asterisk: what the bridge tells Odoo, and what is left on the PBX."""

import datetime

from .conftest import wait_for, wait_hangup


def seconds_between(first, second):
    moment = datetime.datetime.fromisoformat
    return (moment(second["time"]) - moment(first["time"])).total_seconds()


def test_an_answered_call_rings_the_agent_then_is_logged_with_its_real_talk_time(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "voicemail", "skip": False}
    pbx.agent("201", ring=1)
    make_bridge()
    call_id = pbx.call_in(number="+48221234567", name="Jan Kowalski", talk=3)
    hangup = wait_hangup(odoo, call_id)
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    ringing, answered, _ = odoo.of(call_id)
    assert (ringing["from"], ringing["to"], ringing["extension"]) == ("+48221234567", "48221000000", "201")
    assert answered["extension"] == "201" and hangup["reason"] == "answered"
    assert 0.8 <= seconds_between(ringing, answered) <= 2.0
    assert 2.8 <= seconds_between(answered, hangup) <= 3.6
    assert odoo.route_requests[0]["call_id"] == call_id
    pbx.wait_idle()


def test_ring_all_connects_the_first_agent_who_answers_and_hangs_up_the_others(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201", "202", "203"], "timeout": 10}], "fallback": "hangup"}
    pbx.agent("201", mode="never")
    pbx.agent("202", ring=1)
    pbx.agent("203", ring=3)
    make_bridge()
    call_id = pbx.call_in(talk=2)
    wait_hangup(odoo, call_id)
    events = odoo.of(call_id)
    assert sorted(e["extension"] for e in events if e["event"] == "ringing") == ["201", "202", "203"]
    assert [e["extension"] for e in events if e["event"] == "answered"] == ["202"]
    pbx.wait_idle()


def test_the_owner_first_then_the_next_step_when_the_owner_does_not_answer(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 2}, {"extensions": ["202"], "timeout": 10}],
                  "fallback": "voicemail"}
    pbx.agent("201", mode="never")
    pbx.agent("202", ring=1)
    make_bridge()
    call_id = pbx.call_in(talk=2)
    wait_hangup(odoo, call_id)
    assert [(e["event"], e["extension"]) for e in odoo.of(call_id)] == [
        ("ringing", "201"), ("ringing", "202"), ("answered", "202"), ("hangup", "202")]
    pbx.wait_idle()


def test_a_busy_agent_is_skipped_at_once(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}, {"extensions": ["202"], "timeout": 10}],
                  "fallback": "hangup"}
    pbx.agent("201", mode="busy")
    pbx.agent("202", ring=1)
    make_bridge()
    call_id = pbx.call_in(talk=1)
    wait_hangup(odoo, call_id, timeout=15)
    assert [e["extension"] for e in odoo.of(call_id) if e["event"] == "answered"] == ["202"]


def test_a_caller_who_gives_up_while_ringing_is_a_cancelled_call(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201", "202"], "timeout": 20}], "fallback": "voicemail"}
    pbx.agent("201", mode="never")
    pbx.agent("202", mode="never")
    make_bridge()
    call_id = pbx.call_in(give_up_after=3)
    hangup = wait_hangup(odoo, call_id)
    assert hangup["reason"] == "cancel"
    assert "answered" not in odoo.kinds(call_id)
    pbx.wait_idle()


def test_a_caller_gone_when_the_bridge_hears_the_agent_answer_is_cancelled_not_answered(pbx, odoo, make_bridge,
                                                                                        watcher):
    """Under load the bridge reads ARI events late (bench_asterisk_load.py): the agent's answer can reach it
    after the caller hung up, the caller's ChannelDestroyed still queued behind it. Nobody talked."""
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 20}], "fallback": "hangup"}
    pbx.agent("201", ring=2)
    bridge = make_bridge()
    call_id = pbx.call_in(give_up_after=4)

    def seen(kind, predicate):
        return any(e["type"] == kind and predicate(e) for e in watcher.of_channel(lambda c: True))

    def agent_leg(event):
        return (event.get("channel") or event.get("peer") or {}).get("name", "").startswith("Local/201@agents")

    wait_for(lambda: seen("Dial", lambda e: agent_leg(e) and e.get("dialstatus") == "RINGING"))
    with bridge.tracker._lock:  # the bridge falls behind; the PBX goes on: the agent answers, the caller leaves
        wait_for(lambda: seen("Dial", lambda e: agent_leg(e) and e.get("dialstatus") == "ANSWER"), timeout=10)
        wait_for(lambda: seen("ChannelDestroyed", lambda e: e["channel"]["id"] == call_id), timeout=10)
    hangup = wait_hangup(odoo, call_id)
    assert odoo.kinds(call_id) == ["ringing", "hangup"]
    assert hangup["reason"] == "cancel"
    pbx.wait_idle()


def test_nobody_answers_the_caller_hears_the_greeting_and_leaves_a_message(pbx, odoo, make_bridge, watcher):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 2}], "fallback": "voicemail"}
    pbx.agent("201", mode="never")
    make_bridge()
    call_id = pbx.call_in(talk=9)
    hangup = wait_hangup(odoo, call_id, timeout=30)
    voicemail = odoo.wait_event(call_id, "voicemail", timeout=15)
    assert hangup["reason"] == "no_answer"
    assert odoo.kinds(call_id) == ["ringing", "hangup", "voicemail"]
    # The greeting and the beep played to the caller before the recording began.
    played = [e["playback"]["media_uri"] for e in watcher.events if e["type"] == "PlaybackStarted"]
    assert any(uri.endswith("voicemail-greeting") for uri in played), played
    started = [e for e in watcher.events if e["type"] == "RecordingStarted"]
    finished_playback = [e for e in watcher.events if e["type"] == "PlaybackFinished"]
    assert started and finished_playback and finished_playback[0]["timestamp"] <= started[0]["timestamp"]
    assert voicemail["recording"]["name"].endswith(".wav")
    wait_for(lambda: not pbx.stored_recordings(), timeout=10)


def test_an_exception_list_number_rings_but_leaves_no_trace(pbx, odoo, make_bridge, caplog):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup", "skip": True}
    pbx.agent("201", ring=1)
    make_bridge(record_calls=True)
    call_id = pbx.call_in(number="+48501234567", talk=2)
    wait_for(lambda: any(c["id"] == call_id for c in pbx.channels()), timeout=10)
    wait_for(lambda: not any(c["id"] == call_id for c in pbx.channels()), timeout=20)
    pbx.wait_idle()
    assert odoo.of(call_id) == []
    assert pbx.stored_recordings() == []
    assert "501234567" not in caplog.text
