import requests

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, TransactionCase, tagged

from .common import setup_telephony_world
from .pbx_processes import ARI_PASSWORD, ARI_USER, components_available, free_port, start_simulator


@tagged("post_install", "-at_install")
class TestClickToDial(TransactionCase):
    """Dialling from a contact: Odoo asks the PBX to ring the user's phone, and logs the ringing call first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        world = setup_telephony_world(cls.env)
        cls.agent, cls.partner = world["agent"], world["partner"]
        cls.simulator = None
        if components_available():
            cls.simulator, cls.ari_url = start_simulator(free_port())
            cls.addClassCleanup(cls.simulator.stop)

    def connect(self, url=None, password=ARI_PASSWORD):
        self.env.company.write({
            "telephony_ari_url": url or self.ari_url, "telephony_ari_user": ARI_USER,
            "telephony_ari_password": password, "telephony_ari_app": "odoo",
        })

    def test_dial_a_contact_rings_my_extension_and_logs_a_ringing_call(self):
        if not self.simulator:
            self.skipTest("the simulated PBX is not in the repository")
        self.connect()
        action = self.partner.with_user(self.agent).action_telephony_dial()
        call = self.env["crm.call"].browse(action["res_id"])
        self.assertEqual((call.state, call.direction, call.user_id), ("ringing", "outbound", self.agent))
        self.assertEqual((call.partner_id, call.phone), (self.partner, self.partner.phone))
        self.assertTrue(call.external_ref.startswith("odoo-c2d-"))
        channel = requests.get(f"{self.ari_url}/ari/channels/{call.external_ref}",
                               auth=(ARI_USER, ARI_PASSWORD), timeout=5)
        self.assertEqual(channel.status_code, 200, "the PBX has the channel Odoo asked for")
        self.assertIn("201", channel.json()["name"])

    def test_pbx_errors_are_clear_and_leave_no_call(self):
        self.connect(url=f"http://127.0.0.1:{free_port()}")
        with self.assertRaisesRegex(UserError, "could not place the call"):
            self.partner.with_user(self.agent).action_telephony_dial()
        self.assertFalse(self.env["crm.call"].search([("external_ref", "like", "odoo-c2d-%")]))
        if self.simulator:
            self.connect(password="wrong")
            with self.assertRaisesRegex(UserError, "refused the ARI user name or password"):
                self.partner.with_user(self.agent).action_telephony_dial()
            self.assertFalse(self.env["crm.call"].search([("external_ref", "like", "odoo-c2d-%")]))

    def test_no_extension_or_no_number(self):
        self.connect(url="http://127.0.0.1:9")
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

    def test_test_connection_reports_clearly(self):
        unreachable = f"http://127.0.0.1:{free_port()}"
        settings = self.env["res.config.settings"].create({"telephony_ari_url": unreachable})
        result = settings.action_telephony_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("could not be reached: cannot reach", result["params"]["message"])
        self.assertEqual(self.env.company.telephony_ari_url, unreachable, "the settings typed are kept")
        if self.simulator:
            settings = self.env["res.config.settings"].create({
                "telephony_ari_url": self.ari_url, "telephony_ari_user": ARI_USER,
                "telephony_ari_password": ARI_PASSWORD})
            result = settings.action_telephony_test_connection()
            self.assertIn("Asterisk", result["params"]["message"])


@tagged("post_install", "-at_install")
class TestTestConnectionTour(HttpCase):
    """Settings > Telephony in the browser: Test Connection right after typing the address."""

    def test_test_connection_saves_the_settings_without_a_dialog(self):
        self.start_tour("/odoo/settings#call_telephony_bridge", "call_telephony_bridge_test_connection", login="admin")
        self.assertEqual(self.env.company.telephony_ari_url, "http://127.0.0.1:9")

