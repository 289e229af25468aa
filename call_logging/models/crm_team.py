from odoo import fields, models


class CrmTeam(models.Model):
    """Sales teams: the pre-sales ones are followed on the Calls dashboard for the leads they contact."""

    _inherit = "crm.team"

    is_presales = fields.Boolean(
        string="Pre-Sales Team",
        help="The Calls dashboard counts the distinct leads this team contacts by phone per week or month.",
    )
