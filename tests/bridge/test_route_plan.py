"""The route Odoo decided travels with the call: its steps' rings and targets, the caller's kind, the notices."""

import datetime
import logging

from pbx_bridge.call_tracker import Call
from pbx_bridge.routing import RoutePlan, Step

from .conftest import wait_for

ROUTE = {
    "steps": [{"extensions": ["101"], "timeout": 1, "rings": 1, "target": "owner"},
              {"extensions": ["102"], "rings": 2, "target": "queue:7"}],
    "fallback": "hangup", "skip": False, "caller_type": "contact",
    "notices": ["The queue “Sales desk” has no members: it is skipped."],
}


def _seconds(event):
    return datetime.datetime.fromisoformat(event["time"]).timestamp()


def test_the_bridge_keeps_the_routes_decision_and_rings_each_step_its_rings(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.INFO, logger="pbx_bridge")
    odoo.route = ROUTE
    bridge = make_bridge(ring_seconds=1)
    scenario = sim.start_call(agents={"101": "never", "102": "never"})
    call_id = sim.caller_channel(scenario["id"])
    plan = wait_for(lambda: getattr(bridge.tracker.calls.get(call_id), "plan", None))
    assert (plan.caller_type, plan.notices) == ("contact", tuple(ROUTE["notices"]))
    assert [(s.extensions, s.rings, s.target, s.timeout) for s in plan.steps] == [
        (("101",), 1, "owner", 1), (("102",), 2, "queue:7", 2)]
    hangup = odoo.wait_event(call_id, "hangup")
    ringing = {e["extension"]: e for e in odoo.of(call_id) if e["event"] == "ringing"}
    assert hangup["reason"] == "no_answer"
    # The second step came with rings only: two rings of a second each, not the 20 s of a step without either.
    assert 1.5 <= _seconds(hangup) - _seconds(ringing["102"]) < 4
    assert f"call {call_id} routed: contact caller, 2 step(s), then hangup" in caplog.text
    assert f"call {call_id}: step 2 rings 102 (queue:7, 2 rings, 2 s)" in caplog.text
    assert f"call {call_id}: Odoo's routing notice: The queue “Sales desk” has no members" in caplog.text
    assert "48221234567" not in caplog.text
    sim.wait_call(scenario["id"])


def test_nothing_of_an_exception_list_calls_route_reaches_the_log(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.DEBUG, logger="pbx_bridge")
    odoo.route = dict(ROUTE, skip=True, caller_type="unknown",
                      notices=["The number is on the line's exception list: it rings like an unknown caller."])
    make_bridge(ring_seconds=1)
    scenario = sim.start_call(agents={"101": 0.2}, talk=0.3)
    call_id = sim.caller_channel(scenario["id"])
    sim.wait_call(scenario["id"])
    assert odoo.of(call_id) == []
    assert "exception list" not in caplog.text and "routed" not in caplog.text and "queue:7" not in caplog.text


def test_a_plan_reads_rings_targets_kind_and_notices_and_survives_a_restart():
    plan = RoutePlan.from_answer(ROUTE, ring_seconds=5)
    assert plan.steps == (Step(("101",), 1, 1, "owner"), Step(("102",), 10, 2, "queue:7"))
    assert RoutePlan.from_snapshot(plan.snapshot()) == plan
    call = Call("c-1", "inbound", "+48221234567", "100")
    call.plan = plan
    assert Call.from_snapshot(call.snapshot()).plan == plan
    # A snapshot written by an older bridge, before plans kept these.
    old = RoutePlan.from_snapshot({"steps": [{"extensions": ["101"], "timeout": 20}], "fallback": "voicemail",
                                   "skip": False})
    assert old == RoutePlan(steps=(Step(("101",), 20),))


def test_a_plan_tolerates_odd_rings_kinds_and_notices():
    plan = RoutePlan.from_answer({
        "steps": [{"extensions": ["101"], "rings": "many"}, {"extensions": ["102"], "rings": -2, "target": 7},
                  {"extensions": ["103"], "timeout": "x", "rings": 3}],
        "caller_type": "emperor", "notices": ["  ", 42, "x" * 2000, "fine"],
    }, default_timeout=20, ring_seconds=4)
    assert [(s.timeout, s.rings, s.target) for s in plan.steps] == [(20, None, ""), (20, None, ""), (12, 3, "")]
    assert plan.caller_type is None
    assert [len(n) for n in plan.notices] == [500, 4]
    unreachable = RoutePlan.from_answer(None, default_extensions=("100",))
    assert (unreachable.caller_type, unreachable.steps[0].target) == (None, "default")
