from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.phone_normalize import digits_of

# Shortest internal extensions to the longest international numbers with a prefix.
MIN_DIGITS, MAX_DIGITS = 3, 20


class CrmCallAskNumber(models.TransientModel):
    """Calling a contact or lead without a number: ask for it, keep it, then call."""

    _name = "crm.call.ask.number"
    _description = "Number to Call"

    partner_id = fields.Many2one("res.partner", string="Contact")
    lead_id = fields.Many2one("crm.lead", string="Lead")
    number = fields.Char(required=True)
    number_field = fields.Selection(
        [("phone", "Phone"), ("mobile", "Mobile")], string="Keep As", default="phone", required=True
    )
    then = fields.Selection([("call_now", "Call now"), ("schedule", "Schedule")], default="call_now")

    @api.constrains("partner_id", "lead_id")
    def _check_target(self):
        for wizard in self:
            if not (wizard.partner_id or wizard.lead_id):
                raise UserError(_("Choose the contact or lead the number belongs to."))

    def action_confirm(self):
        """Store the number on the contact (or lead) and go on with the call."""
        self.ensure_one()
        number = self._store_number()
        if self.then == "schedule":
            return self.env["crm.call"]._action_new_call(
                _("Schedule a Call"), "scheduled", partner=self.partner_id or None, lead=self.lead_id or None
            )
        return self.env["crm.call"]._start_call_with(
            partner=self.partner_id or None, lead=self.lead_id or None, phone=number
        )

    def _store_number(self):
        """Check the number typed, keep it on the contact (else the lead) and return it."""
        number = (self.number or "").strip()
        if not MIN_DIGITS <= len(digits_of(number)) <= MAX_DIGITS:
            raise UserError(_("“%s” does not look like a phone number.", number))
        target = self.lead_id if self.lead_id and not self.partner_id else self.partner_id
        target.write({self.number_field: number})
        return number
