"""Click-to-dial as the bridge lives it: Odoo leaves orders, the bridge claims and places them, or says why not."""

import logging

from .conftest import wait_for


def test_each_claim_says_how_the_bridge_is(sim, odoo, make_bridge):
    make_bridge()
    claim = wait_for(lambda: next((c for c in list(odoo.claims) if c.get("asterisk_version")), None))
    assert claim["ari_connected"] is True
    assert claim["asterisk_version"].startswith("22.")


def test_an_order_is_placed_once_with_the_callers_id_odoo_gives(sim, odoo, make_bridge):
    make_bridge()
    scenario = sim.start_call(preset="click_to_dial", agent=0.2, customer=0.3, talk=0.4)
    odoo.order_dial("c2d-once", "+48 22 555 00 10", "101", caller_id="+48221000000")
    agent = wait_for(lambda: next((c for c in list(sim.engine.channels.values())
                                   if c.role == "clicktodial-agent"), None))
    assert agent.caller["number"] == "+48225550010", "her phone shows whom she is calling"
    customer = wait_for(lambda: next((c for c in list(sim.engine.channels.values())
                                      if c.role == "clicktodial-customer"), None))
    assert customer.caller["number"] == "+48221000000", "the customer sees the company's line"
    sim.wait_call(scenario["id"])
    odoo.wait_event("c2d-once", "hangup")
    assert odoo.kinds("c2d-once") == ["ringing", "answered", "hangup"]
    assert not odoo.dial_failures


def test_an_order_the_pbx_refuses_is_reported_to_odoo_and_leaves_no_events(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.INFO)
    # Only Local channels are simulated: the PBX refuses to ring this endpoint, as Asterisk refuses an unknown one.
    make_bridge(agent_endpoint="PJSIP/{extension}")
    odoo.order_dial("c2d-refused", "+48225550011", "101")
    failure = wait_for(lambda: odoo.dial_failures and odoo.dial_failures[0])
    assert failure["call_id"] == "c2d-refused"
    assert "HTTP 400" in failure["error"]
    assert odoo.of("c2d-refused") == [], "Odoo gives the call back itself: no hangup is posted besides"


def test_a_failure_odoo_cannot_take_ends_the_call_through_the_spool(sim, odoo, make_bridge):
    odoo.failure_status = 500
    make_bridge(agent_endpoint="PJSIP/{extension}")
    odoo.order_dial("c2d-unreported", "+48225550012", "101")
    hangup = odoo.wait_event("c2d-unreported", "hangup", timeout=15)
    assert (hangup["reason"], hangup["leg"], hangup["extension"]) == ("failed", "agent", "101")
    assert len(odoo.dial_failures) == 3, "Odoo was asked three times before the hangup went instead"


def test_a_malformed_order_is_skipped_and_the_next_one_is_placed(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.WARNING)
    make_bridge()
    scenario = sim.start_call(preset="click_to_dial", agent=0.2, customer=0.3, talk=0.3)
    with odoo.lock:
        odoo.orders += [{"call_id": "c2d-bad"}, "not an order", {"call_id": 7, "extension": "101", "number": "1"}]
    odoo.order_dial("c2d-good", "+48225550013", "101")
    sim.wait_call(scenario["id"])
    odoo.wait_event("c2d-good", "hangup")
    assert caplog.text.count("skipped a malformed dial order") == 3


def test_a_restarted_bridge_still_ends_the_order_whose_phone_was_ringing(sim, odoo, make_bridge, tmp_path):
    first = make_bridge()
    scenario = sim.start_call(direction="outbound", agent="never")
    odoo.order_dial("c2d-restart", "+48225550014", "101")
    agent = wait_for(lambda: next((c for c in list(sim.engine.channels.values())
                                   if c.role == "clicktodial-agent"), None))
    first.stop()
    make_bridge()  # the same spool: it knows the order it was placing
    sim.thread.call(sim.engine.originate_timed_out, agent)
    sim.wait_call(scenario["id"])
    hangup = odoo.wait_event("c2d-restart", "hangup", timeout=15)
    assert (hangup["reason"], hangup["leg"], hangup["to"]) == ("no_answer", "agent", "+48225550014")


def test_an_odoo_that_refuses_claims_is_said_once_in_the_log_not_twice_a_second(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.INFO)
    odoo.claim_status = 503
    make_bridge()
    wait_for(lambda: len(odoo.claims) >= 5)
    assert caplog.text.count("dial orders cannot be claimed from Odoo (HTTP 503)") == 1
    odoo.claim_status = 200
    wait_for(lambda: "dial orders are claimed from Odoo again" in caplog.text)
    odoo.order_dial("c2d-after-the-upgrade", "+48225550015", "101")
    wait_for(lambda: any(c.role == "clicktodial-agent" for c in list(sim.engine.channels.values())))


def test_a_claim_whose_answer_was_lost_is_asked_again_and_its_order_placed_once(sim, odoo, make_bridge):
    odoo.lose_next_claim_answer = True
    make_bridge()
    scenario = sim.start_call(preset="click_to_dial", agent=0.2, customer=0.3, talk=0.3)
    odoo.order_dial("c2d-lost-answer", "+48225550016", "101")
    sim.wait_call(scenario["id"])
    odoo.wait_event("c2d-lost-answer", "hangup")
    lost = next(claim["claim_id"] for claim in list(odoo.claims) if odoo.claimed.get(claim["claim_id"]))
    assert [claim["claim_id"] for claim in odoo.claims].count(lost) >= 2, "asked again under the same id"
    assert odoo.kinds("c2d-lost-answer") == ["ringing", "answered", "hangup"]
    assert len([c for c in sim.engine.scenarios.values() if c.direction == "outbound"]) == 1
