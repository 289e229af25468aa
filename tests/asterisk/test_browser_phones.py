"""The bridge keeps Asterisk's browser phone accounts as Odoo has them (BRIDGE_BROWSER_PHONES_FILE)."""

import os
import stat

import requests

from pbx_bridge.browser_phones import render

from .conftest import wait_for

ALA = {"extension": "105", "username": "105-browser", "password": "ala-browser-secret-0123", "display_name": "Ala"}
BOREK = {"extension": "106", "username": "106-browser", "password": "borek-browser-secret-01", "display_name": "Borek"}


def endpoint_exists(pbx, name):
    return requests.get(f"{pbx.url}/ari/endpoints/PJSIP/{name}", auth=(pbx.user, pbx.password), timeout=5).ok


def auth_password(pbx, name):
    """The password Asterisk holds for ``name``'s auth (its sorcery object, through ARI)."""
    response = requests.get(f"{pbx.url}/ari/asterisk/config/dynamic/res_pjsip/auth/{name}",
                            auth=(pbx.user, pbx.password), timeout=5)
    if not response.ok:
        return None
    return {field["attribute"]: field["value"] for field in response.json()}.get("password")


def test_accounts_given_in_odoo_reach_asterisk_and_leave_it_with_their_users(pbx, odoo, make_bridge, caplog):
    odoo.browser_phones = [ALA, BOREK]
    path = pbx.instance / "etc" / "pjsip_browser_phones.conf"
    make_bridge(browser_phones_file=str(path), browser_phones_seconds=0.5)
    wait_for(lambda: endpoint_exists(pbx, "105-browser") and endpoint_exists(pbx, "106-browser"), timeout=15)
    assert auth_password(pbx, "105-browser") == ALA["password"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640, "the passwords are not readable by everyone"
    # A new password and a user gone: Asterisk follows.
    odoo.browser_phones = [{**ALA, "password": "ala-new-browser-secret-9"}]
    # ARI keeps listing a removed PJSIP endpoint (offline): its account, which lets a phone in, is gone.
    wait_for(lambda: auth_password(pbx, "106-browser") is None, timeout=15)
    assert "Unable to find object" in pbx.cli("pjsip show endpoint 106-browser")
    assert auth_password(pbx, "105-browser") == "ala-new-browser-secret-9"
    for secret in (ALA["password"], BOREK["password"], "ala-new-browser-secret-9"):
        assert secret not in caplog.text


def test_what_pjsip_conf_cannot_hold_is_skipped():
    text, skipped = render([
        ALA,
        {**BOREK, "password": "semi;colon-starts-a-comment"},
        {**BOREK, "extension": "10[6]"},
        {**BOREK, "extension": "107", "display_name": 'Evil" <999>\n[999-browser]'},
        "not a phone",
    ])
    assert skipped == 3
    assert "[105-browser](browser-phone)" in text and "password = ala-browser-secret-0123" in text
    assert 'callerid = "Evil 999999-browser" <107>' in text
    assert "semi;colon" not in text and "10[6]" not in text
