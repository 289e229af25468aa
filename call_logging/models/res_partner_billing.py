from odoo import fields, models

from .res_company import CALL_BILLING_ROUNDINGS


class ResPartner(models.Model):
    """A customer's own terms for billing calls; without them the company's default applies."""

    _inherit = "res.partner"

    call_rate_override = fields.Boolean(
        string="Own Call Rate", help="Bill this customer's calls at its own rate instead of the company's.",
    )
    call_rate_per_minute = fields.Float(string="Call Rate per Minute", digits="Product Price")
    call_rate_currency_id = fields.Many2one(
        "res.currency", string="Call Rate Currency",
        help="The currency of the customer's own rate and of its billed calls; empty: the company's currency.",
    )
    call_billing_rounding = fields.Selection(
        CALL_BILLING_ROUNDINGS, string="Call Billing Rounding",
        help="Leave empty to use the company's rounding.",
    )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _call_billing_terms(self, company):
        """(rate per minute, rounding, currency) for this customer's calls in ``company``.

        A customer's own rate is in its own currency (the company's when none is set); the company's rate is
        in the company's currency.
        """
        self.ensure_one()
        customer = self.commercial_partner_id
        rounding = customer.call_billing_rounding or company.call_billing_rounding
        if customer.call_rate_override:
            return customer.call_rate_per_minute, rounding, customer.call_rate_currency_id or company.currency_id
        return company.call_rate_per_minute, rounding, company.currency_id
