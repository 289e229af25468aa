from odoo.tests import HttpCase, tagged

from .common import CUSTOMER_NUMBER, LINE_NUMBER, LINE_TOKEN, TelephonyWorldMixin


@tagged("post_install", "-at_install")
class TestRouteEndpoint(TelephonyWorldMixin, HttpCase):
    """The PBX asks where to ring an inbound call: the caller's salesperson first, then the line's extensions."""

    def route(self, number, token=LINE_TOKEN, expect=200):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.url_open(
            f"/telephony/v1/route?from={number}&to={LINE_NUMBER}&call_id=abc", headers=headers)
        self.assertEqual(response.status_code, expect, response.text)
        return response.json()

    def test_known_caller_rings_their_salesperson_first(self):
        plan = self.route(CUSTOMER_NUMBER.replace("+", "%2B"))
        self.assertEqual(plan, {"steps": [{"extensions": ["201"], "timeout": 20, "rings": 4, "target": "owner"},
                                          {"extensions": ["100"], "timeout": 20, "rings": 4, "target": "default"}],
                                "fallback": "voicemail", "skip": False, "caller_type": "contact", "notices": []})

    def test_unknown_caller_rings_the_line_and_empty_steps_are_dropped(self):
        self.assertEqual(self.route("%2B48619998877")["steps"],
                         [{"extensions": ["100"], "timeout": 20, "rings": 4, "target": "default"}])
        self.line.default_extensions = False
        plan = self.route("%2B48619998877")
        self.assertEqual((plan["steps"], plan["fallback"]), ([], "voicemail"))

    def test_exception_number_is_skipped(self):
        self.line.exception_numbers = "+48 600 700 800"
        plan = self.route("600700800")
        self.assertTrue(plan["skip"])
        self.assertEqual(plan["steps"], [{"extensions": ["100"], "timeout": 20, "rings": 4, "target": "default"}],
                         "the call still rings, like an unknown caller's")

    def test_route_needs_the_token(self):
        self.route("123", token="", expect=401)
        self.route("123", token="nope", expect=401)
