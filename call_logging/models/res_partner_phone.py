from odoo import api, fields, models

PHONE_TYPES = [
    ("mobile", "Mobile"),
    ("landline", "Landline"),
    ("work", "Work"),
    ("main", "Main"),
    ("home_fax", "Home Fax"),
    ("office_fax", "Office Fax"),
    ("other", "Other"),
]


class ResPartnerPhone(models.Model):
    """One more number of a contact, with its type; found by caller identification like phone and mobile."""

    _name = "res.partner.phone"
    _description = "Contact Phone Number"
    _order = "partner_id, sequence, id"
    _rec_name = "number"

    partner_id = fields.Many2one("res.partner", string="Contact", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    type = fields.Selection(PHONE_TYPES, string="Type", required=True, default="mobile")
    number = fields.Char(string="Number", required=True)

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        phones = super().create(vals_list)
        phones.partner_id._phone_index_refresh()
        return phones

    def write(self, vals):
        partners = self.partner_id
        result = super().write(vals)
        if {"number", "partner_id"}.intersection(vals):
            (partners | self.partner_id)._phone_index_refresh()
        return result

    def unlink(self):
        partners = self.partner_id
        result = super().unlink()
        partners.exists()._phone_index_refresh()
        return result
