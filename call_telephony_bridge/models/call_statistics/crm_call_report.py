from odoo import api, fields, models
from odoo.tools import SQL

# A call the PBX saw picked up, and its wait in seconds: the ringing time the PBX measured, from the first ring
# (or the dial) to the answer (the call's start is its answer); a call without one waited from its start.
PICKED_UP = SQL("c.answered_at IS NOT NULL AND (c.telephony_ring_duration IS NOT NULL OR c.answered_at >= c.start)")
WAIT = SQL("COALESCE(c.telephony_ring_duration, EXTRACT(EPOCH FROM c.answered_at - c.start))")


class CrmCallReport(models.Model):
    """The wait before answer in the call statistics and on the dashboard: only the PBX knows when a call
    was picked up (``crm.call.answered_at``). A new pick-up or ringing time queues the call's day again
    (``crm.call.telephony.mixin._call_statistics_fields``)."""

    _inherit = "crm.call.report"

    wait_total = fields.Integer(string="Total Wait", readonly=True,
                                help="Time between ringing and pick-up, summed over answered telephony calls.")
    wait_count = fields.Integer(string="Calls Answered by Phone", readonly=True,
                                help="Telephony calls with a known pick-up time.")
    wait_avg = fields.Float(string="Average Wait Before Answer", aggregator="avg", readonly=True,
                            help="Average time between ringing and pick-up on telephony calls.")

    @api.model
    def _aggregate_additional_figures(self):
        return {
            **super()._aggregate_additional_figures(),
            "wait_total": ("bigint", SQL("COALESCE(ROUND(SUM(%s) FILTER (WHERE %s)), 0)", WAIT, PICKED_UP)),
            "wait_count": ("integer", SQL("COUNT(*) FILTER (WHERE %s)", PICKED_UP)),
            "wait_avg": ("double precision", SQL(
                "SUM(%s) FILTER (WHERE %s) / NULLIF(COUNT(*) FILTER (WHERE %s), 0)", WAIT, PICKED_UP, PICKED_UP,
            )),
        }

    @api.model
    def _weighted_ratios(self):
        return {**super()._weighted_ratios(), "wait_avg:avg": ("wait_total", ("wait_count",), 1.0)}

    @api.model
    def _dashboard_totals(self):
        return {**super()._dashboard_totals(), "avg_wait": "wait_avg:avg"}
