"""The bridge against the simulated PBX, as users of the phone system live it."""

import base64
import io
import wave

import pytest

from .conftest import wait_for


def test_answered_inbound_call_pops_up_then_is_logged_as_answered(sim, odoo, make_bridge):
    make_bridge()
    scenario = sim.start_call(preset="answered", agents={"101": 0.3}, talk=0.5)
    call_id = sim.caller_channel(scenario["id"])
    sim.wait_call(scenario["id"])
    hangup = odoo.wait_event(call_id, "hangup")
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    ringing, answered = odoo.of(call_id)[:2]
    assert ringing["extension"] == "101" and ringing["direction"] == "inbound"
    assert ringing["from"] == "+48221234567" and ringing["to"] == "48221000000"
    assert answered["extension"] == "101"
    assert hangup["reason"] == "answered"
    assert ringing["time"].endswith("+00:00")
    assert odoo.route_requests[0] == {"from": "+48221234567", "to": "48221000000", "call_id": call_id}


def test_call_nobody_answers_ends_as_no_answer(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 1}], "fallback": "hangup"}
    make_bridge()
    scenario = sim.start_call(preset="missed")
    call_id = sim.caller_channel(scenario["id"])
    hangup = odoo.wait_event(call_id, "hangup")
    sim.wait_call(scenario["id"])
    assert hangup["reason"] == "no_answer"
    assert odoo.kinds(call_id) == ["ringing", "hangup"]


def test_caller_who_hangs_up_while_ringing_is_reported_unanswered(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101", "102"], "timeout": 10}], "fallback": "voicemail"}
    make_bridge()
    scenario = sim.start_call(preset="caller_gives_up", caller_gives_up_after=0.6)
    call_id = sim.caller_channel(scenario["id"])
    hangup = odoo.wait_event(call_id, "hangup")
    sim.wait_call(scenario["id"])
    assert hangup["reason"] == "cancel"
    assert sorted(e["extension"] for e in odoo.of(call_id) if e["event"] == "ringing") == ["101", "102"]
    assert "answered" not in odoo.kinds(call_id)


def test_ring_all_step_connects_the_first_agent_who_answers(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101", "102", "103"], "timeout": 5}], "fallback": "hangup"}
    make_bridge()
    scenario = sim.start_call(agents={"101": "never", "102": 0.3, "103": 0.8}, talk=0.4)
    call_id = sim.caller_channel(scenario["id"])
    sim.wait_call(scenario["id"])
    odoo.wait_event(call_id, "hangup")
    events = odoo.of(call_id)
    assert sorted(e["extension"] for e in events if e["event"] == "ringing") == ["101", "102", "103"]
    assert [e["extension"] for e in events if e["event"] == "answered"] == ["102"]
    assert events[-1]["reason"] == "answered"


def test_owner_who_does_not_answer_passes_the_call_to_the_next_step(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 1}, {"extensions": ["102"], "timeout": 5}],
                  "fallback": "voicemail"}
    make_bridge()
    scenario = sim.start_call(agents={"101": "never", "102": 0.3}, talk=0.4)
    call_id = sim.caller_channel(scenario["id"])
    sim.wait_call(scenario["id"])
    odoo.wait_event(call_id, "hangup")
    events = odoo.of(call_id)
    assert [(e["event"], e["extension"]) for e in events] == [
        ("ringing", "101"), ("ringing", "102"), ("answered", "102"), ("hangup", "102"),
    ]


def test_busy_agent_is_skipped_at_once(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 10}, {"extensions": ["102"], "timeout": 5}],
                  "fallback": "hangup"}
    make_bridge()
    scenario = sim.start_call(agents={"101": "busy", "102": 0.2}, talk=0.3)
    call_id = sim.caller_channel(scenario["id"])
    answered = odoo.wait_event(call_id, "answered", timeout=5)
    assert answered["extension"] == "102"
    sim.wait_call(scenario["id"])


def test_unanswered_call_leaves_a_voicemail_with_the_audio(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 1}], "fallback": "voicemail"}
    make_bridge()
    # The caller hears the greeting and the beep (half a second each on the simulator), then speaks.
    scenario = sim.start_call(preset="missed", talk=1.6)
    call_id = sim.caller_channel(scenario["id"])
    voicemail = odoo.wait_event(call_id, "voicemail")
    sim.wait_call(scenario["id"])
    assert odoo.kinds(call_id) == ["ringing", "hangup", "voicemail"]
    assert odoo.of(call_id)[1]["reason"] == "no_answer"
    audio = base64.b64decode(voicemail["recording"]["data_base64"])
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    assert voicemail["recording"]["content_type"] == "audio/wav"
    assert voicemail["recording"]["name"].endswith(".wav") and voicemail["recording"]["name"].count(".") == 1


def test_recorded_call_delivers_the_wav_then_removes_it_from_the_pbx(sim, odoo, make_bridge):
    make_bridge(record_calls=True)
    scenario = sim.start_call(preset="recording", agents={"101": 0.2}, talk=0.6)
    call_id = sim.caller_channel(scenario["id"])
    recording = odoo.wait_event(call_id, "recording")
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup", "recording"]
    name = recording["recording"]["name"]
    assert name == "odoo-call-" + call_id.replace(".", "-") + ".wav"
    with wave.open(io.BytesIO(base64.b64decode(recording["recording"]["data_base64"]))) as audio:
        assert 0.5 <= audio.getnframes() / audio.getframerate() <= 1.0
    # Once Odoo has it, the PBX's copy goes (disk, privacy).
    stored_name = name.removesuffix(".wav")
    wait_for(lambda: sim.ari.get(f"{sim.url}/ari/recordings/stored/{stored_name}", timeout=5).status_code == 404)


