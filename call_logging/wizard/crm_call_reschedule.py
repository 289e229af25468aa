from datetime import timedelta

from odoo import fields, models


class CrmCallReschedule(models.TransientModel):
    """Move one or several scheduled calls to a new start."""

    _name = "crm.call.reschedule"
    _description = "Reschedule Calls"

    start = fields.Datetime(
        string="New Start", required=True,
        default=lambda self: fields.Datetime.now().replace(second=0, microsecond=0) + timedelta(days=1),
    )

    def action_reschedule(self):
        calls = self.env["crm.call"].browse(self.env.context.get("active_ids", []))
        calls.action_reschedule(self.start)
        return {"type": "ir.actions.act_window_close"}
