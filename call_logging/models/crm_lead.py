from odoo import api, fields, models

from .crm_call_base import CLOSED_STATES, LIVE_STATES


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.phone.index.mixin", "crm.call.target.mixin"]
    _phone_index_column = "lead_id"
    _call_link_field = "lead_id"
    _phone_index_fields = frozenset({"phone", "mobile", "country_id", "company_id", "partner_id"})

    call_ids = fields.One2many("crm.call", "lead_id", string="Calls")
    open_call_ids = fields.One2many(
        "crm.call", "lead_id", string="Open Calls", domain=[("state", "in", ("scheduled", *LIVE_STATES))]
    )
    closed_call_ids = fields.One2many(
        "crm.call", "lead_id", string="Closed Calls", domain=[("state", "in", CLOSED_STATES)]
    )

    def _call_targets(self):
        return self.partner_id, self

    def action_phone_appointment(self):
        """Book a phone appointment about this lead, with its contact; ask for a number first if neither has one."""
        self.ensure_one()
        if not self._call_number():
            return self.env["crm.call"]._action_ask_number(
                partner=self.partner_id or None, lead=self, then="appointment"
            )
        return self.env["crm.call"]._action_new_phone_appointment(partner=self.partner_id or None, lead=self)

    @api.model
    def _phone_index_flush(self):
        self.flush_model(["phone", "mobile", "country_id", "company_id"])
        self.env["res.company"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["country_id"])

    @api.model
    def _phone_index_read(self, ids):
        numbers = []
        for lead_id, phone, mobile, country_code in self._phone_index_read_phone_and_mobile(ids):
            numbers += [(lead_id, "phone", phone, country_code), (lead_id, "mobile", mobile, country_code)]
        return numbers
