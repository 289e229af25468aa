from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

from .crm_call_aggregate_mixin import OWNER_DAY_COLUMNS
from .statistics_sql import CALL_LOCAL_DAY, CALL_OWNER_JOINS


class CrmCallLeadReport(models.Model):
    """Leads contacted: completed calls on leads per day, rep and lead.

    Distinct leads do not add up across days, so they cannot live in ``crm.call.report``; this
    table keeps one row per lead, rep and day, and a period's figure is ``lead_id:count_distinct``.
    """

    _name = "crm.call.lead.report"
    _inherit = ["crm.call.aggregate.mixin"]
    _description = "Leads Contacted by Phone"
    _auto = False
    _log_access = False

    _aggregate_columns = OWNER_DAY_COLUMNS + (
        ("lead_id", "integer NOT NULL"),
        ("call_count", "integer NOT NULL"),
        ("duration_total", "bigint NOT NULL"),
    )
    _aggregate_grain = ("date", "user_id", "team_id", "company_id", "lead_id")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    lead_id = fields.Many2one("crm.lead", string="Lead / Opportunity", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    duration_total = fields.Integer(string="Total Duration", readonly=True)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _aggregate_select(self, call_filter):
        return SQL(
            """
            SELECT %(day)s, c.user_id, c.team_id, c.company_id, c.lead_id, COUNT(*), COALESCE(SUM(c.duration), 0)
              FROM crm_call c
                   %(owner_joins)s
             WHERE c.state = 'done' AND c.lead_id IS NOT NULL AND %(call_filter)s
          GROUP BY 1, 2, 3, 4, 5
            """,
            day=CALL_LOCAL_DAY, owner_joins=CALL_OWNER_JOINS, call_filter=call_filter,
        )

    @api.model
    def _dashboard_leads(self, date_from, date_to, period, whose=()):
        """Distinct leads contacted per team and ``period`` between two days, for the dashboard.

        ``whose`` is the dashboard's narrowing (a team, a salesperson): what they contacted is shown
        whether their team is pre-sales or not; otherwise the pre-sales teams, or every team when none is."""
        domain = [("date", ">=", date_from), ("date", "<=", date_to)] + list(whose)
        if whose:
            scope = "chosen"
        else:
            presales = self.env["crm.team"].search([("is_presales", "=", True)])
            scope = "presales" if presales else "all"
            domain += [("team_id", "in", presales.ids)] if presales else [("team_id", "!=", False)]
        per_period = self._read_group(domain, ["team_id", f"date:{period}"], ["lead_id:count_distinct"])
        totals = dict(self._read_group(domain, ["team_id"], ["lead_id:count_distinct"]))
        periods = sorted({day for _team, day, _count in per_period})
        teams = {}
        for team, day, count in per_period:
            row = teams.setdefault(team.id, {
                "team_id": team.id, "name": team.name, "values": {}, "total": totals.get(team, 0),
            })
            row["values"][fields.Date.to_string(day)] = count
        return {
            "period": period,
            "scope": scope,
            "periods": [{"key": fields.Date.to_string(day), "label": self._period_label(day, period)}
                        for day in periods],
            "teams": sorted(teams.values(), key=lambda team: team["name"]),
        }

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _period_label(self, day, period):
        if period == "week":
            return _("Week of %s", format_date(self.env, day))
        return format_date(self.env, day, date_format="MMM y")
