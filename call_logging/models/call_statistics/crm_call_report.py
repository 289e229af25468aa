from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.models import parse_read_group_spec
from odoo.tools import SQL, date_utils
from odoo.tools.misc import format_date

from ...tools.trust import MONTHLY_TABLE
from .crm_call_aggregate_mixin import OWNER_DAY_COLUMNS
from .statistics_sql import AGGREGATE_MODELS, CALL_LOCAL_DAY, CALL_OWNER_JOINS

# Calls that took place (or are taking place): what "calls per day" counts.
NOT_HELD_STATES = ("scheduled", "cancelled")
# What the dashboard's history counts: calls that took place or were missed, never planned or live ones.
HISTORY_STATES = ("done", "missed")

# Groupings the monthly table answers as well as the daily one.
MONTHLY_GRANULARITIES = ("month", "quarter", "year")
MONTHLY_DIMENSIONS = frozenset({"user_id", "team_id", "company_id", "direction", "state"})
# Context key set by ``_read_group`` alone, to the MONTHLY_TABLE marker (which no client can send), while it
# reads a grouping from the monthly table: it changes where the rows come from, never which rows the user may
# see (the record rules still apply).
MONTHLY_SOURCE = "call_report_monthly"

# Averages and rates of a group are ratios of its sums, never averages of the rows' ratios:
# aggregate spec -> (numerator column, denominator columns, factor).
WEIGHTED_RATIOS = {
    "duration_avg:avg": ("duration_total", ("done_count",), 1.0),
    "talk_avg:avg": ("talk_total", ("done_count",), 1.0),
    "answered_rate:avg": ("answered_count", ("done_count", "missed_count"), 100.0),
}
# The dashboard's totals: key of its figures -> aggregate of the statistics.
DASHBOARD_TOTALS = {
    "calls": "call_count:sum",
    "missed": "missed_count:sum",
    "talk_time": "talk_total:sum",
    "avg_duration": "duration_avg:avg",
    "answered_rate": "answered_rate:avg",
}


def _selection_of(field_name):
    def selection(model):
        return model.env["crm.call"]._fields[field_name]._description_selection(model.env)
    return selection