def test_hold_and_resume_are_reported(sim, odoo, make_bridge):
    make_bridge()
    scenario = sim.start_call(preset="hold", agents={"101": 0.2}, talk=1.2, hold_at=0.2, hold_for=0.4)
    call_id = sim.caller_channel(scenario["id"])
    sim.wait_call(scenario["id"])
    odoo.wait_event(call_id, "hangup")
    assert odoo.kinds(call_id) == ["ringing", "answered", "hold", "unhold", "hangup"]
    assert all(e["extension"] == "101" for e in odoo.of(call_id)[1:])


def test_number_on_the_exception_list_is_connected_but_leaves_no_trace(sim, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 5}], "fallback": "hangup", "skip": True}
    make_bridge()
    scenario = sim.start_call(agents={"101": 0.2}, talk=0.3)
    call_id = sim.caller_channel(scenario["id"])
    wait_for(lambda: any(c.role == "originated" or c.dialplan["context"] == "agents"
                         for c in list(sim.engine.channels.values())))
    sim.wait_call(scenario["id"])
    assert odoo.of(call_id) == []


def test_call_still_rings_the_default_extensions_when_odoo_cannot_route(sim, odoo, make_bridge):
    odoo.route = 500
    make_bridge(default_extensions=("105",))
    scenario = sim.start_call(agents={"105": 0.2}, talk=0.3)
    call_id = sim.caller_channel(scenario["id"])
    answered = odoo.wait_event(call_id, "answered")
    assert answered["extension"] == "105"
    sim.wait_call(scenario["id"])


def test_click_to_dial_answered_by_the_customer(sim, odoo, make_bridge):
    make_bridge()
    scenario = sim.start_call(preset="click_to_dial", agent=0.2, customer=0.3, talk=0.4)
    odoo.order_dial("c2d-call-1", "+48225550000", "101")
    sim.wait_call(scenario["id"])
    hangup = odoo.wait_event("c2d-call-1", "hangup")
    events = odoo.of("c2d-call-1")
    assert [e["event"] for e in events] == ["ringing", "answered", "hangup"]
    assert events[0]["direction"] == "outbound"
    assert events[0]["from"] == "101" and events[0]["to"] == "+48225550000" and events[0]["extension"] == "101"
    assert hangup["reason"] == "answered"
    wait_for(lambda: not sim.engine.bridges)


def test_click_to_dial_to_a_busy_number_ends_busy(sim, odoo, make_bridge):
    make_bridge()
    scenario = sim.start_call(preset="busy", agent=0.2)
    odoo.order_dial("c2d-busy", "+48225550001")
    sim.wait_call(scenario["id"])
    assert odoo.wait_event("c2d-busy", "hangup")["reason"] == "busy"
    assert odoo.kinds("c2d-busy") == ["ringing", "hangup"]


def test_click_to_dial_nobody_picks_up_ends_no_answer(sim, odoo, make_bridge):
    make_bridge()
    scenario = sim.start_call(direction="outbound", agent=0.2, customer="never")
    odoo.order_dial("c2d-noanswer", "+48225550002")
    odoo.wait_event("c2d-noanswer", "ringing")
    # The bridge dials the customer with a 30 s originate time-out; shorten the wait like Asterisk would.
    customer = wait_for(lambda: next((c for c in list(sim.engine.channels.values())
                                      if c.role == "clicktodial-customer"), None))
    sim.thread.call(sim.engine.originate_timed_out, customer)
    sim.wait_call(scenario["id"])
    assert odoo.wait_event("c2d-noanswer", "hangup")["reason"] == "no_answer"


@pytest.mark.parametrize(("phone", "reason"), [("busy", "busy"), ("never", "no_answer"),
                                               ("congestion", "congestion")])
def test_click_to_dial_whose_users_own_phone_does_not_answer_is_closed_at_once(sim, odoo, make_bridge, phone,
                                                                                reason):
    make_bridge()
    scenario = sim.start_call(direction="outbound", agent=phone)
    odoo.order_dial("odoo-c2d-own-phone", "+48225550003", "101")
    if phone == "never":
        # The bridge rings her phone with a 30 s originate time-out; shorten the wait like Asterisk would.
        agent = wait_for(lambda: next((c for c in list(sim.engine.channels.values())
                                       if c.role == "clicktodial-agent"), None))
        sim.thread.call(sim.engine.originate_timed_out, agent)
    sim.wait_call(scenario["id"])
    hangup = odoo.wait_event("odoo-c2d-own-phone", "hangup")
    # She was never on the call: nothing rang for Odoo, and the call is not left in progress.
    assert odoo.kinds("odoo-c2d-own-phone") == ["hangup"]
    assert (hangup["reason"], hangup["leg"], hangup["extension"], hangup["to"]) == (reason, "agent", "101",
                                                                                  "+48225550003")
