from odoo import api, models
from odoo.tools import SQL

from .statistics_sql import AGGREGATE_MODELS, CALL_LOCAL_DAY, CALL_OWNER_JOINS, QUEUE_TABLE

# Fields whose change moves a call in the call statistics.
REPORTED_FIELDS = frozenset({
    "start", "user_id", "team_id", "company_id", "direction", "state", "purpose_id", "result_id",
    "duration", "hold_duration", "lead_id", "stop",
})
# Where a transaction keeps the ids of the calls it changed, until their buckets are queued at commit.
PENDING_CALLS = "call_logging.call_statistics_calls"


class CrmCallStatisticsMixin(models.AbstractModel):
    """Keeps the call statistics up to date as calls are created, changed and deleted.

    A change only queues the (owner, day) buckets it touched, in one insert at commit: the
    PBX's events stay cheap and never collide on the statistics. A cron recomputes the queued
    buckets; until then a report sums their calls as it reads (``crm.call.aggregate.mixin``),
    so a report is always exact and reading writes nothing.

    Listed after the appointment aspect (a held appointment's state is in the change it queues) and
    before crm.call.base: whatever the call became, its buckets are read from the database at commit.
    """

    _name = "crm.call.statistics.mixin"
    _description = "Phone Call: Statistics Queue"

    def init(self):
        super().init()
        if self._abstract:
            return  # the queue is crm.call's, made when its table is
        self.env.cr.execute(SQL(
            "CREATE TABLE IF NOT EXISTS %s (id bigserial PRIMARY KEY, user_id int NOT NULL, day date NOT NULL)",
            SQL.identifier(QUEUE_TABLE),
        ))

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._queue_call_statistics()
        return calls

    def write(self, vals):
        if not self._call_statistics_fields().intersection(vals):
            return super().write(vals)
        if "user_id" in vals or "start" in vals:
            # The call may leave its bucket: the one it leaves is queued now, the new one at commit.
            self._queue_buckets_of(self.ids)
        result = super().write(vals)
        self._queue_call_statistics()
        return result

    def unlink(self):
        self._queue_buckets_of(self.ids)
        return super().unlink()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _apply_pending_call_statistics(self):
        """Recompute every queued bucket this transaction can see in the tables: the cron's job.

        A bucket queued by a transaction that committed after this one began stays queued for the next run."""
        self._flush_pending_call_statistics()
        self.env.cr.execute(SQL("DELETE FROM %s RETURNING user_id, day", SQL.identifier(QUEUE_TABLE)))
        buckets = set(self.env.cr.fetchall())
        if buckets:
            self.env["crm.call"].flush_model()
            for model in AGGREGATE_MODELS:
                self.env[model]._refresh_buckets(sorted(buckets))

    @api.model
    def _cron_apply_call_statistics(self):
        self._apply_pending_call_statistics()

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    def _call_statistics_fields(self):
        """Fields whose change moves a call in the call statistics: an addon adding figures adds what they read."""
        return REPORTED_FIELDS

    def _queue_call_statistics(self):
        """Remember these calls; their buckets are queued once, just before the commit."""
        if not self.ids:
            return
        pending = self.env.cr.precommit.data.get(PENDING_CALLS)
        if pending is None:
            pending = self.env.cr.precommit.data[PENDING_CALLS] = set()
            # sudo: the statistics are recomputed for everyone's calls in the changed buckets, not the user's only
            self.env.cr.precommit.add(self.sudo()._flush_pending_call_statistics)
        pending.update(self.ids)

    @api.model
    def _call_statistics_pending_ids(self):
        """Ids of the calls this transaction changed whose buckets are not queued yet (until its commit)."""
        return self.env.cr.precommit.data.get(PENDING_CALLS, ())

    @api.model
    def _flush_pending_call_statistics(self):
        call_ids = self.env.cr.precommit.data.pop(PENDING_CALLS, None)
        if call_ids:
            self._queue_buckets_of(sorted(call_ids))

    def _queue_buckets_of(self, call_ids):
        """Queue the buckets the given calls are in, as stored in the database."""
        if not call_ids:
            return
        self.env["crm.call"].flush_model()
        self.env["res.partner"].flush_model(["tz"])
        self.env.cr.execute(SQL(
            "INSERT INTO %s (user_id, day) SELECT DISTINCT COALESCE(c.user_id, 0), %s FROM crm_call c %s "
            "WHERE c.id = ANY(%s)",
            SQL.identifier(QUEUE_TABLE), CALL_LOCAL_DAY, CALL_OWNER_JOINS, list(call_ids),
        ))
