from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

CALLER_TYPES = [("contact", "Contact"), ("account", "Account"), ("lead", "Lead"), ("unknown", "Unknown")]
# A call's first event comes seconds after its route; a call still going on after a day is checked again.
KEEP_DECISIONS = timedelta(days=1)


class TelephonyRouteDecision(models.Model):
    """Who the caller of an inbound call is, as decided when the PBX asked where to ring it.

    ``GET /telephony/v1/route`` identifies the caller and checks the line's exception list once;
    when the request names the call (``call_id``), the decision is kept here under that id, so
    that the call's events take it as it was made instead of deciding again: the call is
    created with that contact, lead, owner and kind, and its events are not checked against the
    exception list again. A call whose route was never asked (another PBX, Odoo unreachable at
    ring time, a route without ``call_id``), or whose decision is gone, is identified by its
    first event as before. Calls of exception-list numbers leave no decision: nothing of them is
    stored.
    """

    _name = "telephony.route.decision"
    _description = "Telephony Route Decision"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    line_id = fields.Many2one("telephony.line", required=True, ondelete="cascade")
    call_ref = fields.Char(string="PBX Call ID", required=True)
    # The caller's number as the PBX gave it: an event of the call from another number is decided anew.
    phone = fields.Char()
    # A contact, lead or user deleted since makes the decision go with it: the call is then identified anew.
    partner_id = fields.Many2one("res.partner", string="Contact", ondelete="cascade")
    lead_id = fields.Many2one("crm.lead", ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Responsible User", ondelete="cascade")
    caller_type = fields.Selection(CALLER_TYPES, string="Caller Kind", required=True)
    decided_at = fields.Datetime(required=True, index=True)

    _sql_constraints = [
        ("call_ref_unique", "unique(company_id, call_ref)", "A call has one route decision."),
    ]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _remember(self, line, call_ref, phone, who):
        """Keep ``who`` (``crm.call.identify_number``'s answer for ``phone``) for the call ``call_ref`` on ``line``.

        Asked again for the same call (a restarted bridge asks again), the newer decision wins. One
        parameterized upsert: the route is asked on every inbound call, before it rings."""
        self.env.cr.execute(SQL(
            """INSERT INTO telephony_route_decision
                   (company_id, line_id, call_ref, phone, partner_id, lead_id, user_id, caller_type, decided_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')
               ON CONFLICT (company_id, call_ref) DO UPDATE SET
                   line_id = EXCLUDED.line_id, phone = EXCLUDED.phone, partner_id = EXCLUDED.partner_id,
                   lead_id = EXCLUDED.lead_id, user_id = EXCLUDED.user_id, caller_type = EXCLUDED.caller_type,
                   decided_at = EXCLUDED.decided_at""",
            line.company_id.id, line.id, call_ref, phone or None, who["partner_id"] or None, who["lead_id"] or None,
            who["user_id"] or None, who["caller_type"],
        ))

    @api.model
    def _recall(self, line, call_refs):
        """The decisions of these calls on ``line``: ``{call_ref: {phone, partner_id, lead_id, user_id,
        caller_type}}``, in the shape of ``identify_number``'s answer plus the number it was made for."""
        if not call_refs:
            return {}
        self.env.cr.execute(SQL(
            """SELECT call_ref, phone, partner_id, lead_id, user_id, caller_type FROM telephony_route_decision
                WHERE company_id = %s AND line_id = %s AND call_ref = ANY(%s)""",
            line.company_id.id, line.id, sorted(call_refs),
        ))
        return {
            call_ref: {"phone": phone or "", "partner_id": partner_id or False, "lead_id": lead_id or False,
                       "user_id": user_id or False, "caller_type": caller_type}
            for call_ref, phone, partner_id, lead_id, user_id, caller_type in self.env.cr.fetchall()
        }

    @api.autovacuum
    def _gc_old_decisions(self):
        """Forget the decisions of calls long rung: their first event came long ago."""
        self.env.cr.execute(SQL("DELETE FROM telephony_route_decision WHERE decided_at < %s",
                                fields.Datetime.now() - KEEP_DECISIONS))
