from odoo import fields, models


class MailActivity(models.Model):
    """A call-back to-do that names the missed call it returns, so that the call shows in the day plan's Missed
    column of whoever must call back, even when the call rang someone else."""

    _inherit = "mail.activity"

    callback_call_id = fields.Many2one(
        "crm.call", string="Call to Return", index="btree_not_null", ondelete="set null",
        help="The latest missed call this call-back answers; it shows in the Missed column of the assignee's day plan.",
    )
    callback_count = fields.Integer(
        string="Calls to Return", default=1, help="How many missed calls of the customer this call-back answers.",
    )
