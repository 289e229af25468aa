from odoo import fields, models


class CrmCallPurpose(models.Model):
    """Why an outbound call is made: a list each company configures."""

    _name = "crm.call.purpose"
    _description = "Call Purpose"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_unique", "unique(name)", "A call purpose with this name already exists."),
    ]
