from odoo import fields, models

from .crm_call_base import DEFAULT_RELATED_MODELS, RELATED_MODELS_PARAM


class ResConfigSettings(models.TransientModel):
    """The company's rules for calls, in the CRM settings."""

    _inherit = "res.config.settings"

    call_result_required = fields.Boolean(related="company_id.call_result_required", readonly=False)
    call_rate_per_minute = fields.Float(related="company_id.call_rate_per_minute", readonly=False)
    call_billing_rounding = fields.Selection(related="company_id.call_billing_rounding", readonly=False)
    call_related_models = fields.Char(
        string="Calls Related To", config_parameter=RELATED_MODELS_PARAM, default=DEFAULT_RELATED_MODELS,
        help="Technical names of the documents a call can be related to, separated by commas; "
             "those of apps not installed are left out.",
    )
