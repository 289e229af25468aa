from odoo import fields, models

from .res_company import CALL_BILLING_ROUNDINGS


class ResPartner(models.Model):
    """A customer's own terms for billing calls; without them the company's default applies."""

    _inherit = "res.partner"

    call_rate_override = fields.Boolean(
        string="Own Call Rate", help="Bill this customer's calls at its own rate instead of the company's.",
    )
    call_rate_per_minute = fields.Float(string="Call Rate per Minute", digits="Product Price")
    call_billing_rounding = fields.Selection(
        CALL_BILLING_ROUNDINGS, string="Call Billing Rounding",
        help="Leave empty to use the company's rounding.",
    )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _call_billing_terms(self, company):
        """(rate per minute, rounding) for this customer's calls in ``company``."""
        self.ensure_one()
        customer = self.commercial_partner_id
        rate = customer.call_rate_per_minute if customer.call_rate_override else company.call_rate_per_minute
        return rate, customer.call_billing_rounding or company.call_billing_rounding
