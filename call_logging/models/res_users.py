from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    telephony_extension = fields.Char(
        string="Phone Extension",
        help="The user's extension on the company's PBX: inbound calls ring it, click-to-dial calls it first.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["telephony_extension"]
