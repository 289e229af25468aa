from odoo import _, fields, models
from odoo.exceptions import UserError


class CrmCallAskNumber(models.TransientModel):
    """Booking a phone appointment with a contact or lead without a number: ask for it, keep it, then book."""

    _inherit = "crm.call.ask.number"

    then = fields.Selection(
        selection_add=[("appointment", "Book a phone appointment")], ondelete={"appointment": "set default"}
    )

    def action_confirm(self):
        """Store the number on the contact, then open the appointment dialog."""
        self.ensure_one()
        if self.then != "appointment":
            return super().action_confirm()
        if not (self.partner_id or self.lead_id):
            raise UserError(_("A phone appointment is booked with a contact or a lead."))
        self._store_number()
        return self.env["crm.call"]._action_new_phone_appointment(
            partner=self.partner_id or None, lead=self.lead_id or None
        )
