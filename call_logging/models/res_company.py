from odoo import fields, models

from ..tools.call_billing import ROUNDING_PER_SECOND, ROUNDING_PER_STARTED_MINUTE

CALL_BILLING_ROUNDINGS = [
    (ROUNDING_PER_SECOND, "Per Second"),
    (ROUNDING_PER_STARTED_MINUTE, "Per Started Minute"),
]


class ResCompany(models.Model):
    """The company's default terms for billing calls to customers."""

    _inherit = "res.company"

    call_rate_per_minute = fields.Float(
        string="Call Rate per Minute", digits="Product Price",
        help="Price of a minute of call for customers without a rate of their own.",
    )
    call_billing_rounding = fields.Selection(
        CALL_BILLING_ROUNDINGS, string="Call Billing Rounding", required=True, default=ROUNDING_PER_STARTED_MINUTE,
        help="Per second: the exact length is billed. Per started minute: a call of 61 seconds is billed 2 minutes.",
    )
    call_result_required = fields.Boolean(
        string="Result Required on Every Call",
        help="The wrap-up after a call cannot be saved without the call's result.",
    )
