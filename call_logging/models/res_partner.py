from odoo import api, fields, models
from odoo.tools import SQL

from .crm_call_base import CLOSED_STATES, LIVE_STATES


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.phone.index.mixin", "crm.call.target.mixin"]
    _phone_index_column = "partner_id"
    _call_link_field = "partner_id"
    _phone_index_fields = frozenset({"phone", "mobile", "country_id", "company_id"})

    call_ids = fields.One2many("crm.call", "partner_id", string="Calls")
    open_call_ids = fields.One2many(
        "crm.call", "partner_id", string="Open Calls", domain=[("state", "in", ("scheduled", *LIVE_STATES))]
    )
    closed_call_ids = fields.One2many(
        "crm.call", "partner_id", string="Closed Calls", domain=[("state", "in", CLOSED_STATES)]
    )

    phone_ids = fields.One2many("res.partner.phone", "partner_id", string="Other Numbers")

    def _call_targets(self):
        return self, self.env["crm.lead"]

    def _phone_index_after_write(self, vals):
        super()._phone_index_after_write(vals)
        # sudo: the lookup must follow every record, including those this user cannot see.
        if "phone" in vals:
            # A lead copies its contact's phone in a compute, with no write of its own.
            leads = self.env["crm.lead"].sudo().with_context(active_test=False).search(  # sudo: as above
                [("partner_id", "in", self.ids)])
            leads._phone_index_refresh()
        # sudo: as above, the companies of these partners whoever may read them
        companies = "country_id" in vals and self.env["res.company"].sudo().search([("partner_id", "in", self.ids)])
        if companies:
            self.env.registry.clear_cache()  # crm.phone.index caches the country of each company
            # Records without a country of their own read their numbers with their company's.
            domain = [("company_id", "in", companies.ids), ("country_id", "=", False)]
            for model_name in ("res.partner", "crm.lead"):
                # sudo: as above, every record of those companies
                self.env[model_name].sudo().with_context(active_test=False).search(domain)._phone_index_refresh()

    @api.model
    def _phone_index_flush(self):
        self.flush_model(["phone", "mobile", "country_id", "company_id"])
        self.env["res.partner.phone"].flush_model(["partner_id", "number"])
        self.env["res.company"].flush_model(["partner_id"])

    @api.model
    def _phone_index_read(self, ids):
        numbers, countries = [], {}
        for partner_id, phone, mobile, country_code in self._phone_index_read_phone_and_mobile(ids):
            countries[partner_id] = country_code
            numbers += [(partner_id, "phone", phone, country_code), (partner_id, "mobile", mobile, country_code)]
        self.env.cr.execute(SQL("SELECT partner_id, number FROM res_partner_phone WHERE partner_id = ANY(%s)", ids))
        numbers += [(owner_id, "typed", number, countries[owner_id]) for owner_id, number in self.env.cr.fetchall()]
        return numbers
