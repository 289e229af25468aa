from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL


class CrmPhoneIndexMixin(models.AbstractModel):
    """Keeps a model's numbers in ``crm.phone.index`` and finds its records by any number.

    Inherit it on a model with phone numbers, then define ``_phone_index_column``
    (the index's Many2one to the model), ``_phone_index_fields`` (fields whose
    change rewrites the record's rows) and two model methods:
    ``_phone_index_flush()``, flushing what the second one reads, and
    ``_phone_index_read(ids)``, returning ``(id, source, raw number, country code
    or None)`` for every number of the records ``ids`` with one or two SQL queries
    whatever their number (it also fills the index for a million records).
    Creation and writes keep the index exact; deletion cascades in the database.
    """

    _name = "crm.phone.index.mixin"
    _description = "Phone Lookup Mixin"

    _phone_index_column = None
    _phone_index_fields = frozenset()

    phone_search_any = fields.Char(
        string="Any Number", store=False, search="_search_phone_search_any",
        help="Finds records by any of their numbers, in any spelling.",
    )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["crm.phone.index"]._reindex(records, fresh=True)
        return records

    def write(self, vals):
        result = super().write(vals)
        self._phone_index_after_write(vals)
        return result

    # ------------------------------------------------------------------
    # Search
    # ------------------------------------------------------------------
    def _search_phone_search_any(self, operator, value):
        positive = operator in ("=", "ilike", "like", "=ilike", "=like")
        if not positive and operator not in expression.NEGATIVE_TERM_OPERATORS:
            raise UserError(_("Numbers can only be searched for by value, not with “%s”.", operator))
        if not isinstance(value, str) or not value.strip():
            raise UserError(_("Type a phone number to search for."))
        ids = self.env["crm.phone.index"]._search_owner_ids(self._phone_index_column, value)
        return [("id", "in" if positive else "not in", ids)]

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _phone_index_refresh(self):
        """Rewrite the index rows of these records from their current numbers."""
        self.env["crm.phone.index"]._reindex(self.with_context(active_test=False))

    @api.model
    def _phone_index_read_phone_and_mobile(self, ids):
        """(id, phone, mobile, country code) of the records ``ids``: the record's country, else its company's."""
        self.env.cr.execute(SQL(
            """SELECT rec.id, rec.phone, rec.mobile, COALESCE(country.code, company_country.code)
                 FROM %s rec
            LEFT JOIN res_country country ON country.id = rec.country_id
            LEFT JOIN res_company company ON company.id = rec.company_id
            LEFT JOIN res_partner company_partner ON company_partner.id = company.partner_id
            LEFT JOIN res_country company_country ON company_country.id = company_partner.country_id
                WHERE rec.id = ANY(%s)""",
            SQL.identifier(self._table), ids,
        ))
        return self.env.cr.fetchall()

    def _phone_index_after_write(self, vals):
        if self._phone_index_fields.intersection(vals):
            self._phone_index_refresh()
