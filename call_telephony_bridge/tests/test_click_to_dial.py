from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, TransactionCase, tagged

from .common import TelephonyWorldMixin, connect_bridge


@tagged("post_install", "-at_install")
class TestClickToDial(TelephonyWorldMixin, TransactionCase):
    """Dialling from a contact: Odoo logs the ringing call and leaves the bridge an order to place it."""

    def order_of(self, call):
        return self.env["telephony.dial.order"].sudo().search([("call_id", "=", call.id)])

    def test_dial_a_contact_logs_a_ringing_call_and_orders_my_extension_then_the_number(self):
        connect_bridge(self.line)
        self.assertTrue(self.partner.with_user(self.agent).telephony_can_dial)
        action = self.partner.with_user(self.agent).action_telephony_dial()
        call = self.env["crm.call"].browse(action["res_id"])
        self.assertEqual((call.state, call.direction, call.user_id), ("ringing", "outbound", self.agent))
        self.assertEqual((call.partner_id, call.phone), (self.partner, self.partner.phone))
        self.assertTrue(call.external_ref.startswith("odoo-c2d-"))
        order = self.order_of(call)
        self.assertEqual((order.call_ref, order.extension, order.number, order.caller_id),
                         (call.external_ref, "201", "+48221234567", "+48221000000"))
        self.assertFalse(order.claimed_at, "no bridge has taken it yet")

    def test_without_a_bridge_following_the_pbx_the_call_button_times_a_call_instead(self):
        self.assertFalse(self.partner.with_user(self.agent).telephony_can_dial, "no bridge was ever heard from")
        with self.assertRaisesRegex(UserError, "No PBX bridge is connected"):
            self.partner.with_user(self.agent).action_telephony_dial()
        self.line.sudo()._note_bridge_health(False, None)
        self.partner.invalidate_recordset(["telephony_can_dial"])
        self.assertFalse(self.partner.with_user(self.agent).telephony_can_dial, "the bridge runs, Asterisk is away")
        connect_bridge(self.line)
        later = fields.Datetime.now() + timedelta(seconds=61)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.partner.invalidate_recordset(["telephony_can_dial"])
            self.assertFalse(self.partner.with_user(self.agent).telephony_can_dial, "silent for a minute: stopped")
        self.assertFalse(self.env["crm.call"].search([("external_ref", "like", "odoo-c2d-%")]))

    def test_no_extension_or_no_number(self):
        connect_bridge(self.line)
        self.agent.telephony_extension = False
        with self.assertRaisesRegex(UserError, "no phone extension"):
            self.partner.with_user(self.agent).action_telephony_dial()
        mute = self.env["res.partner"].create({"name": "No Number"})
        action = mute.with_user(self.agent).action_telephony_dial()
        self.assertEqual((action["res_model"], action["context"]["default_then"]), ("crm.call.ask.number", "dial"))

    def test_settings_count_the_lines_configured(self):
        lines = self.env["telephony.line"].search_count([("company_id", "=", self.env.company.id)])
        self.assertTrue(lines, "the telephony world has a line")
        self.assertEqual(Form(self.env["res.config.settings"]).telephony_line_count, lines)

    def test_test_connection_says_how_each_lines_bridge_is(self):
        def test_connection():
            params = self.env["res.config.settings"].create({}).action_telephony_test_connection()["params"]
            return params["type"], params["message"]

        kind, message = test_connection()
        self.assertEqual(kind, "danger")
        self.assertIn("Sales line: no bridge has been heard from", message)
        self.line.sudo()._note_bridge_health(False, None)
        self.assertIn("the bridge is running but cannot reach the PBX", test_connection()[1])
        connect_bridge(self.line, "22.10.1")
        self.assertEqual(test_connection(),
                         ("success", "Sales line: the bridge is running and connected to Asterisk 22.10.1."))
        later = self.line.bridge_seen_at + timedelta(seconds=90)  # stored to the second
        with patch.object(fields.Datetime, "now", return_value=later):
            kind, message = test_connection()
        self.assertEqual(kind, "danger")
        self.assertIn("has not been heard from for 90 seconds", message)


@tagged("post_install", "-at_install")
class TestTestConnectionTour(HttpCase):
    """Settings > Telephony in the browser: Test Connection says how the bridges are, with no dialog first."""

    def test_test_connection_answers_without_a_dialog(self):
        self.start_tour("/odoo/settings#call_telephony_bridge", "call_telephony_bridge_test_connection", login="admin")
