from odoo import models


class ResPartner(models.Model):
    """Contacts get a dial button: the PBX rings the user's phone, then the contact."""

    _name = "res.partner"
    _inherit = ["res.partner", "telephony.dial.mixin"]

    def action_telephony_dial(self):
        """Dial the contact's phone (or mobile); ask for a number when it has none."""
        self.ensure_one()
        Call = self.env["crm.call"]
        return Call._telephony_dial(Call._number_to_call(partner=self), partner=self)
