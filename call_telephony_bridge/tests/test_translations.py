from odoo.addons.call_logging.tests.common_translations import TranslationChecks
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTranslations(TranslationChecks, TransactionCase):
    """Every user-facing string of Call Telephony Bridge has a reviewed pl and ja translation."""

    _addon = "call_telephony_bridge"
    _same_as_source = {
        "pl": {"ID", "Token", "Asterisk ARI", "+48 22 123 45 67", "http://127.0.0.1:8088",
               "wss://pbx.example.com:8089/ws"},
        "ja": {"ID", "ARI URL", "Asterisk ARI", "http://127.0.0.1:8088", "wss://pbx.example.com:8089/ws"},
    }
