from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.call_billing import billed_amount, billed_seconds


class CrmCallBillingMixin(models.AbstractModel):
    """What a completed call with a customer is billed: the billable flag, billed time and amount.

    Billing is decided after the call: a call manager may still change whether a completed call is billed,
    past the lock that keeps the rest of the call as it was (see _check_manual_write).
    """

    _name = "crm.call.billing.mixin"
    _description = "Phone Call: Billing"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    is_billable = fields.Boolean(
        string="Billable", default=True, tracking=True,
        help="Completed calls with a customer are billed at the customer's rate unless this is unticked.",
    )
    currency_id = fields.Many2one(
        "res.currency", string="Currency", compute="_compute_billing",
        help="The customer's currency when it has a rate of its own, else the company's.",
    )
    billed_seconds = fields.Integer(
        string="Billed Time (s)", compute="_compute_billing",
        help="The call's length after the customer's rounding; zero when the call is not billed.",
    )
    billing_rate = fields.Float(string="Rate per Minute", compute="_compute_billing", digits="Product Price")
    billing_amount = fields.Monetary(string="Billed Amount", compute="_compute_billing")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("is_billable", "state", "duration", "commercial_partner_id", "company_id")
    def _compute_billing(self):
        for call in self:
            customer = call.commercial_partner_id
            if not customer:
                call.currency_id = call.company_id.currency_id
                call.billed_seconds = call.billing_rate = call.billing_amount = 0
                continue
            rate, rounding, currency = customer._call_billing_terms(call.company_id)
            call.currency_id = currency
            if not (call.is_billable and call.state == "done"):
                call.billed_seconds = call.billing_rate = call.billing_amount = 0
                continue
            seconds = billed_seconds(call.duration, rounding)
            call.billed_seconds = seconds
            call.billing_rate = rate
            call.billing_amount = currency.round(billed_amount(seconds, rate))

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    def _check_manual_write(self, vals):
        if set(vals) == {"is_billable"} and any(call.is_locked for call in self):
            if not self.env.user.has_group("call_logging.group_call_manager"):
                raise AccessError(_("Only call managers can change whether a completed call is billed."))
            # A call manager changing this one field: the lock does not cover it.
            return
        super()._check_manual_write(vals)

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _valid_field_parameter(self, field, name):
        # The billable flag is tracked in the chatter of crm.call (mail.thread, through crm.call.base).
        return name == "tracking" or super()._valid_field_parameter(field, name)
