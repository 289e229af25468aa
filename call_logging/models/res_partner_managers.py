from odoo import fields, models


class ResPartner(models.Model):
    """Managers of a contact: users who look after it besides its salesperson.

    "My contacts" are those I sell to (salesperson) or manage; the filters on contacts and
    on calls use ``user_id`` and ``manager_ids`` together.
    """

    _inherit = "res.partner"

    manager_ids = fields.Many2many(
        "res.users",
        "res_partner_manager_rel",
        "partner_id",
        "user_id",
        string="Managers",
        domain="[('share', '=', False)]",
        help="Colleagues who look after this contact besides its salesperson.",
    )
