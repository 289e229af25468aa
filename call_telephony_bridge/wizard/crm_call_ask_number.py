from odoo import _, fields, models
from odoo.addons.call_logging.wizard.crm_call_ask_number import MAX_DIGITS, MIN_DIGITS
from odoo.exceptions import UserError


class CrmCallAskNumber(models.TransientModel):
    """Dialling a contact or lead without a number: ask for it, keep it, then dial it through the PBX (K4)."""

    _inherit = "crm.call.ask.number"

    then = fields.Selection(selection_add=[("dial", "Dial")], ondelete={"dial": "set default"})

    def action_confirm(self):
        """Store the number, then dial it when the user came from a dial button."""
        self.ensure_one()
        if self.then != "dial":
            return super().action_confirm()
        number = (self.number or "").strip()
        if not MIN_DIGITS <= sum(ch.isdigit() for ch in number) <= MAX_DIGITS:
            raise UserError(_("“%s” does not look like a phone number.", number))
        target = self.lead_id if self.lead_id and not self.partner_id else self.partner_id
        target.write({self.number_field: number})
        return self.env["crm.call"].telephony_dial(number, partner=self.partner_id, lead=self.lead_id)
