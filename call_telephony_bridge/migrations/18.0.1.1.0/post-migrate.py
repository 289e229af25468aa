"""Odoo no longer talks to the PBX: the company's ARI settings are the bridge's own now. Their columns are
dropped, the ARI password first among them, so that no secret is left behind in the database."""

from odoo.tools import SQL

ARI_COLUMNS = ("telephony_ari_url", "telephony_ari_user", "telephony_ari_password", "telephony_ari_app",
               "telephony_agent_endpoint")


def migrate(cr, version):
    for column in ARI_COLUMNS:
        cr.execute(SQL("ALTER TABLE res_company DROP COLUMN IF EXISTS %s", SQL.identifier(column)))
