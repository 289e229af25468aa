from odoo import api, models
from odoo.tools import SQL

from .crm_call_report import CrmCallReport

MONTH_GRAIN = ("date", "user_id", "team_id", "company_id", "direction", "state")


class CrmCallReportMonth(models.Model):
    """Call statistics per month, rep, team, direction and status: ``crm.call.report`` without purpose and result.

    A rep makes a dozen calls a day, nearly all different by purpose and result, so the daily table
    holds about as many rows as there are calls. Reports by rep and month (the dashboard's average
    duration, the default pivot) need neither the day nor the purpose: ``crm.call.report`` reads
    them from this table, a few rows per rep and month. Never read on its own: it has no access rights.
    Figures other addons add to ``crm.call.report`` stay in the daily table: a grouping that asks for them
    is read there.
    """

    _name = "crm.call.report.month"
    _inherit = ["crm.call.aggregate.mixin"]
    _description = "Call Statistics per Month"
    _auto = False
    _log_access = False
    _aggregate_period = "month"

    _aggregate_columns = tuple(
        column for column in CrmCallReport._aggregate_columns if column[0] not in ("purpose_id", "result_id")
    )
    _aggregate_grain = MONTH_GRAIN

    @api.model
    def _aggregate_select(self, call_filter):
        daily = self.env["crm.call.report"]
        daily_columns = SQL(", ").join(SQL.identifier(name) for name, _type in daily._aggregate_table_columns())
        return SQL(
            """
            SELECT date_trunc('month', day.date)::date, day.user_id, day.team_id, day.company_id, day.direction,
                   day.state, SUM(day.call_count), SUM(day.done_count), SUM(day.answered_count),
                   SUM(day.missed_count), SUM(day.duration_total), SUM(day.talk_total), SUM(day.hold_total),
                   SUM(day.duration_total)::float / NULLIF(SUM(day.done_count), 0),
                   SUM(day.talk_total)::float / NULLIF(SUM(day.done_count), 0),
                   100.0 * SUM(day.answered_count) / NULLIF(SUM(day.done_count + day.missed_count), 0)
              FROM (%s) AS day(%s)
          GROUP BY 1, 2, 3, 4, 5, 6
            """,
            daily._aggregate_select(call_filter), daily_columns,
        )
