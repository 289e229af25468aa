from odoo import fields, models

from ..tools.trust import ACTIVITY_DONE, ACTIVITY_SYNCING


class MailActivity(models.Model):
    """Call activities: the scheduled call an activity shows (see crm.call.activity.mixin), and the missed call
    a call-back to-do returns, so that the call shows in the day plan's Missed column of whoever must call back,
    even when the call rang someone else."""

    _inherit = "mail.activity"

    crm_call_ids = fields.One2many("crm.call", "call_activity_id", string="Scheduled Calls")
    callback_call_id = fields.Many2one(
        "crm.call", string="Call to Return", index="btree_not_null", ondelete="set null",
        help="The latest missed call this call-back answers; it shows in the Missed column of the assignee's day plan.",
    )
    callback_count = fields.Integer(
        string="Calls to Return", default=1, help="How many missed calls of the customer this call-back answers.",
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a scheduled call's activity done (in the CRM, the activity view) completes the call."""
        # Not when the call itself closes its activity (it is completed already).
        if self.env.context.get("call_activity_syncing") is not ACTIVITY_SYNCING:
            calls = self.crm_call_ids.filtered(lambda call: call.state == "scheduled")
            if calls:
                calls.with_context(call_activity_done=ACTIVITY_DONE).action_mark_done()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
