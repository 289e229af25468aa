from odoo.tests import TransactionCase, tagged

from .common_translations import TranslationChecks


@tagged("post_install", "-at_install")
class TestTranslations(TranslationChecks, TransactionCase):
    """Every user-facing string of Call Logging has a reviewed pl and ja translation."""

    _addon = "call_logging"
    _same_as_source = {
        "pl": {"ID", "E.164", "Lead", "Status", "min", "+48 22 123 45 67"},
        "ja": {"ID", "E.164"},
    }
