from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.phone_normalize import digits_of
from .crm_call_ask_number import MAX_DIGITS, MIN_DIGITS


class CrmCallStart(models.TransientModel):
    """A call started from nowhere in particular: first who is called, then the running call."""

    _name = "crm.call.start"
    _description = "Call Someone"

    partner_id = fields.Many2one("res.partner", string="Contact")
    lead_id = fields.Many2one("crm.lead", string="Lead / Opportunity")
    number = fields.Char(compute="_compute_number", store=True, readonly=False)

    @api.depends("partner_id", "lead_id")
    def _compute_number(self):
        for wizard in self:
            wizard.number = self.env["crm.call"]._number_to_call(wizard.partner_id, wizard.lead_id) or wizard.number

    @api.onchange("lead_id")
    def _onchange_lead_id(self):
        if self.lead_id.partner_id and not self.partner_id:
            self.partner_id = self.lead_id.partner_id

    def action_start(self):
        """Start the call with the contact, lead or number chosen, its timer running from now."""
        self.ensure_one()
        number = (self.number or "").strip()
        if not (self.partner_id or self.lead_id or number):
            raise UserError(_("Choose the contact or lead you are calling, or type the number."))
        if number and not MIN_DIGITS <= len(digits_of(number)) <= MAX_DIGITS:
            raise UserError(_("“%s” does not look like a phone number.", number))
        return self.env["crm.call"]._start_call_with(
            partner=self.partner_id or None, lead=self.lead_id or None, phone=number or None
        )
