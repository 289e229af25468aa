"""The browser phone's settings: each user gets their own SIP password, and nobody else's in any way."""

import json

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import LINE_TOKEN, TelephonyWorldMixin

SETTINGS_URL = "/call_telephony_bridge/softphone/settings"
AGENTS_PASSWORD = "agent-201-browser-secret"


@tagged("post_install", "-at_install")
class TestSoftphoneSettings(TelephonyWorldMixin, HttpCase):
    """Agnieszka (extension 201) talks in Odoo; Mallory, a salesperson, wants her SIP password."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line.browser_phone_url = "wss://pbx.example.com:8089/ws"
        cls.agent.write({"password": "agent201", "telephony_ring_on": "browser",
                         "telephony_sip_password": AGENTS_PASSWORD})
        cls.mallory = new_test_user(cls.env, "mallory", name="Mallory", telephony_extension="209",
                                    groups="sales_team.group_sale_salesman,base.group_allow_export")

    def settings(self):
        return self.make_jsonrpc_request(SETTINGS_URL, {})

    def rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def assertRefused(self, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException, msg=f"{model}.{method} should be refused") as refusal:
            self.rpc(model, method, *args, **kwargs)
        self.assertIn("AccessError", str(refusal.exception))

    def test_a_user_gets_their_own_browser_phone(self):
        self.authenticate("agent201", "agent201")
        self.assertEqual(self.settings(), {
            "enabled": True, "ring_on": "browser", "websocket_url": "wss://pbx.example.com:8089/ws",
            "uri": "sip:201-browser@pbx.example.com", "username": "201-browser", "password": AGENTS_PASSWORD,
            "display_name": "Agnieszka Agent", "extension": "201",
        })

    def test_the_sip_domain_may_differ_from_the_websockets_host(self):
        self.line.browser_phone_domain = "sip.example.com"
        self.authenticate("agent201", "agent201")
        self.assertEqual(self.settings()["uri"], "sip:201-browser@sip.example.com")

    def test_a_phone_that_cannot_register_says_why(self):
        self.authenticate("mallory", "mallory")
        self.assertEqual(self.settings(), {"enabled": False, "extension": "209",
                                           "reason": "Your calls ring on your desk phone (see your preferences)."})
        self.rpc("res.users", "write", [self.mallory.id], {"telephony_ring_on": "both"})
        self.assertEqual(self.settings()["reason"],
                         "Your browser phone has no password yet: ask your telephony administrator.")
        self.line.browser_phone_url = False
        self.assertEqual(self.settings()["reason"], "No phone line of your company accepts browser phones.")
        self.mallory.telephony_extension = False
        self.assertEqual(self.settings(), {"enabled": False, "extension": False,
                                           "reason": "You have no phone extension: ask your telephony administrator."})

    def test_nobody_reads_another_users_sip_password(self):
        self.authenticate("mallory", "mallory")
        agent = self.agent.id
        self.assertRefused("res.users", "read", [agent], ["telephony_sip_password"])
        self.assertRefused("res.users", "search_read", [("id", "=", agent)], ["telephony_sip_password"])
        self.assertRefused("res.users", "web_search_read", [("id", "=", agent)], {"telephony_sip_password": {}})
        self.assertRefused("res.users", "web_read", [agent], {"telephony_sip_password": {}})
        self.assertRefused("res.users", "export_data", [agent], ["telephony_sip_password"])
        self.assertRefused("res.users", "read_group", [], ["telephony_sip_password"], ["telephony_sip_password"])
        # Guessing it through a search would reveal it one character at a time.
        self.assertRefused("res.users", "search", [("telephony_sip_password", "=like", "agent%")])
        self.assertRefused("res.users", "write", [agent], {"telephony_sip_password": "known-to-mallory"})
        self.assertRefused("res.users", "write", [self.mallory.id], {"telephony_sip_password": "mine-now"})
        # The settings route answers for the caller only, whatever it is given.
        settings = self.make_jsonrpc_request(SETTINGS_URL, {"user_id": agent})
        self.assertNotIn("password", settings)
        # Nor does the user themselves read it through the models: only their phone receives it.
        self.authenticate("agent201", "agent201")
        self.assertRefused("res.users", "read", [agent], ["telephony_sip_password"])

    def test_the_settings_are_refused_without_a_session(self):
        response = self.url_open(SETTINGS_URL, data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}}),
                                 headers={"Content-Type": "application/json"})
        self.assertNotIn(AGENTS_PASSWORD, response.text)
        self.assertIn("SessionExpiredException", response.text)

    def test_users_choose_where_their_calls_ring_in_their_preferences(self):
        self.authenticate("mallory", "mallory")
        self.rpc("res.users", "write", [self.mallory.id], {"telephony_ring_on": "browser"})
        self.assertEqual(self.mallory.telephony_ring_on, "browser")
        [mine] = self.rpc("res.users", "read", [self.mallory.id], ["telephony_ring_on"])
        self.assertEqual(mine["telephony_ring_on"], "browser")
        self.assertRefused("res.users", "write", [self.agent.id], {"telephony_ring_on": "desk"})

    def test_the_websocket_address_is_checked(self):
        for url in ("https://pbx.example.com/ws", "pbx.example.com:8089", "wss://"):
            with self.assertRaisesRegex(ValidationError, "WebSocket URL"):
                self.line.browser_phone_url = url
        self.line.browser_phone_url = "ws://127.0.0.1:8088/ws"


@tagged("post_install", "-at_install")
class TestBrowserPhoneAccounts(TelephonyWorldMixin, HttpCase):
    """The PBX's side: the line's bridge reads the browser phones' SIP accounts to provision Asterisk."""

    URL = "/telephony/v1/browser_phones"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent.write({"telephony_ring_on": "both", "telephony_sip_password": AGENTS_PASSWORD})
        cls.colleague.write({"telephony_ring_on": "desk", "telephony_sip_password": "colleague-desk-only-pw"})
        other_company = cls.env["res.company"].create({"name": "Calls Kraków"})
        new_test_user(cls.env, "krakow", company_id=other_company.id, company_ids=[other_company.id],
                      telephony_extension="301", telephony_ring_on="browser",
                      telephony_sip_password="krakow-browser-secret")

    def get(self, token=LINE_TOKEN):
        return self.url_open(self.URL, headers={"Authorization": f"Bearer {token}"})

    def test_the_line_gets_its_companys_browser_phones_only(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"phones": [{
            "extension": "201", "username": "201-browser", "password": AGENTS_PASSWORD,
            "display_name": "Agnieszka Agent"}]})

    def test_a_wrong_token_gets_nothing(self):
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789abcdef0123456789"},
                        {"Authorization": f"Basic {LINE_TOKEN}"}):
            response = self.url_open(self.URL, headers=headers)
            self.assertEqual(response.status_code, 401)
            self.assertNotIn(AGENTS_PASSWORD, response.text)
        self.authenticate("admin", "admin")  # a user's session is not a line's token
        self.assertEqual(self.url_open(self.URL).status_code, 401)

    def test_administrators_generate_passwords_that_asterisk_can_hold(self):
        users = self.agent | self.colleague
        users.with_user(self.env.ref("base.user_admin")).action_telephony_generate_sip_password()
        passwords = users.mapped("telephony_sip_password")
        self.assertEqual([len(password) for password in passwords], [24, 24])
        self.assertNotIn(AGENTS_PASSWORD, passwords)
        with self.assertRaises(AccessError):
            self.agent.with_user(self.agent).action_telephony_generate_sip_password()
        for password in ("short-pw", "has;semicolon-inside", "has space inside!", 'quote"inside-it'):
            with self.assertRaisesRegex(ValidationError, "12 to 128"):
                self.agent.telephony_sip_password = password
