from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmCallWrapUp(models.TransientModel):
    """Right after the hang-up: the call's result, outcome, goal, notes and the person spoken with."""

    _name = "crm.call.wrap.up"
    _description = "Call Wrap-up"

    call_id = fields.Many2one("crm.call", required=True, ondelete="cascade")
    direction = fields.Selection(related="call_id.direction")
    partner_id = fields.Many2one(related="call_id.partner_id")
    commercial_partner_id = fields.Many2one(related="call_id.commercial_partner_id")
    result_required = fields.Boolean(compute="_compute_result_required")
    result_id = fields.Many2one(
        "crm.call.result", string="Result", compute="_compute_from_call", store=True, readonly=False
    )
    result_note = fields.Text(string="Outcome", compute="_compute_from_call", store=True, readonly=False)
    inbound_reason = fields.Text(string="Reason for the Call", compute="_compute_from_call", store=True,
                                 readonly=False)
    goal_status = fields.Selection(
        [("none", "No Goal"), ("success", "Goal Reached"), ("failure", "Goal Missed")],
        string="Goal Status", compute="_compute_from_call", store=True, readonly=False,
    )
    contact_person_id = fields.Many2one(
        "res.partner", string="Spoke With", compute="_compute_from_call", store=True, readonly=False,
        domain="[('id', 'child_of', commercial_partner_id)]",
    )
    description = fields.Html(string="Notes", compute="_compute_from_call", store=True, readonly=False)
    additional_info = fields.Text(
        string="Additional Information", compute="_compute_from_call", store=True, readonly=False,
        help="Special requirements, remarks, requests and questions raised during the call.",
    )

    @api.depends("call_id")
    def _compute_result_required(self):
        for wizard in self:
            wizard.result_required = (wizard.call_id.company_id or self.env.company).call_result_required

    @api.depends("call_id")
    def _compute_from_call(self):
        for wizard in self:
            call = wizard.call_id
            wizard.update({name: call[name] for name in self._call_fields()})

    @api.model
    def _call_fields(self):
        return ("result_id", "result_note", "inbound_reason", "goal_status", "contact_person_id",
                "description", "additional_info")

    def action_save(self):
        """Write the wrap-up on the call, then offer a follow-up."""
        self.ensure_one()
        if self.result_required and not self.result_id:
            raise UserError(_("Choose the call's result: your company asks for one on every call."))
        call = self.call_id
        vals = {}
        for name in self._call_fields():
            value = self[name]
            value = value.id if isinstance(value, models.BaseModel) else value
            current = call[name].id if isinstance(call[name], models.BaseModel) else call[name]
            if value != current:
                vals[name] = value
        if vals:
            call._write_wrap_up(vals)
        return call.action_open_followup()
