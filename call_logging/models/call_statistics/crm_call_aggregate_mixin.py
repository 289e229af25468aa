from odoo import api, fields, models
from odoo.tools import SQL, sql

from .statistics_sql import CALL_LOCAL_DAY, CALL_OWNER_JOINS, QUEUE_TABLE

# The columns every table starts with: whose calls (owner, team, company) on which day.
OWNER_DAY_COLUMNS = (
    ("date", "date NOT NULL"),
    ("user_id", "integer"),
    ("team_id", "integer"),
    ("company_id", "integer NOT NULL"),
)


class CrmCallAggregateMixin(models.AbstractModel):
    """A table of call figures summed per owner and day, kept up to date from ``crm.call``.

    Use it for a report model over calls that must stay fast on millions of calls. The model
    sets ``_auto = False``, lists its columns and grain, and says in ``_aggregate_select`` how
    calls are summed; the table is created at install with a unique index on the grain. Another
    addon adds figures of its own through ``_aggregate_additional_figures``: their columns are
    added to the table when that addon is installed, and the table is summed again.
    Calls queue their (owner, day) buckets on create, write and unlink, and a cron recomputes
    the queued buckets from the calls, never patching them by deltas.
    Reading never writes: a report reads the stored rows of the buckets nobody changed and sums
    the calls of the queued ones (and of the calls this transaction changed) on the fly, so it
    is exact at once and answers on a read-only cursor or a replica.
    Two crons recomputing the same bucket collide on the unique index or on the deleted queue
    rows, which PostgreSQL reports as a serialization failure that Odoo retries.
    """

    _name = "crm.call.aggregate.mixin"
    _description = "Call Figures Kept per Owner and Day"

    # (column, SQL type) of the table, in the order ``_aggregate_select`` returns them.
    _aggregate_columns = ()
    # Columns of the grain (the unique index).
    _aggregate_grain = ()
    # The period of the ``date`` column: "day", or "month" for a table holding the first day of each month.
    _aggregate_period = "day"
    _order = "date desc"
    _rec_name = "date"

    # ------------------------------------------------------------------
    # Fields: the grain every table shares (whose calls, on which day)
    # ------------------------------------------------------------------
    date = fields.Date(string="Day", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)

    def init(self):
        if self._abstract:
            return
        created = not sql.table_exists(self.env.cr, self._table)
        table = SQL.identifier(self._table)
        declared = self._aggregate_table_columns()
        columns = SQL(", ").join(SQL("%s %s", SQL.identifier(name), SQL(sql_type)) for name, sql_type in declared)
        self.env.cr.execute(SQL("CREATE TABLE IF NOT EXISTS %s (id serial PRIMARY KEY, %s)", table, columns))
        existing = sql.table_columns(self.env.cr, self._table)
        added = [(name, sql_type) for name, sql_type in declared if name not in existing]
        for name, sql_type in added:
            self.env.cr.execute(SQL("ALTER TABLE %s ADD COLUMN %s %s", table, SQL.identifier(name), SQL(sql_type)))
        # A column of a figure whose addon is not loaded (not yet, during an upgrade, or no longer) stays, and
        # allows NULL so that the rows summed without it fit; the ORM drops it with its field at uninstall.
        names = {name for name, _type in declared} | {"id"}
        for name, column in existing.items():
            if name not in names and column["is_nullable"] == "NO":
                self.env.cr.execute(SQL("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", table, SQL.identifier(name)))
        self.env.cr.execute(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (%s) NULLS NOT DISTINCT",
            SQL.identifier(f"{self._table}_grain_uniq"), table, self._grain_sql(),
        ))
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS %s ON %s (user_id, date)", SQL.identifier(f"{self._table}_user_date"), table,
        ))
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS %s ON %s (team_id, date)", SQL.identifier(f"{self._table}_team_date"), table,
        ))
        # How a bucket finds its calls: one owner's starts in a range.
        self.env.cr.execute(SQL("CREATE INDEX IF NOT EXISTS crm_call_user_start_index ON crm_call (user_id, start)"))
        if created or added:
            # Installed on a database that already has calls, or given new figures: sum the calls again.
            self._rebuild()

    @api.model
    def _aggregate_select(self, call_filter):
        """SELECT of the table's columns from ``crm_call c`` (owner joins included), restricted by ``call_filter``.

        Every model using the mixin defines it."""
        raise NotImplementedError(f"{self._name} must say how calls are summed.")

    @api.model
    def _aggregate_additional_figures(self):
        """Figures another addon adds to the table, after ``_aggregate_columns``: {column: (SQL type, the SQL
        of the figure in ``_aggregate_select``)}. An override returns ``super()``'s figures and its own; an
        SQL type allows NULL, so that the rows summed while that addon is not installed fit."""
        return {}

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @property
    def _table_sql(self):
        stale = self._stale_buckets()
        if not stale:
            return super()._table_sql
        return SQL("(%s)", self._current_rows_sql(stale))

    @api.model
    def _search(self, domain, *args, **kwargs):
        # Like the ORM flushing before a read: the calls are summed from the database.
        self.env["crm.call"].flush_model()
        self.env["res.partner"].flush_model(["tz"])
        return super()._search(domain, *args, **kwargs)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _rebuild(self):
        """Recompute the whole table from the calls: after a bulk import, or when time zones or results changed."""
        self.env["crm.call"].flush_model()
        self.env.cr.execute(SQL("TRUNCATE %s", SQL.identifier(self._table)))
        self.env.cr.execute(SQL(
            "INSERT INTO %s (%s) %s", SQL.identifier(self._table), self._columns_sql(),
            self._aggregate_select(SQL("TRUE")),
        ))
        self.invalidate_model()

    @api.model
    def _refresh_buckets(self, buckets):
        """Recompute the rows of the given (owner id or 0, day) buckets from the calls (whole months for a
        monthly table)."""
        if not buckets:
            return
        keys = self._bucket_keys_sql(buckets)
        table = SQL.identifier(self._table)
        self.env.cr.execute(SQL(
            "DELETE FROM %s r USING (%s) k WHERE COALESCE(r.user_id, 0) = k.owner_id AND r.date = k.day",
            table, keys,
        ))
        self.env.cr.execute(self._calls_in_buckets_sql(keys))
        call_ids = [row[0] for row in self.env.cr.fetchall()]
        if call_ids:
            updates = SQL(", ").join(
                SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                for name, _type in self._aggregate_table_columns() if name not in self._aggregate_grain
            )
            self.env.cr.execute(SQL(
                "INSERT INTO %s (%s) %s ON CONFLICT (%s) DO UPDATE SET %s",
                table, self._columns_sql(), self._aggregate_select(SQL("c.id = ANY(%s)", call_ids)),
                self._grain_sql(), updates,
            ))
        self.invalidate_model()

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _current_rows_sql(self, stale):
        """The table as it would be with the ``stale`` buckets recomputed: the stored rows of the other
        buckets, and the stale ones summed from their calls (negative ids: they are not stored)."""
        keys = self._bucket_keys_sql(stale)
        return SQL(
            """
            SELECT stored.id, %(stored_columns)s
              FROM %(table)s stored
             WHERE (COALESCE(stored.user_id, 0), stored.date) NOT IN (SELECT owner_id, day FROM (%(keys)s) k)
             UNION ALL
            SELECT -ROW_NUMBER() OVER (), live.*
              FROM (%(live)s) AS live(%(columns)s)
            """,
            stored_columns=SQL(", ").join(
                SQL("stored.%s", SQL.identifier(name)) for name, _type in self._aggregate_table_columns()
            ),
            table=SQL.identifier(self._table),
            keys=keys,
            live=self._aggregate_select(SQL("c.id IN (%s)", self._calls_in_buckets_sql(keys))),
            columns=self._columns_sql(),
        )

    def _stale_buckets(self):
        """[(owner id or 0, first day of the period)] of the rows the stored table has out of date: the queued
        buckets, and those of the calls this transaction changed, which are queued only at its commit."""
        period = self._aggregate_period
        pending = self.env["crm.call"]._call_statistics_pending_ids()
        self.env.cr.execute(SQL(
            "SELECT queued.user_id, date_trunc(%(period)s, queued.day)::date FROM %(queue)s queued "
            "UNION "
            "SELECT COALESCE(c.user_id, 0), date_trunc(%(period)s, %(call_day)s)::date "
            "FROM crm_call c %(owner_joins)s WHERE c.id = ANY(%(pending)s)",
            period=period, queue=SQL.identifier(QUEUE_TABLE), call_day=CALL_LOCAL_DAY,
            owner_joins=CALL_OWNER_JOINS, pending=sorted(pending),
        ))
        return self.env.cr.fetchall()

    def _bucket_keys_sql(self, buckets):
        """(owner_id, day) rows of the given (owner id or 0, day) buckets, days moved to their period's first."""
        owner_ids, days = zip(*buckets, strict=True)
        return SQL(
            "SELECT DISTINCT k.owner_id, date_trunc(%s, k.day)::date AS day "
            "FROM unnest(%s::int[], %s::date[]) AS k(owner_id, day)",
            self._aggregate_period, list(owner_ids), list(days),
        )

    def _calls_in_buckets_sql(self, keys):
        """SELECT of the ids of the calls in the buckets ``keys`` gives as (owner_id, day) rows, days being the
        first day of this table's period."""
        # Each bucket is one owner's starts in a range (the period in the owner's time zone): an index range
        # scan per bucket, the calls without owner (owner 0) apart.
        bounds = SQL(
            "c.start >= (k.day::timestamp AT TIME ZONE COALESCE(p.tz, 'UTC')) AT TIME ZONE 'UTC' "
            "AND c.start < ((k.day + %s::interval)::timestamp AT TIME ZONE COALESCE(p.tz, 'UTC')) AT TIME ZONE 'UTC'",
            f"1 {self._aggregate_period}",
        )
        return SQL(
            "SELECT owned.id FROM (%(keys)s) k "
            "LEFT JOIN res_users u ON u.id = k.owner_id "
            "LEFT JOIN res_partner p ON p.id = u.partner_id "
            "CROSS JOIN LATERAL ("
            "  SELECT c.id FROM crm_call c WHERE c.user_id = k.owner_id AND %(bounds)s "
            "  UNION ALL "
            "  SELECT c.id FROM crm_call c WHERE k.owner_id = 0 AND c.user_id IS NULL AND %(bounds)s"
            ") owned",
            keys=keys, bounds=bounds,
        )

    def _aggregate_table_columns(self):
        """(column, SQL type) of every column of the table, in the order ``_aggregate_select`` returns them."""
        return self._aggregate_columns + tuple(
            (name, sql_type) for name, (sql_type, _sql) in self._aggregate_additional_figures().items()
        )

    def _aggregate_additional_select(self):
        """The additional figures of ``_aggregate_select``'s SELECT list, each after a comma."""
        return SQL().join(SQL(", %s", figure) for _type, figure in self._aggregate_additional_figures().values())

    def _columns_sql(self):
        return SQL(", ").join(SQL.identifier(name) for name, _type in self._aggregate_table_columns())

    def _grain_sql(self):
        return SQL(", ").join(SQL.identifier(name) for name in self._aggregate_grain)
