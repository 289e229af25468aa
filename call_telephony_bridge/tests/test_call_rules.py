import psycopg2

from odoo.addons.call_logging.tests.common import CallCase
from odoo.tests import tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestPbxCallRules(CallCase):
    """The rules on what the PBX records on a call."""

    @mute_logger("odoo.sql_db")
    def test_a_pbx_call_id_is_unique_per_company(self):
        self.Call._telephony_create({"external_ref": "1795545084.1", "start": self.now})
        with self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self.Call._telephony_create({"external_ref": "1795545084.1", "start": self.now}).flush_recordset()
