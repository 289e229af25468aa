from odoo import models


class CrmLead(models.Model):
    """Leads get a dial button: the PBX rings the user's phone, then the lead."""

    _name = "crm.lead"
    _inherit = ["crm.lead", "telephony.dial.mixin"]

    def action_telephony_dial(self):
        """Dial the lead's phone (or mobile); ask for a number when it has none."""
        self.ensure_one()
        return self.env["crm.call"]._telephony_dial(self.phone or self.mobile, partner=self.partner_id, lead=self)
