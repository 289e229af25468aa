from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import TelephonyWorldMixin, connect_bridge


@tagged("post_install", "-at_install")
class TestDialAnywhere(TelephonyWorldMixin, HttpCase):
    """Any phone number shown in Odoo dials through the PBX: the PBX rings the user's phone, then the number."""

    def setUp(self):
        super().setUp()
        connect_bridge(self.line)
        self.admin = self.env.ref("base.user_admin")
        self.admin.telephony_extension = "209"

    def dialled(self):
        return self.env["crm.call"].search([("user_id", "=", self.admin.id), ("external_ref", "like", "odoo-c2d-%")],
                                           order="id")

    def test_tour_a_number_a_contact_and_a_recent_call_are_one_click_away(self):
        self.start_tour("/odoo/contacts?view_type=list", "call_telephony_bridge_dial_anywhere", login="admin")
        calls = self.dialled()
        self.assertEqual(calls.mapped("state"), ["ringing"] * 3)
        self.assertEqual(calls.mapped("partner_id"), self.partner, "the contact's number and the contact found")
        self.assertEqual(calls[2].phone, "+48 22 765 43 21")
        orders = self.env["telephony.dial.order"].search([("call_id", "in", calls.ids)], order="id")
        self.assertEqual(orders.mapped("number"), ["+48221234567", "+48221234567", "+48227654321"])
        self.assertEqual(set(orders.mapped("extension")), {"209"})

    def test_the_number_must_be_a_phone_number(self):
        Call = self.env["crm.call"].with_user(self.agent)
        for number in (42, ["+48 22 123 45 67"], "+48 " + "1" * 80):
            with self.assertRaisesRegex(UserError, "must be text"):
                Call.telephony_dial_number(number)
        with self.assertRaisesRegex(UserError, "not a phone number that can be dialled"):
            Call.telephony_dial_number("call me maybe")
        self.assertFalse(self.env["crm.call"].search([("external_ref", "like", "odoo-c2d-%")]))
