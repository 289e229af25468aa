import logging

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools.phone_normalize import phone_keys

_logger = logging.getLogger(__name__)

# Rank of each kind of caller when several records share a number: a person first.
CALLER_RANK = {"contact": 0, "account": 1, "lead": 2}
# Candidates read per lookup: a number shared by more records than this is a switchboard.
MAX_CANDIDATES = 50
FILL_BATCH_SIZE = 20000
MIN_SEARCH_DIGITS = 3

UNKNOWN = {"partner_id": False, "lead_id": False, "user_id": False, "caller_type": "unknown"}


class CrmPhoneIndex(models.Model):
    """Every number of every contact and lead, reduced to its lookup keys.

    One row per number: the phone and mobile of contacts and leads and the typed
    numbers of contacts (``res.partner.phone``). Rows are derived data, written
    only by :meth:`_reindex` from the models' create/write hooks and by
    :meth:`_fill`; archived records keep their rows and are skipped when looking up.
    """

    _name = "crm.phone.index"
    _description = "Phone Number Lookup"
    _log_access = False
    _order = "id"

    partner_id = fields.Many2one("res.partner", string="Contact", ondelete="cascade", index="btree_not_null",
                                 readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Lead", ondelete="cascade", index="btree_not_null",
                              readonly=True)
    source = fields.Selection(
        [("phone", "Phone"), ("mobile", "Mobile"), ("typed", "Other number")],
        string="Source", required=True, readonly=True,
    )
    e164 = fields.Char(string="E.164", index="btree_not_null", readonly=True)
    national = fields.Char(string="National Number", index=True, required=True, readonly=True)
    tail = fields.Char(string="Last Nine Digits", index="btree_not_null", readonly=True)

    _sql_constraints = [
        ("one_owner", "CHECK ((partner_id IS NULL) <> (lead_id IS NULL))",
         "A phone number belongs to exactly one contact or lead."),
    ]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def identify(self, number, company_id=None):
        """Who is behind ``number``, as seen by the current user.

        Matching, best first: the same E.164 number; then, when one side's country
        cannot be told, the same national number, then the same last nine digits.
        Within a match, a contact person beats a company (``contact`` before
        ``account``), which beats an open lead; ties go to the most recently
        modified record. Archived records, won or lost leads, records of other
        companies and records the user may not read are skipped. ``number`` is read
        with the country of ``company_id``, else of the user's company.

        :return: ``{'partner_id', 'lead_id', 'user_id', 'caller_type'}``; ``caller_type``
            is ``unknown`` (and the ids False) when nobody matches or ``number`` is not one.
        """
        valid_id = isinstance(company_id, int) and not isinstance(company_id, bool) and company_id > 0
        only_company = company_id if valid_id else None
        keys = phone_keys(number, self._company_country_code(only_company or self.env.company.id))
        if not keys:
            return dict(UNKNOWN)
        partner_tiers, lead_tiers = self._candidates(keys)
        partners = self._ranked_partners(partner_tiers, only_company)
        best = min(partners + self._ranked_leads(lead_tiers, partners, only_company), default=None)
        if best is None:
            return dict(UNKNOWN)
        caller_type, record = best[-2], best[-1]
        if caller_type == "lead":
            return {"partner_id": False, "lead_id": record.id, "user_id": record.user_id.id,
                    "caller_type": "lead"}
        # sudo: only the salesperson of the person's company is read, which the user may not be allowed to open.
        user = record.user_id or record.commercial_partner_id.sudo().user_id
        return {"partner_id": record.id, "lead_id": False, "user_id": user.id, "caller_type": caller_type}

    @api.model
    def _search_owner_ids(self, column, value):
        """Ids in ``column`` (``partner_id`` or ``lead_id``) having a number like ``value``.

        A whole number matches its other spellings; otherwise its digits match
        anywhere in a stored number, as a search box is expected to.
        """
        keys = phone_keys(value, self._company_country_code(self.env.company.id))
        if keys:
            self.env.cr.execute(SQL(
                "SELECT DISTINCT %(column)s FROM crm_phone_index WHERE %(column)s IS NOT NULL AND %(match)s",
                column=SQL.identifier(column), match=self._match_condition(keys),
            ))
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                return ids
        digits = "".join(char for char in value if "0" <= char <= "9").lstrip("0") if isinstance(value, str) else ""
        if len(digits) < MIN_SEARCH_DIGITS:
            return []
        self.env.cr.execute(SQL(
            "SELECT DISTINCT %s FROM crm_phone_index WHERE %s IS NOT NULL AND national LIKE %s",
            SQL.identifier(column), SQL.identifier(column), f"%{digits}%",
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Keeping the index exact
    # ------------------------------------------------------------------
    @api.model
    def _reindex(self, records, fresh=False):
        """Rewrite the rows of ``records`` (contacts or leads) from their current numbers.

        ``fresh`` skips deleting old rows, for records that cannot have any yet.
        Rows are written with SQL whatever the user's rights: the index must list
        every number, including those of records the current user cannot see.
        """
        if not records:
            return
        column = records._phone_index_column
        records._phone_index_flush()
        rows = self._rows_for(records._phone_index_read(records.ids))
        if not fresh:
            self.env.cr.execute(SQL(
                "DELETE FROM crm_phone_index WHERE %s = ANY(%s)", SQL.identifier(column), records.ids,
            ))
        self._insert(column, rows)
        self.invalidate_model()

    @api.model
    def _fill(self, batch_size=FILL_BATCH_SIZE):
        """Rebuild the whole index from every contact and lead, archived ones included.

        Used when the addon is installed on a database that already has contacts,
        and to repair the index after data was written to the tables behind the ORM.
        """
        self.env.cr.execute(SQL("TRUNCATE crm_phone_index RESTART IDENTITY"))
        self.invalidate_model()
        default_country = self.env.company.country_id.code
        for model_name in ("res.partner", "crm.lead"):
            Model = self.env[model_name].with_context(active_test=False)
            Model._phone_index_flush()
            self.env.cr.execute(SQL("SELECT id FROM %s ORDER BY id", SQL.identifier(Model._table)))
            ids = [row[0] for row in self.env.cr.fetchall()]
            for start in range(0, len(ids), batch_size):
                batch = ids[start:start + batch_size]
                rows = self._rows_for(Model._phone_index_read(batch), default_country)
                self._insert(Model._phone_index_column, rows)
            _logger.info("Phone lookup filled for %d %s records", len(ids), model_name)
        self.env.cr.execute(SQL("ANALYZE crm_phone_index"))

    @api.model
    def _rows_for(self, numbers, default_country=None):
        """Index rows ``(owner_id, source, e164, national, tail)`` for ``(owner_id, source, raw, country)``."""
        if default_country is None:
            default_country = self.env.company.country_id.code
        rows = set()
        for owner_id, source, raw, country_code in numbers:
            keys = phone_keys(raw, country_code or default_country)
            if keys:
                rows.add((owner_id, source, *keys.indexed()))
        return rows

    @api.model
    def _insert(self, column, rows):
        if not rows:
            return
        owner_ids, sources, e164s, nationals, tails = zip(*rows, strict=True)
        self.env.cr.execute(SQL(
            """INSERT INTO crm_phone_index (%s, source, e164, national, tail)
               SELECT * FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[])""",
            SQL.identifier(column), list(owner_ids), list(sources), list(e164s), list(nationals), list(tails),
        ))

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache("company_id")
    def _company_country_code(self, company_id):
        """The code of the company's country, to read national spellings; cached, it is asked on every call.

        Read with SQL whatever the user's rights: a line may pass calls for a company the user does not
        belong to, and its country only tells how to read the number.
        """
        self.env.cr.execute(SQL(
            """SELECT country.code
                 FROM res_company company
                 JOIN res_partner partner ON partner.id = company.partner_id
                 JOIN res_country country ON country.id = partner.country_id
                WHERE company.id = %s""",
            company_id,
        ))
        row = self.env.cr.fetchone()
        return row and row[0]

    @api.model
    def _match_condition(self, keys):
        """Rows matching ``keys``: the loose keys only where one side's country is unknown (or guessed)."""
        e164, national, tail = keys.indexed()
        loose = SQL("TRUE") if not e164 else SQL("e164 IS NULL")
        return SQL(
            "(e164 = %(e164)s OR (%(loose)s AND (national = %(national)s OR tail = %(tail)s)))",
            e164=e164, national=national, tail=tail, loose=loose,
        )

    @api.model
    def _candidates(self, keys):
        """``({partner_id: tier}, {lead_id: tier})``, tier 1 (E.164), 2 (national) or 3 (nine digits)."""
        self.env.cr.execute(SQL(
            """SELECT partner_id, lead_id,
                      MIN(CASE WHEN e164 = %(e164)s THEN 1 WHEN national = %(national)s THEN 2 ELSE 3 END) AS tier
                 FROM crm_phone_index
                WHERE %(match)s
             GROUP BY partner_id, lead_id
             ORDER BY tier
                LIMIT %(limit)s""",
            e164=keys.indexed()[0], national=keys.national, match=self._match_condition(keys), limit=MAX_CANDIDATES,
        ))
        partner_tiers, lead_tiers = {}, {}
        for partner_id, lead_id, tier in self.env.cr.fetchall():
            if partner_id:
                partner_tiers[partner_id] = tier
            else:
                lead_tiers[lead_id] = tier
        return partner_tiers, lead_tiers

    @api.model
    def _ranked_partners(self, tiers, company_id):
        Partner = self.env["res.partner"]
        if not tiers or not Partner.has_access("read"):
            return []
        domain = [("id", "in", list(tiers))]
        if company_id:
            domain.append(("company_id", "in", [company_id, False]))
        partners = Partner.search_fetch(domain, ["is_company", "write_date", "user_id", "commercial_partner_id"])
        ranked = []
        for partner in partners:
            caller_type = "account" if partner.is_company else "contact"
            ranked.append(self._rank(tiers[partner.id], caller_type, partner))
        return ranked

    @api.model
    def _ranked_leads(self, tiers, ranked_partners, company_id):
        Lead = self.env["crm.lead"]
        # A lead never beats a contact matched at least as well: skip the query then.
        if not tiers or min(tiers.values()) >= min((rank[0] for rank in ranked_partners), default=4):
            return []
        if not Lead.has_access("read"):
            return []
        domain = [("id", "in", list(tiers)), "|", ("stage_id", "=", False), ("stage_id.is_won", "=", False)]
        if company_id:
            domain.append(("company_id", "in", [company_id, False]))
        leads = Lead.search_fetch(domain, ["write_date", "user_id"])
        return [self._rank(tiers[lead.id], "lead", lead) for lead in leads]

    @api.model
    def _rank(self, tier, caller_type, record):
        """Sort key: best match, then kind of caller, then most recently active, then newest."""
        active_at = record.write_date.timestamp() if record.write_date else 0
        return (tier, CALLER_RANK[caller_type], -active_at, -record.id, caller_type, record)
