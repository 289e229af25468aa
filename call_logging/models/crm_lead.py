from odoo import api, fields, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.phone.index.mixin", "crm.call.target.mixin"]
    _phone_index_column = "lead_id"
    _call_link_field = "lead_id"
    _phone_index_fields = frozenset({"phone", "mobile", "country_id", "company_id", "partner_id"})

    call_ids = fields.One2many("crm.call", "lead_id", string="Calls")
    call_count = fields.Integer(string="Number of Calls", compute="_compute_call_count")
    open_call_ids = fields.One2many(
        "crm.call", "lead_id", string="Open Calls",
        domain=[("state", "in", ("scheduled", "ringing", "in_progress", "on_hold"))]
    )
    closed_call_ids = fields.One2many(
        "crm.call", "lead_id", string="Closed Calls",
        domain=[("state", "in", ("done", "missed", "cancelled"))],
    )

    def _call_targets(self):
        return self.partner_id, self

    @api.model
    def _phone_index_flush(self):
        self.flush_model(["phone", "mobile", "country_id", "company_id"])
        self.env["res.company"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["country_id"])

    @api.model
    def _phone_index_read(self, ids):
        self.env.cr.execute(SQL(
            """SELECT lead.id, lead.phone, lead.mobile, COALESCE(country.code, company_country.code)
                 FROM crm_lead lead
            LEFT JOIN res_country country ON country.id = lead.country_id
            LEFT JOIN res_company company ON company.id = lead.company_id
            LEFT JOIN res_partner company_partner ON company_partner.id = company.partner_id
            LEFT JOIN res_country company_country ON company_country.id = company_partner.country_id
                WHERE lead.id = ANY(%s)""",
            ids,
        ))
        numbers = []
        for lead_id, phone, mobile, country_code in self.env.cr.fetchall():
            numbers += [(lead_id, "phone", phone, country_code), (lead_id, "mobile", mobile, country_code)]
        return numbers