class CrmCallReport(models.Model):
    """Call statistics per day, rep, team, direction, status, purpose and result.

    A table kept up to date from the calls (see ``crm.call.aggregate.mixin``), so the pivot,
    the graph and the dashboard read thousands of rows where the calls are millions. A call's
    day is its start in its owner's time zone. Durations count completed calls only.
    """

    _name = "crm.call.report"
    _inherit = ["crm.call.aggregate.mixin"]
    _description = "Call Statistics"
    _auto = False
    _log_access = False

    _aggregate_columns = OWNER_DAY_COLUMNS + (
        ("direction", "varchar"),
        ("state", "varchar"),
        ("purpose_id", "integer"),
        ("result_id", "integer"),
        ("call_count", "integer NOT NULL"),
        ("done_count", "integer NOT NULL"),
        ("answered_count", "integer NOT NULL"),
        ("missed_count", "integer NOT NULL"),
        ("duration_total", "bigint NOT NULL"),
        ("talk_total", "bigint NOT NULL"),
        ("hold_total", "bigint NOT NULL"),
        ("duration_avg", "double precision"),
        ("talk_avg", "double precision"),
        ("answered_rate", "double precision"),
    )
    _aggregate_grain = (
        "date", "user_id", "team_id", "company_id", "direction", "state", "purpose_id", "result_id",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    direction = fields.Selection(selection=_selection_of("direction"), readonly=True)
    state = fields.Selection(selection=_selection_of("state"), string="Status", readonly=True)
    purpose_id = fields.Many2one("crm.call.purpose", string="Purpose", readonly=True)
    result_id = fields.Many2one("crm.call.result", string="Result", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    done_count = fields.Integer(string="Completed Calls", readonly=True)
    answered_count = fields.Integer(
        string="Answered Calls", readonly=True,
        help="Completed calls whose result does not say the customer was not reached.",
    )
    missed_count = fields.Integer(string="Missed Calls", readonly=True)
    duration_total = fields.Integer(string="Total Duration", readonly=True,
                                    help="Length of the completed calls, hold time included.")
    talk_total = fields.Integer(string="Talk Time", readonly=True, help="Length of the completed calls off hold.")
    hold_total = fields.Integer(string="Hold Time", readonly=True)
    duration_avg = fields.Float(string="Average Duration", aggregator="avg", readonly=True,
                                help="Average length of a completed call, hold time included.")
    talk_avg = fields.Float(string="Average Talk Time", aggregator="avg", readonly=True)
    answered_rate = fields.Float(string="Answered Rate (%)", aggregator="avg", readonly=True,
                                 help="Answered calls out of completed and missed calls.")

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @property
    def _table_sql(self):
        if self.env.context.get(MONTHLY_SOURCE) is MONTHLY_TABLE:
            return self.env["crm.call.report.month"]._table_sql
        return super()._table_sql

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Read from the monthly table when the grouping needs neither the day, the purpose nor the result."""
        if self.env.context.get(MONTHLY_SOURCE) is not MONTHLY_TABLE and self._monthly_table_answers(
                domain, groupby, aggregates, having, order):
            self = self.with_context(**{MONTHLY_SOURCE: MONTHLY_TABLE})
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _read_group_select(self, aggregate_spec, query):
        """Averages and rates of a group are the ratio of its sums (weighted by its calls)."""
        ratios = self._weighted_ratios()
        if aggregate_spec not in ratios:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominators, factor = ratios[aggregate_spec]
        denominator = SQL(" + ").join(self._field_to_sql(self._table, name, query) for name in denominators)
        return SQL(
            "%s * SUM(%s)::float / NULLIF(SUM(%s), 0)",
            factor, self._field_to_sql(self._table, numerator, query), denominator,
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _weighted_ratios(self):
        """Averages and rates read as a ratio of sums: {aggregate spec: (numerator column, denominator
        columns, factor)}. An addon adding an average to the figures adds its ratio here."""
        return dict(WEIGHTED_RATIOS)

    @api.model
    def _monthly_table_answers(self, domain, groupby, aggregates, having, order):
        """Whether ``crm.call.report.month`` gives the same groups: no day, purpose or result involved, and
        only figures it holds (not those other addons add to the daily table)."""
        month = self.env["crm.call.report.month"]
        measures = {name for name, _type in month._aggregate_table_columns()} - set(month._aggregate_grain)
        for spec in groupby:
            fname, _property, granularity = parse_read_group_spec(spec)
            if fname == "date" and granularity in MONTHLY_GRANULARITIES:
                continue
            if fname not in MONTHLY_DIMENSIONS or granularity:
                return False
        for spec in list(aggregates) + [leaf[0] for leaf in having if isinstance(leaf, list | tuple)]:
            fname = parse_read_group_spec(spec)[0]
            if spec != "__count" and fname not in measures:
                return False
        for leaf in domain or ():
            if not isinstance(leaf, list | tuple) or str(leaf[0]).split(".")[0] in MONTHLY_DIMENSIONS:
                continue
            # A period starting or ending at a month's start cuts the monthly rows where the daily ones are cut.
            first_of_month = leaf[0] == "date" and leaf[1] in (">=", "<") and fields.Date.to_date(leaf[2])
            if not (first_of_month and first_of_month.day == 1):
                return False
        return not order or all(
            term.split()[0].split(":")[0] in MONTHLY_DIMENSIONS | measures | {"date"}
            for term in order.split(",")
        )

    @api.model
    def _aggregate_select(self, call_filter):
        done = SQL("c.state = 'done'")
        answered = SQL("c.state = 'done' AND COALESCE(result.is_reached, TRUE)")
        return SQL(
            """
            SELECT %(day)s, c.user_id, c.team_id, c.company_id, c.direction, c.state, c.purpose_id, c.result_id,
                   COUNT(*),
                   COUNT(*) FILTER (WHERE %(done)s),
                   COUNT(*) FILTER (WHERE %(answered)s),
                   COUNT(*) FILTER (WHERE c.state = 'missed'),
                   COALESCE(SUM(c.duration) FILTER (WHERE %(done)s), 0),
                   COALESCE(SUM(c.talk_duration) FILTER (WHERE %(done)s), 0),
                   COALESCE(SUM(c.hold_duration) FILTER (WHERE %(done)s), 0),
                   SUM(c.duration) FILTER (WHERE %(done)s)::float / NULLIF(COUNT(*) FILTER (WHERE %(done)s), 0),
                   SUM(c.talk_duration) FILTER (WHERE %(done)s)::float
                       / NULLIF(COUNT(*) FILTER (WHERE %(done)s), 0),
                   100.0 * COUNT(*) FILTER (WHERE %(answered)s)
                       / NULLIF(COUNT(*) FILTER (WHERE c.state IN ('done', 'missed')), 0)
                   %(additional)s
              FROM crm_call c
                   %(owner_joins)s
                   LEFT JOIN crm_call_result result ON result.id = c.result_id
             WHERE %(call_filter)s
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            """,
            day=CALL_LOCAL_DAY, done=done, answered=answered, additional=self._aggregate_additional_select(),
            owner_joins=CALL_OWNER_JOINS, call_filter=call_filter,
        )

    @api.model
    def _cron_rebuild_call_statistics(self):
        """Nightly: recompute every call statistics table from the calls."""
        for model in AGGREGATE_MODELS:
            self.env[model]._rebuild()

    @api.model
    @api.readonly
    def get_dashboard_data(self, months=6, period="month", team_id=None, user_id=None):
        """The Calls dashboard's figures over the last ``months`` months, as the current user may see them.

        Average duration per rep per month, calls per day, the status breakdown, a few totals, and the
        distinct leads contacted per ``period`` ("week" or "month") by the pre-sales teams (every team
        when none is marked pre-sales). ``team_id`` / ``user_id`` narrow the calls to one sales team or
        one salesperson the user may read. Only calls that took place or were missed count: planned,
        cancelled and live calls are no history."""
        months = max(1, min(int(months), 36))
        period = period if period in ("week", "month") else "month"
        today = fields.Date.context_today(self)
        date_from = date_utils.start_of(today, "month") - relativedelta(months=months - 1)
        whose = []
        if team_id:
            whose.append(("team_id", "=", self.env["crm.call"]._browse_argument("crm.team", team_id).id))
        if user_id:
            whose.append(("user_id", "=", self.env["crm.call"]._browse_argument("res.users", user_id).id))
        in_range = [("date", ">=", date_from), ("date", "<=", today), ("state", "in", HISTORY_STATES)] + whose
        month_keys = [date_from + relativedelta(months=index) for index in range(months)]

        # Completed calls are in the past: no upper bound, so the monthly table answers.
        completed = [("date", ">=", date_from), ("state", "=", "done")] + whose
        avg_rows = self._read_group(completed, ["user_id", "date:month"], ["duration_avg:avg"])
        reps = {}
        for user, month, average in avg_rows:
            rep = reps.setdefault(user.id, {"user_id": user.id, "name": user.name or _("Unassigned"), "values": {}})
            rep["values"][fields.Date.to_string(month)] = average

        counted_days = dict(self._read_group(
            in_range + [("state", "not in", NOT_HELD_STATES)], ["date:day"], ["call_count:sum"],
        ))
        # Every day of the range is on the chart's time axis, the quiet ones too.
        days = [date_from + relativedelta(days=index) for index in range((today - date_from).days + 1)]
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        states = self._read_group(in_range, ["state"], ["call_count:sum"], order="call_count:sum desc")
        total_specs = self._dashboard_totals()
        [totals] = self._read_group(in_range, [], list(total_specs.values()))
        return {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(today),
            "months": [{"key": fields.Date.to_string(month), "label": format_date(self.env, month, date_format="MMM y")}
                       for month in month_keys],
            "totals": dict(zip(total_specs, totals, strict=True)),
            "avg_duration": sorted(reps.values(), key=lambda rep: rep["name"]),
            "per_day": [{"key": fields.Date.to_string(day), "label": format_date(self.env, day),
                         "count": counted_days.get(day, 0)} for day in days] if counted_days else [],
            "states": [{"state": state, "label": state_labels.get(state, state), "count": count}
                       for state, count in states],
            "leads": self.env["crm.call.lead.report"]._dashboard_leads(date_from, today, period, whose),
            "filters": self._dashboard_filters(),
        }

    @api.model
    def _dashboard_totals(self):
        """The figures of the dashboard's totals: {key: aggregate of the statistics}; an addon adds its own."""
        return dict(DASHBOARD_TOTALS)

    @api.model
    def _dashboard_filters(self):
        """The sales teams and salespeople the user may narrow the dashboard to (record rules apply)."""
        teams = self.env["crm.team"].search([])
        users = self.env["res.users"].search([("groups_id", "in", self.env.ref("sales_team.group_sale_salesman").id)])
        return {
            "teams": [{"id": team.id, "name": team.name} for team in teams],
            "users": [{"id": user.id, "name": user.name} for user in users],
        }
