from odoo import api, fields, models


class TelephonyDialMixin(models.AbstractModel):
    """What the one *Call* button of a contact, a lead or a call does for the current user: dial through the PBX
    (it rings their desk phone, then the customer) when a bridge of the company's lines is connected to the PBX
    and the user has an extension; else the call with a running timer. Inherit it on the models whose forms
    show that button."""

    _name = "telephony.dial.mixin"
    _description = "Calls through the PBX when it can"

    telephony_can_dial = fields.Boolean(
        string="Calls Through the PBX", compute="_compute_telephony_can_dial",
        help="The company's PBX bridge is connected and you have an extension: Call rings your phone first.",
    )

    @api.depends_context("uid", "company")
    def _compute_telephony_can_dial(self):
        can_dial = self._telephony_user_can_dial()
        for record in self:
            record.telephony_can_dial = can_dial

    @api.model
    def _telephony_user_can_dial(self):
        if not self.env.user.telephony_extension:
            return False
        return self.env["telephony.line"].search([("company_id", "=", self.env.company.id)])._bridge_connected()
