from odoo import fields, models


class CrmCallAskNumber(models.TransientModel):
    """Dialling a contact or lead without a number: ask for it, keep it, then dial it through the PBX."""

    _inherit = "crm.call.ask.number"

    then = fields.Selection(selection_add=[("dial", "Dial")], ondelete={"dial": "set default"})

    def action_confirm(self):
        """Store the number, then dial it when the user came from a dial button."""
        self.ensure_one()
        if self.then != "dial":
            return super().action_confirm()
        return self.env["crm.call"]._telephony_dial(self._store_number(), partner=self.partner_id, lead=self.lead_id)
