"""Click-to-dial through the real Asterisk: the user's own phone first, then the customer."""

import pytest

from .conftest import CUSTOMER, LINE_NUMBER, click_to_dial, wait_hangup
from .test_inbound_calls import seconds_between


def test_the_customer_answers_and_the_call_is_logged_with_its_talk_time(pbx, odoo, make_bridge):
    pbx.agent("201", ring=1, talk=4)
    pbx.customers(ring=1)
    make_bridge()
    call_id = click_to_dial(odoo, "201", CUSTOMER["answers"])
    hangup = wait_hangup(odoo, call_id)
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    ringing, answered, _ = odoo.of(call_id)
    assert (ringing["direction"], ringing["from"], ringing["to"]) == ("outbound", "201", CUSTOMER["answers"])
    assert hangup["reason"] == "answered"
    assert 2.5 <= seconds_between(answered, hangup) <= 3.6
    pbx.wait_idle()


def test_the_customer_sees_the_lines_number_never_his_own(pbx, odoo, make_bridge, watcher):
    pbx.agent("201", ring=1, talk=3)
    make_bridge()
    call_id = click_to_dial(odoo, "201", CUSTOMER["answers"], caller_id=LINE_NUMBER)
    wait_hangup(odoo, call_id)
    # What the far end is told: the caller id of the customer's side once it rings (the trunk's view).
    customer_side = [e for e in watcher.events if e["type"] == "ChannelStateChange"
                     and e["channel"]["name"].startswith(f"Local/{CUSTOMER['answers']}@pstn-out")]
    assert customer_side
    assert {e["channel"]["caller"]["number"] for e in customer_side} == {LINE_NUMBER}


def test_a_number_typed_with_spaces_reaches_the_dialplan_as_digits(pbx, odoo, make_bridge, watcher):
    pbx.agent("201", ring=1, talk=2)
    make_bridge()
    call_id = click_to_dial(odoo, "201", "+48 600 999 001")
    hangup = wait_hangup(odoo, call_id)
    assert hangup["reason"] == "answered" and hangup["to"] == "+48600999001"
    assert any(e["type"] == "ChannelCreated" and e["channel"]["name"].startswith("Local/+48600999001@pstn-out")
               for e in watcher.events)


@pytest.mark.parametrize(("customer", "reason"), [("busy", "busy"), ("never", "no_answer"),
                                                  ("congestion", "congestion")])
def test_a_customer_who_does_not_answer_ends_the_call_with_the_reason(pbx, odoo, make_bridge, customer, reason):
    pbx.agent("201", ring=1)
    make_bridge()
    call_id = click_to_dial(odoo, "201", CUSTOMER[customer])
    hangup = wait_hangup(odoo, call_id, timeout=45)
    assert odoo.kinds(call_id) == ["ringing", "hangup"]
    assert (hangup["reason"], hangup["leg"]) == (reason, "customer")
    pbx.wait_idle()


@pytest.mark.parametrize(("mode", "reason"), [("busy", "busy"), ("never", "no_answer"), ("congestion", "congestion")])
def test_the_users_own_phone_not_answering_closes_the_call_at_once(pbx, odoo, make_bridge, mode, reason):
    pbx.agent("201", mode=mode)
    make_bridge()
    call_id = click_to_dial(odoo, "201", CUSTOMER["answers"])
    hangup = wait_hangup(odoo, call_id, timeout=45)
    assert odoo.kinds(call_id) == ["hangup"]
    assert (hangup["reason"], hangup["leg"], hangup["direction"]) == (reason, "agent", "outbound")
    assert (hangup["extension"], hangup["to"]) == ("201", CUSTOMER["answers"])
    pbx.wait_idle()


def test_the_user_hangs_up_while_the_customer_rings(pbx, odoo, make_bridge):
    pbx.agent("201", ring=1, talk=2)
    make_bridge()
    call_id = click_to_dial(odoo, "201", CUSTOMER["never"])
    hangup = wait_hangup(odoo, call_id)
    assert hangup["reason"] == "cancel"
    pbx.wait_idle()
