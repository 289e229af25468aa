from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmCallFollowup(models.TransientModel):
    """After a call: book a meeting, another call or a task with the same contact or lead."""

    _name = "crm.call.followup"
    _description = "Call Follow-up"

    call_id = fields.Many2one("crm.call", required=True, ondelete="cascade")
    followup_type = fields.Selection(
        [("meeting", "Meeting"), ("call", "Another Call"), ("task", "Task")],
        string="Follow-up",
        required=True,
        default="task",
    )
    summary = fields.Char(required=True, compute="_compute_summary", store=True, readonly=False, precompute=True,
                          compute_sudo=False)
    start = fields.Datetime(string="When", required=True, default=lambda self: self._default_start())
    user_id = fields.Many2one("res.users", string="Assigned To", default=lambda self: self.env.user, required=True)
    note = fields.Text()

    @api.model
    def _default_start(self):
        """Tomorrow, on the next full hour."""
        return fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1, hours=1)

    @api.depends("followup_type", "call_id")
    def _compute_summary(self):
        labels = {"meeting": _("Meeting with %s"), "call": _("Call back %s"), "task": _("Follow up %s")}
        for wizard in self:
            # Nothing of a call the user may not read, not even its caller's name.
            call = wizard.call_id._filtered_access("read")
            wizard.summary = labels[wizard.followup_type] % call._caller_name()

    @api.model_create_multi
    def create(self, vals_list):
        calls = self.env["crm.call"].browse([vals["call_id"] for vals in vals_list if vals.get("call_id")])
        calls.check_access("read")
        return super().create(vals_list)

    def action_create(self):
        """Create the follow-up and open it."""
        self.ensure_one()
        handler = {"meeting": self._create_meeting, "call": self._create_call, "task": self._create_task}
        return handler[self.followup_type]()

    def _create_meeting(self):
        call = self.call_id
        record = call._target_record()
        attendees = self.user_id.partner_id | call.partner_id
        event = self.env["calendar.event"].create({
            "name": self.summary,
            "start": self.start,
            "stop": self.start + timedelta(hours=1),
            "user_id": self.user_id.id,
            "partner_ids": [fields.Command.set(attendees.ids)],
            "opportunity_id": call.lead_id.id,
            "description": self.note,
            "res_model_id": self.env["ir.model"]._get_id(record._name) if record else False,
            "res_id": record.id,
        })
        return {"type": "ir.actions.act_window", "res_model": "calendar.event", "res_id": event.id,
                "view_mode": "form", "target": "current"}

    def _create_call(self):
        call = self.call_id
        if self.start < fields.Datetime.now():
            raise UserError(_("A follow-up call must be planned ahead."))
        followup = self.env["crm.call"].create({
            "state": "scheduled",
            "direction": "outbound",
            "name": self.summary,
            "start": self.start,
            "user_id": self.user_id.id,
            "partner_id": call.partner_id.id,
            "lead_id": call.lead_id.id,
            "related_ref": call.related_ref and f"{call.related_ref._name},{call.related_ref.id}",
            "phone": call.phone,
            "agenda": self.note,
            "purpose_id": call.purpose_id.id,
            "company_id": call.company_id.id,
        })
        return followup._action_open_form()

    def _create_task(self):
        record = self.call_id._target_record()
        if not record:
            raise UserError(_("A task needs a contact or a lead to hang on; this call has neither."))
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(self, self.start),
            summary=self.summary,
            note=self.note,
            user_id=self.user_id.id,
        )
        return {"type": "ir.actions.act_window_close"}
