from odoo import api, models
from odoo.tools import SQL

# Fields whose change moves a call in the call statistics.
REPORTED_FIELDS = frozenset({
    "start", "user_id", "team_id", "company_id", "direction", "state", "purpose_id", "result_id",
    "duration", "hold_duration", "answered_at", "lead_id", "stop",
})
# Tables summing calls per owner and day; each is refreshed for the buckets a change touches.
AGGREGATE_MODELS = ("crm.call.report", "crm.call.report.month", "crm.call.lead.report")
# Where a transaction keeps the (owner, day) buckets its call changes touched, until they are recomputed.
PENDING_BUCKETS = "call_logging.call_statistics_buckets"


class CrmCall(models.Model):
    """Keeps the call statistics up to date as calls are created, changed and deleted."""

    _inherit = "crm.call"

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._queue_call_statistics(calls._call_statistics_buckets())
        return calls

    def write(self, vals):
        if not REPORTED_FIELDS.intersection(vals):
            return super().write(vals)
        # A call changes bucket only with a new owner or start: otherwise its bucket is read once.
        moves = "user_id" in vals or "start" in vals
        before = self._call_statistics_buckets() if moves else set()
        result = super().write(vals)
        self._queue_call_statistics(before | self._call_statistics_buckets())
        return result

    def unlink(self):
        buckets = self._call_statistics_buckets()
        result = super().unlink()
        self._queue_call_statistics(buckets)
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _apply_pending_call_statistics(self):
        """Recompute the buckets this transaction touched: once at commit, or earlier when a report is read."""
        buckets = self.env.cr.precommit.data.pop(PENDING_BUCKETS, None)
        if buckets:
            self._refresh_call_statistics(buckets)

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _call_statistics_buckets(self):
        """The (owner id or 0, owner's day) buckets of these calls, as stored in the database."""
        if not self.ids:
            return set()
        self.env["crm.call"].flush_model()
        self.env["res.partner"].flush_model(["tz"])
        self.env.cr.execute(SQL(
            """
            SELECT DISTINCT COALESCE(c.user_id, 0),
                   (c.start AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(p.tz, 'UTC'))::date
              FROM crm_call c
                   LEFT JOIN res_users u ON u.id = c.user_id
                   LEFT JOIN res_partner p ON p.id = u.partner_id
             WHERE c.id = ANY(%s)
            """,
            list(self.ids),
        ))
        return set(self.env.cr.fetchall())

    def _queue_call_statistics(self, buckets):
        """Remember the buckets to recompute; a telephony event writes a call several times in one
        transaction, and each bucket is recomputed once, in a fixed order, just before the commit."""
        if not buckets:
            return
        pending = self.env.cr.precommit.data.get(PENDING_BUCKETS)
        if pending is None:
            pending = self.env.cr.precommit.data[PENDING_BUCKETS] = set()
            self.env.cr.precommit.add(self.sudo()._apply_pending_call_statistics)
        pending |= buckets

    def _refresh_call_statistics(self, buckets):
        self.env["crm.call"].flush_model()
        for model in AGGREGATE_MODELS:
            self.env[model]._refresh_buckets(sorted(buckets))
