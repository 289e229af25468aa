"""Scheduled calls as Odoo activities, and Odoo's call activities in the day plan: one place for
every calling task.

Each scheduled call with a lead or a contact keeps one "Call" activity on that lead (else the
contact), due on the call's day, for the call's owner: the CRM's activity widget, the activity
view and the systray count it. It follows the call (moved, reassigned, renamed) and goes when the
call stops being planned: marked done when the call is completed, removed when it is cancelled
or deleted. Marking the activity done in the CRM completes the call. Call activities of other
apps (no call behind them) show in the day plan beside the calls.

A call-back to-do (a voicemail to return) is done once someone talked with that customer after
the missed call: a completed call that reached them, in or out, by anyone.
"""

import pytz

from odoo import _, api, fields, models
from odoo.osv import expression

from ..tools.trust import ACTIVITY_DONE, ACTIVITY_SYNCING

# What an activity shows of its call.
SYNCED_FIELDS = {"state", "start", "user_id", "lead_id", "partner_id", "name", "agenda", "purpose_id"}
ACTIVITY_SECTIONS = ("overdue", "today", "upcoming")
# What may turn a call into the conversation that answers a call-back.
CALLBACK_CLOSING_FIELDS = {"state", "result_id", "partner_id", "lead_id", "phone"}


class CrmCallActivityMixin(models.AbstractModel):
    """Listed just after the read-only fields' refusal, before every other aspect: its write brings the
    activity in step with the call once every other aspect has written its part (see crm_call.py)."""

    _name = "crm.call.activity.mixin"
    _description = "Phone Call: Call Activities"

    call_activity_id = fields.Many2one(
        "mail.activity", string="Activity", readonly=True, copy=False, ondelete="set null", index="btree_not_null",
        help="The Call activity that shows this scheduled call on its lead or contact.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._sync_call_activity()
        calls._close_answered_callbacks()
        return calls

    def write(self, vals):
        result = super().write(vals)
        # The activity's own write of its link, or its feedback, is already in step: no sync back.
        if SYNCED_FIELDS.intersection(vals) and self.env.context.get("call_activity_syncing") is not ACTIVITY_SYNCING:
            self._sync_call_activity()
        if CALLBACK_CLOSING_FIELDS.intersection(vals):
            self._close_answered_callbacks()
        return result

    def unlink(self):
        activities = self.call_activity_id
        result = super().unlink()
        # sudo: the activity is the deleted call's own shadow on its lead; deleting the call was checked
        activities.sudo().exists().unlink()
        return result

    def _sync_call_activity(self):
        call_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        if not call_type:
            return
        for call in self:
            target = call.lead_id or call.partner_id
            # sudo: the activity mirrors the call, on which the user's rights were checked; the lead or
            # contact may be one the user may read but not write (another team's), where Odoo would refuse it
            activity = call.sudo().call_activity_id
            if not (call.state == "scheduled" and target and call.user_id and call.start):
                # A closed call is locked: its link goes with the activity (ON DELETE SET NULL).
                if activity:
                    # Not when the call is done because its activity was marked done: the activity is done already.
                    if call.state == "done" and self.env.context.get("call_activity_done") is not ACTIVITY_DONE:
                        activity.with_context(call_activity_syncing=ACTIVITY_SYNCING).action_feedback(
                            feedback=_("Call completed"))
                    elif call.state != "done":
                        activity.unlink()
                continue
            vals = {
                "res_model_id": self.env["ir.model"]._get_id(target._name),
                "res_id": target.id,
                "activity_type_id": call_type.id,
                "summary": call.name or _("Call"),
                "note": call.agenda or False,
                "date_deadline": call._local_start_date(),
                "user_id": call.user_id.id,
            }
            if activity and (activity.res_model, activity.res_id) == (target._name, target.id):
                del vals["res_model_id"], vals["res_id"]
                activity.with_context(mail_activity_quick_update=True).write(vals)
                continue
            if activity:
                activity.unlink()
            # sudo: as above, the activity and the call's link to it mirror the call the user could write
            new = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals)
            call.sudo().with_context(call_activity_syncing=ACTIVITY_SYNCING).call_activity_id = new  # sudo: as above

    def _close_answered_callbacks(self):
        """Mark done the call-back to-dos these calls answer: a completed call that reached the customer (contact,
        lead or number) after the missed call the to-do returns."""
        talks = self.filtered(lambda call: call.state == "done" and call.start
                              and (not call.result_id or call.result_id.is_reached)
                              and (call.partner_id or call.lead_id or call.phone_e164))
        if not talks:
            return
        # sudo: the to-do may be a colleague's (the customer's salesperson): the conversation that answers it
        # is this call, on which the user's rights were checked; nothing of the to-do is shown
        Activity = self.env["mail.activity"].sudo()
        for call in talks:
            customer = []
            if call.partner_id:
                customer.append([("res_model", "=", "res.partner"), ("res_id", "=", call.partner_id.id)])
            if call.lead_id:
                customer.append([("res_model", "=", "crm.lead"), ("res_id", "=", call.lead_id.id)])
            if call.phone_e164:
                customer.append([("callback_call_id.phone_e164", "=", call.phone_e164)])
            callbacks = Activity.search(expression.AND([
                [("callback_call_id", "!=", False), ("callback_call_id", "!=", call.id),
                 ("callback_call_id.start", "<", call.start)],
                expression.OR(customer),
            ]))
            if callbacks:
                callbacks.action_feedback(feedback=_("%(who)s talked with the customer: “%(call)s”.",
                                                     who=call.user_id.name or _("Someone"), call=call.name))

    def _local_start_date(self):
        """The call's day in its owner's time zone: an activity is due on a date."""
        tz = pytz.timezone(self.user_id.tz or self.env.user.tz or "UTC")
        return pytz.utc.localize(self.start).astimezone(tz).date()

    @api.model
    def get_day_plan(self, user_id=None, team_id=None):
        """The day plan, with the call activities of other apps (no call behind them) as tasks."""
        plan = super().get_day_plan(user_id=user_id, team_id=team_id)
        owners = self._day_plan_owners(user_id, team_id)
        today = fields.Date.context_today(self)
        activities = self.env["mail.activity"].search([
            ("user_id", "in", owners.ids), ("activity_category", "=", "phonecall"),
            # A call-back's missed call is in the Missed column already, with its voicemail.
            ("crm_call_ids", "=", False), ("callback_call_id", "=", False),
        ], order="date_deadline asc", limit=60)
        for key in ACTIVITY_SECTIONS:
            plan[key]["tasks"] = []
        for activity in activities:
            key = ("overdue" if activity.date_deadline < today
                   else "today" if activity.date_deadline == today else "upcoming")
            plan[key]["tasks"].append({
                "id": activity.id,
                "summary": activity.summary or activity.activity_type_id.name,
                "res_model": activity.res_model,
                "res_id": activity.res_id,
                "res_name": activity.res_name,
                "date_deadline": fields.Date.to_string(activity.date_deadline),
            })
        return plan

