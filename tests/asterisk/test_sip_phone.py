"""A real handset (baresip over PJSIP) rung by the bridge through the production [agents] context."""

import time

import pytest

from .conftest import wait_hangup
from .sip_phone import SipPhone


@pytest.fixture
def phone_101(pbx, tmp_path):
    phone = SipPhone(tmp_path / "phone-101", "101", "test-phone-101-secret", pbx.settings["ASTERISK_SIP_PORT"],
                     voice=pbx.instance / "sounds" / "agent-voice.wav")
    phone.start(pbx)
    yield phone
    phone.stop()


def test_hold_and_resume_on_the_handset_reach_odoo(pbx, odoo, make_bridge, phone_101):
    odoo.route = {"steps": [{"extensions": ["101"], "timeout": 10}], "fallback": "hangup"}
    make_bridge()
    call_id = pbx.call_in(talk=8)
    odoo.wait_event(call_id, "answered", timeout=15)
    time.sleep(1)
    phone_101.command("hold")
    odoo.wait_event(call_id, "hold", timeout=10)
    time.sleep(1)
    phone_101.command("resume")
    odoo.wait_event(call_id, "unhold", timeout=10)
    wait_hangup(odoo, call_id, timeout=20)
    assert odoo.kinds(call_id) == ["ringing", "answered", "hold", "unhold", "hangup"]
    assert {e["extension"] for e in odoo.of(call_id)} == {"101"}
    pbx.wait_idle()
