from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Contact merge: the merged contact keeps exactly the numbers it ends up with in the phone lookup."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        # The merge moves every foreign key, index rows included, to the kept contact in SQL.
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        self.env["res.partner"].browse(partner_ids).exists()._phone_index_refresh()
        return result
