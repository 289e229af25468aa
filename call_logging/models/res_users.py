from odoo import fields, models


class ResUsers(models.Model):
    """A user's PBX extension and how they want to be reminded of the calls they scheduled."""

    _inherit = "res.users"

    telephony_extension = fields.Char(
        string="Phone Extension",
        help="The user's extension on the company's PBX: inbound calls ring it, click-to-dial calls it first.",
    )
    call_reminder_email = fields.Boolean(
        string="Email Call Reminders",
        help="Besides the notification in Odoo, send call reminders by email.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["telephony_extension", "call_reminder_email"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["call_reminder_email"]
