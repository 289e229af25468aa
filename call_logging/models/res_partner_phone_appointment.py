from odoo import models


class ResPartner(models.Model):
    """Book a phone appointment with a contact in two clicks."""

    _inherit = "res.partner"

    def action_phone_appointment(self):
        """Open the appointment dialog prefilled from the contact; ask for a number first if it has none."""
        self.ensure_one()
        if not (self.phone or self.mobile):
            return self.env["crm.call"]._action_ask_number(partner=self, then="appointment")
        return self._action_new_phone_appointment()

    def _action_new_phone_appointment(self):
        self.ensure_one()
        return self.env["crm.call"]._action_new_phone_appointment(partner=self)
