"""A plain salesperson attacking the running server over HTTP, the way one did: every door stays shut."""

import base64
import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import CUSTOMER_NUMBER, LINE_TOKEN, EventPoster, TelephonyWorldMixin, connect_bridge

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00" \
      b"data\x00\x00\x00\x00"
NEXT_PBX_CALL_ID = "1795545084.2"


@tagged("post_install", "-at_install")
class TestAttacksOverHttp(TelephonyWorldMixin, HttpCase):
    """Mallory is a salesperson of another team; Agnieszka (extension 201) looks after Anna Kowalska."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent.password = "agent201"
        cls.mallory = new_test_user(cls.env, "mallory", groups="sales_team.group_sale_salesman", name="Mallory")
        cls.boss = new_test_user(cls.env, "salesboss", groups="sales_team.group_sale_manager", name="Sales Boss")
        cls.env["crm.team"].create({"name": "Agents", "member_ids": [Command.link(cls.agent.id)]})
        cls.env["crm.team"].create({"name": "Mallory's", "member_ids": [Command.link(cls.mallory.id)]})
        cls.agents_lead = cls.env["crm.lead"].create({
            "name": "Kowalski: 40 desks", "partner_id": cls.partner.id, "user_id": cls.agent.id,
            "type": "opportunity"})
        cls.agents_lead.activity_schedule("mail.mail_activity_data_todo", summary="Private: discount of 30%",
                                          user_id=cls.agent.id)
        cls.agents_call = cls.env["crm.call"].with_user(cls.agent).create({
            "state": "done", "direction": "outbound", "partner_id": cls.partner.id, "duration": 60,
            "start": fields.Datetime.now() - timedelta(days=1), "name": "Price talk with Anna"})
        other_company = cls.env["res.company"].create({"name": "Calls Kraków"})
        cls.env["crm.call"].create({
            "state": "done", "direction": "outbound", "partner_id": cls.partner.id, "duration": 30,
            "start": fields.Datetime.now() - timedelta(days=2), "name": "Kraków's call",
            "company_id": other_company.id})

    def rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def rpc_error(self, model, method, *args, **kwargs):
        """The error an RPC call answers, with its message (``make_jsonrpc_request`` keeps only its name)."""
        response = self.url_open("/web/dataset/call_kw", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 0,
            "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}}),
            headers={"Content-Type": "application/json"})
        answer = response.json()
        self.assertNotIn("result", answer, f"{model}.{method} should be refused")
        return answer["error"]["data"]

    def assertRefused(self, model, method, *args, error="AccessError", **kwargs):
        with self.assertRaises(JsonRpcException) as refusal:
            self.rpc(model, method, *args, **kwargs)
        self.assertIn(error, str(refusal.exception), f"{model}.{method} should be refused with {error}")

    def voicemail_call(self):
        pbx = EventPoster(self)
        pbx.post("ringing", 0, "201")
        pbx.post("hangup", 20, "201", reason="no_answer")
        pbx.post("voicemail", 40, None, recording={
            "name": "voicemail.wav", "content_type": "audio/wav", "data_base64": base64.b64encode(WAV).decode()})
        return pbx.call()

    # ------------------------------------------------------------------ line tokens
    def test_a_salesperson_cannot_mint_a_line_token_nor_touch_a_line(self):
        for login in ("mallory", "salesboss"):
            self.authenticate(login, login)
            self.assertRefused("telephony.line", "action_regenerate_token", [self.line.id])
            self.assertRefused("telephony.line", "write", [self.line.id], {"token_hint": "…evil"})
            self.assertRefused("telephony.line", "create", [{"name": "Mallory's own line"}])
            self.assertRefused("telephony.line", "_set_token", [self.line.id], "m" * 40)
        EventPoster(self).post("ringing", 0, "201")  # the bridge's token still works

    def test_a_telephony_administrator_gets_a_long_random_token_shown_once(self):
        self.authenticate("admin", "admin")
        action = self.rpc("telephony.line", "action_regenerate_token", [self.line.id])
        token = action["params"]["message"].rsplit(" ", 1)[-1]
        self.assertGreaterEqual(len(token), 32)
        self.assertNotIn(token, str(self.rpc("telephony.line", "read", [self.line.id], [])))
        EventPoster(self, token=token).post("ringing", 0, "201")
        EventPoster(self, token=LINE_TOKEN).post("ringing", 0, "201", expect=401)
        self.assertRefused("telephony.line", "write", [self.line.id], {"token": "short"}, error="ValueError")

    # ------------------------------------------------------------------ recordings
    def test_a_recording_is_served_only_to_those_who_may_read_its_call(self):
        call = self.voicemail_call()
        recording = call.recording_id
        self.assertTrue(recording)
        self.assertFalse(self.env["ir.attachment"].search([
            ("res_model", "in", ("res.partner", "crm.lead")), ("mimetype", "like", "audio/")]),
            "no copy of the audio hangs on the contact or the lead")
        self.authenticate("mallory", "mallory")
        messages = self.make_jsonrpc_request("/mail/thread/messages", {
            "thread_model": "res.partner", "thread_id": self.partner.id, "limit": 30})
        self.assertTrue(messages["messages"], "the contact's history still opens for Mallory")
        for url in (f"/web/content/{recording.id}", f"/web/content/{recording.id}?download=true"):
            self.assertIn(self.url_open(url).status_code, (403, 404), url)
        self.authenticate("agent201", "agent201")
        whole = self.url_open(f"/web/content/{recording.id}")
        self.assertEqual((whole.status_code, whole.content), (200, WAV))
        part = self.url_open(f"/web/content/{recording.id}", headers={"Range": "bytes=0-3"})
        self.assertEqual((part.status_code, part.content), (206, b"RIFF"), "the player can seek")

    # ------------------------------------------------------------------ the caller card
    def test_the_caller_card_shows_only_what_its_reader_may_read(self):
        self.authenticate("mallory", "mallory")
        [call_id] = self.rpc("crm.call", "create", [{
            "state": "done", "direction": "outbound", "partner_id": self.partner.id, "duration": 10,
            "start": fields.Datetime.to_string(fields.Datetime.now() - timedelta(minutes=5))}])
        card = self.rpc("crm.call", "telephony_popup_data", [call_id])
        self.assertEqual(card["partner"]["name"], "Anna Kowalska", "the contact is shared")
        self.assertEqual(card["open_leads"], [], "Agnieszka's opportunity is hers")
        self.assertEqual(card["activities"], [], "and so are her activities")
        self.assertEqual(card["last_calls"], [], "neither Agnieszka's calls nor Kraków's")
        self.authenticate("agent201", "agent201")
        ringing = EventPoster(self)
        ringing.post("ringing", 0, "201")
        card = self.rpc("crm.call", "telephony_popup_data", [ringing.call().id])
        self.assertEqual([lead["name"] for lead in card["open_leads"]], ["Kowalski: 40 desks"])
        self.assertEqual([past["name"] for past in card["last_calls"]], ["Price talk with Anna"],
                         "her own call, not Mallory's nor Kraków's")

    # ------------------------------------------------------------------ fields only the phone system sets
    def test_nobody_can_prepare_the_pbxs_next_call(self):
        self.authenticate("mallory", "mallory")
        done = {"state": "done", "direction": "inbound", "phone": CUSTOMER_NUMBER,
                "start": fields.Datetime.to_string(fields.Datetime.now() - timedelta(minutes=5))}
        self.assertRefused("crm.call", "create", [{**done, "external_ref": NEXT_PBX_CALL_ID}])
        self.assertRefused("crm.call", "web_save", [], {**done, "external_ref": NEXT_PBX_CALL_ID}, specification={})
        imported = self.rpc("crm.call", "load", ["name", "external_ref", "start", "state"],
                            [["Squat", NEXT_PBX_CALL_ID, done["start"], "done"]])
        self.assertFalse(imported["ids"], "the import is refused")
        lead = self.rpc("crm.lead", "create", {"name": "Mallory's lead", "user_id": self.mallory.id})
        self.assertRefused("crm.lead", "write", [lead], {"call_ids": [Command.create(
            {**done, "external_ref": NEXT_PBX_CALL_ID})]})
        call_id = self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "crm.call", "method": "create", "args": [done],
            "kwargs": {"context": {"default_external_ref": NEXT_PBX_CALL_ID, "default_team_id": 1}}})
        own = self.env["crm.call"].browse(call_id)
        self.assertFalse(own.external_ref, "a default_ context key sets no system field either")
        for vals in ({"answered_at": done["start"]}, {"hold_duration": 5}, {"talk_duration": 82804},
                     {"recording_id": 1}, {"team_id": False}, {"commercial_partner_id": self.partner.id},
                     {"telephony_line_id": self.line.id}, {"call_event": "missed"}, {"external_ref": "x"}):
            self.assertRefused("crm.call", "write", [call_id], vals)
        copied = self.rpc("crm.call", "copy", [call_id])
        self.assertTrue(copied, "copying one's own call still works")
        pbx = EventPoster(self, call_id=NEXT_PBX_CALL_ID)
        pbx.post("ringing", 0, "201")
        real = pbx.call()
        self.assertEqual(len(real), 1)
        self.assertEqual(real.user_id, self.agent, "the real call is nobody's but the rung agent's")

    def test_context_keys_never_relax_a_rule_for_an_rpc_caller(self):
        self.authenticate("mallory", "mallory")
        action = self.rpc("res.partner", "action_call_now", [self.partner.id])
        backdated = fields.Datetime.to_string(fields.Datetime.now() - timedelta(seconds=82804))
        for context in ({"call_state_transition": True}, {"telephony_event": True},
                        {"call_logging_action": "<call action>"}):
            with self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request("/web/dataset/call_kw", {
                    "model": "crm.call", "method": "write", "args": [[action["res_id"]], {"start": backdated}],
                    "kwargs": {"context": context}})
            with self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request("/web/dataset/call_kw", {
                    "model": "crm.call", "method": "create", "args": [{"state": "missed", "direction": "inbound"}],
                    "kwargs": {"context": context}})
        call = self.env["crm.call"].browse(action["res_id"])
        self.assertGreater(call.start, fields.Datetime.now() - timedelta(minutes=5))

    # ------------------------------------------------------------------ other doors
    def test_the_follow_up_wizard_refuses_a_call_its_user_cannot_read(self):
        self.authenticate("mallory", "mallory")
        self.assertRefused("crm.call.followup", "create", [{"call_id": self.agents_call.id}])
        values = {"call_id": self.agents_call.id, "followup_type": "call"}
        preview = self.rpc("crm.call.followup", "onchange", [], values, ["call_id"],
                           {"call_id": {}, "followup_type": {}, "summary": {}})
        self.assertNotIn("Anna", str(preview), "not even the caller's name")

    def test_the_pbx_entry_points_are_not_callable_over_rpc(self):
        self.authenticate("mallory", "mallory")
        for model, method, args in (
            ("telephony.call.lifecycle", "_lock_call", [1, NEXT_PBX_CALL_ID]),
            ("telephony.call.lifecycle", "_receive", [self.line.id, {}]),
            ("telephony.call.lifecycle", "_receive_batch", [self.line.id, []]),
            ("telephony.call.lifecycle", "_apply_event", [self.line.id, {}]),
            ("telephony.router", "_route", [self.line.id, CUSTOMER_NUMBER, ""]),
            ("crm.call", "_as_phone_system", [[self.agents_call.id]]),
            ("crm.call", "_telephony_write", [[self.agents_call.id], {"state": "missed"}]),
            ("crm.call", "_telephony_create", [{"state": "missed", "direction": "inbound"}]),
            ("crm.call", "_write_system_fields", [[self.agents_call.id], {"reschedule_count": 0}]),
            ("crm.call", "_write_from_action", [[self.agents_call.id], {"hold_started_at": False}]),
            ("crm.call", "_write_wrap_up", [[self.agents_call.id], {"result_note": "x"}]),
            ("telephony.dial.order", "_claim", [self.line.id]),
            ("telephony.dial.order", "_report_failure", [self.line.id, "odoo-c2d-x", "no"]),
            ("telephony.dial.order", "search_read", [[]]),
            ("telephony.line", "_note_bridge_health", [[self.line.id], True, "22"]),
        ):
            self.assertRefused(model, method, *args, error="")
        for model, method in (("telephony.call.lifecycle", "receive"), ("telephony.call.lifecycle", "lock_call"),
                              ("telephony.call.lifecycle", "apply_event"), ("telephony.router", "route")):
            self.assertRefused(model, method, self.line.id, error="")

    def test_the_internal_methods_are_not_callable_over_rpc(self):
        """Methods that take records, or serve only the controllers, the crons and other models, are private:
        Odoo refuses them to any RPC caller, whatever their arguments."""
        self.authenticate("mallory", "mallory")
        for model, method, args, kwargs in (
            ("crm.call", "_start_call_with", [], {"partner": self.partner.id}),
            ("crm.call", "_telephony_dial", [CUSTOMER_NUMBER], {"partner": self.partner.id}),
            ("crm.call", "_action_open_wrap_up", [[self.agents_call.id]], {}),
            ("telephony.call.lifecycle", "_receive", [self.line.id, {}], {}),
            ("telephony.call.lifecycle", "_receive_batch", [self.line.id, []], {}),
            ("telephony.call.lifecycle", "_apply_event", [self.line.id, {}], {}),
            ("telephony.call.lifecycle", "_lock_call", [1, NEXT_PBX_CALL_ID], {}),
            ("telephony.router", "_route", [self.line.id, CUSTOMER_NUMBER, ""], {}),
        ):
            error = self.rpc_error(model, method, *args, **kwargs)
            self.assertEqual(error["name"], "odoo.exceptions.AccessError", f"{model}.{method}")
            self.assertIn(f"Private methods (such as '{model}.{method}') cannot be called remotely",
                          error["message"])
        for model, method, args in (("crm.call", "start_call_with", []), ("crm.call", "telephony_dial", []),
                                    ("crm.call", "action_open_wrap_up", [[self.agents_call.id]])):
            error = self.rpc_error(model, method, *args)
            self.assertIn("does not exist", error["message"], f"the public {model}.{method} is gone")
        self.assertFalse(self.env["crm.call"].search([("user_id", "=", self.mallory.id)]), "no call was started")

    def test_odd_arguments_get_a_clear_message(self):
        # Starting and dialling a call are internal (see test_the_internal_methods_are_not_callable_over_rpc):
        # their own callers still get a clear message for odd arguments.
        Call = self.env["crm.call"].with_user(self.agent)
        for start, args, kwargs in (
            (Call._start_call_with, (), {"partner": "abc"}),
            (Call._start_call_with, (), {"partner": self.partner.id, "phone": {"x": 1}}),
            (Call._telephony_dial, ("+48 22 123 45 67",), {"partner": 999999}),
            (Call._telephony_dial, (48221234567,), {}),
        ):
            with self.assertRaises(UserError):
                start(*args, **kwargs)
        self.authenticate("agent201", "agent201")
        call = self.voicemail_call()
        for values in ({"result_id": "abc"}, {"result_id": 999999}, {"goal_status": "won"}, {"description": 5},
                       ["description"]):
            self.assertRefused("crm.call", "action_save_wrap_up", [call.id], values, error="UserError")

    def test_click_to_dial_sends_only_a_phone_number_to_the_pbx(self):
        connect_bridge(self.line)
        Call = self.env["crm.call"].with_user(self.agent)
        for number in ("123@from-internal/n", "601234567@pstn-out", "601,234,567,1@x", "1" * 5000,
                       "Local/100@agents", "100"):
            with self.assertRaises(UserError):
                Call._telephony_dial(number)
        self.assertFalse(self.env["crm.call"].search([("external_ref", "like", "odoo-c2d-%")]))

    # ------------------------------------------------------------------ dial orders
    def dial_anna(self):
        connect_bridge(self.line)
        action = self.partner.with_user(self.agent).action_telephony_dial()
        return self.env["crm.call"].browse(action["res_id"])

    def post_orders(self, path, body=None, token=LINE_TOKEN, raw=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.url_open(f"/telephony/v1/dial_orders/{path}", data=data, headers=headers)

    def test_dial_orders_go_only_to_the_bridge_of_a_line_of_their_company(self):
        call = self.dial_anna()
        self.authenticate("mallory", "mallory")  # a salesperson's session is no bridge
        for token in (None, "", "line-token-for-tests-0123456789abcdeX", LINE_TOKEN[:-1]):
            response = self.post_orders("claim", token=token)
            self.assertEqual(response.status_code, 401, token)
        self.assertEqual(self.post_orders("failed", {"call_id": call.external_ref, "error": "x"}, token=None)
                         .status_code, 401)
        elsewhere = self.env["res.company"].create({"name": "Calls Gdańsk"})
        other_line = self.env["telephony.line"].create({"name": "Gdańsk line", "company_id": elsewhere.id})
        other_line._set_token("gdansk-line-token-0123456789abcdefgh")
        response = self.post_orders("claim", token="gdansk-line-token-0123456789abcdefgh")
        self.assertEqual(response.json(), {"orders": []}, "another company's bridge gets none of ours")
        response = self.post_orders("failed", {"call_id": call.external_ref, "error": "gone"},
                                    token="gdansk-line-token-0123456789abcdefgh")
        self.assertEqual(response.status_code, 404, "nor can it give our call back")
        call.invalidate_recordset()
        self.assertEqual(call.state, "ringing")
        self.assertEqual([order["call_id"] for order in self.post_orders("claim").json()["orders"]],
                         [call.external_ref])

    def test_odd_dial_order_requests_get_a_clear_error_and_change_nothing(self):
        call = self.dial_anna()
        for raw in ("[1, 2]", "not json", '"text"', "{" * 5000, json.dumps({"x": "y" * 5000}),
                    json.dumps({"claim_id": 5}), json.dumps({"claim_id": "x" * 300}), json.dumps({"claim_id": "a\nb"})):
            response = self.post_orders("claim", raw=raw)
            self.assertEqual(response.status_code, 400, raw[:40])
            self.assertIn(response.json()["error"],
                          ("the body must be a JSON object", "field claim_id must be a short id"))
        for body in ({}, {"call_id": call.external_ref}, {"call_id": call.external_ref, "error": "  "},
                     {"call_id": 5, "error": "x"}, {"call_id": "a\nb", "error": "x"},
                     {"call_id": call.external_ref, "error": ["x"]}):
            self.assertEqual(self.post_orders("failed", body).status_code, 400, body)
        self.assertEqual(self.post_orders("failed", {"call_id": call.external_ref, "error": "x"}).status_code, 404,
                         "an order nobody claimed cannot fail")
        call.invalidate_recordset()
        self.assertEqual(call.state, "ringing")
        self.assertEqual(len(self.post_orders("claim", {"ari_connected": "yes", "asterisk_version": 22}).json()
                             ["orders"]), 1)
        self.line.invalidate_recordset()
        self.assertFalse(self.line.bridge_ari_connected, "only true is true")
        self.assertFalse(self.line.bridge_asterisk_version)

    def test_full_width_numbers_of_the_exception_list_leave_no_trace(self):
        self.line.exception_numbers = "\uff0b\uff14\uff18\u3000\uff12\uff12\u3000\uff11\uff12\uff13\u3000" \
                                      "\uff14\uff15\u3000\uff16\uff17"
        pbx = EventPoster(self)
        self.assertEqual(pbx.post("ringing", 0, "201"), {"ignored": True})
        self.assertFalse(pbx.call())
        pbx = EventPoster(self, number="\uff0b\uff14\uff18\uff12\uff12\uff11\uff12\uff13\uff14\uff15\uff16\uff17")
        self.line.exception_numbers = CUSTOMER_NUMBER
        self.assertEqual(pbx.post("ringing", 0, "201"), {"ignored": True})
