from odoo import fields, models


class ResUsers(models.Model):
    """How a user wants to be reminded of the calls they scheduled."""

    _inherit = "res.users"

    call_reminder_email = fields.Boolean(
        string="Email Call Reminders",
        help="Besides the notification in Odoo, send call reminders by email.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["call_reminder_email"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["call_reminder_email"]
