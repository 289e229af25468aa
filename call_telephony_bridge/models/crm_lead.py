from odoo import models


class CrmLead(models.Model):
    """Leads get a dial button: the PBX rings the user's phone, then the lead."""

    _name = "crm.lead"
    _inherit = ["crm.lead", "telephony.dial.mixin"]

    def action_telephony_dial(self):
        """Dial the lead's phone (or mobile); ask for a number when it has none."""
        self.ensure_one()
        Call = self.env["crm.call"]
        return Call._telephony_dial(Call._number_to_call(lead=self), partner=self.partner_id, lead=self)
