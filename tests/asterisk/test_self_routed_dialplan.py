"""The shipped [from-pstn-self-routed] context, literally as shipped: a PBX that asks Odoo with CURL()."""

import pytest

from tests.bridge.conftest import TOKEN

from .conftest import wait_for


@pytest.fixture
def self_routed(pbx, odoo):
    """The PBX restarted with Odoo's URL and the line's token filled into the shipped [globals]."""
    pbx.stop()
    pbx.start(CALLS_ASTERISK_ODOO_URL=odoo.url, CALLS_ASTERISK_ODOO_TOKEN=TOKEN)
    for extension in ("201", "202", "299"):
        pbx.agent(extension)
    return pbx


def test_the_steps_odoo_answers_are_rung_in_order(self_routed, odoo, watcher):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 2}, {"extensions": ["202", "203"], "timeout": 10}],
                  "fallback": "voicemail", "skip": False}
    self_routed.agent("201", mode="never")
    self_routed.agent("202", ring=1)
    self_routed.agent("203", mode="never")
    self_routed.call_in(number="+48221234567", talk=2, context="from-pstn-self-routed")
    wait_for(lambda: watcher.answered_extensions(), timeout=20)
    assert watcher.answered_extensions() == ["202"]
    request = odoo.route_requests[0]
    assert (request["from"], request["to"]) == ("+48221234567", "48221000000")
    self_routed.wait_idle()
    # The token travels as a global CURL option: no log line shows it, even at verbose 3.
    assert TOKEN not in (self_routed.instance / "log" / "messages").read_text()


def test_when_odoo_cannot_answer_reception_takes_the_call(self_routed, odoo, watcher):
    odoo.route = 500
    self_routed.agent("299", ring=1)
    self_routed.call_in(talk=2, context="from-pstn-self-routed")
    wait_for(lambda: watcher.answered_extensions(), timeout=20)
    assert watcher.answered_extensions() == ["299"]


def test_after_the_last_step_the_caller_leaves_a_message(self_routed, odoo):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 2}], "fallback": "voicemail", "skip": False}
    self_routed.agent("201", mode="never")
    self_routed.call_in(talk=10, context="from-pstn-self-routed")
    voicemail_dir = self_routed.instance / "spool" / "odoo-voicemail"
    wait_for(lambda: any(p.stat().st_size > 44 for p in voicemail_dir.glob("vm-*.wav")), timeout=30)


def test_an_exception_list_number_is_hung_up_after_its_steps(self_routed, odoo, watcher):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 2}], "fallback": "hangup", "skip": True}
    self_routed.agent("201", mode="never")
    messages = self_routed.instance / "spool" / "odoo-voicemail"
    before = set(messages.glob("vm-*.wav"))
    self_routed.call_in(talk=20, context="from-pstn-self-routed")
    self_routed.wait_idle(timeout=15)
    assert set(messages.glob("vm-*.wav")) == before
