from odoo import fields, models


class ResUsers(models.Model):
    """Each user's screen-pop preference (V3)."""

    _inherit = "res.users"

    telephony_open_record_on_answer = fields.Boolean(
        string="Open the Caller's Card on Answer",
        default=True,
        help="When you answer a call, its contact or lead opens by itself.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["telephony_open_record_on_answer"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["telephony_open_record_on_answer"]
