from odoo import fields, models


class CrmCallResult(models.Model):
    """The outcome of a call: a list each company configures."""

    _name = "crm.call.result"
    _description = "Call Result"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_reached = fields.Boolean(
        string="Customer Reached",
        default=True,
        help="Whether this outcome means the other party was actually reached.",
    )

    _sql_constraints = [
        ("name_unique", "unique(name)", "A call result with this name already exists."),
    ]
