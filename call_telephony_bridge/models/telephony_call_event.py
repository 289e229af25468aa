from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.event_schema import DIRECTIONS, EVENTS, HANGUP_REASONS

KEEP_EVENTS_DAYS = 90


class TelephonyCallEvent(models.Model):
    """One event the PBX reported of a call, kept once: the ledger that makes delivery idempotent.

    The lifecycle service refuses an event whose key is already here and derives the
    call's state from all the events of its call id.
    """

    _name = "telephony.call.event"
    _description = "Telephony Call Event"
    _order = "event_time, id"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    line_id = fields.Many2one("telephony.line", ondelete="set null")
    call_id = fields.Many2one("crm.call", string="Logged Call", index=True, ondelete="set null")
    call_ref = fields.Char(string="PBX Call ID", required=True, index=True)
    event_key = fields.Char(required=True)
    event = fields.Selection([(e, e.capitalize()) for e in EVENTS], required=True)
    direction = fields.Selection([(d, d.capitalize()) for d in DIRECTIONS], required=True)
    # To the microsecond (written and read in SQL): the call's durations are computed from these times.
    event_time = fields.Datetime(string="Time", required=True)
    extension = fields.Char()
    reason = fields.Selection([(r, r.replace("_", " ").capitalize()) for r in HANGUP_REASONS])
    leg = fields.Selection(
        [("agent", "User's Phone"), ("customer", "Customer")],
        help="The leg of an outbound call a hangup is about: the user's own phone, rung first, or the customer.",
    )
    received_at = fields.Datetime(default=fields.Datetime.now, required=True, index=True)

    _sql_constraints = [
        # Per call: a PBX may reuse an event id on another call.
        ("event_key_unique", "unique(company_id, call_ref, event_key)", "This event was already received."),
    ]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _record(self, vals):
        """Append one event to the ledger. Every PBX event writes one row and the model has nothing to compute,
        so one parameterized INSERT stands in for the ORM's create on the busiest path."""
        columns = ("company_id", "line_id", "call_id", "call_ref", "event_key", "event", "direction", "event_time",
                   "extension", "reason", "leg")
        self.env.cr.execute(SQL(
            "INSERT INTO telephony_call_event (%s, received_at) VALUES (%s, now() AT TIME ZONE 'UTC')",
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL(", ").join(vals.get(column) or None for column in columns),
        ))

    @api.model
    def _history(self, company_id, call_refs):
        """The events of these PBX calls, in the order they happened:
        {call id: [{event, time, extension, reason, leg}]}."""
        if not call_refs:
            return {}
        self.env.cr.execute(SQL(
            """SELECT call_ref, event, event_time, extension, reason, leg FROM telephony_call_event
                WHERE company_id = %s AND call_ref = ANY(%s) ORDER BY event_time, id""",
            company_id, list(call_refs),
        ))
        history = {}
        for call_ref, event, moment, extension, reason, leg in self.env.cr.fetchall():
            history.setdefault(call_ref, []).append(
                {"event": event, "time": moment, "extension": extension, "reason": reason, "leg": leg})
        return history

    @api.autovacuum
    def _gc_old_events(self):
        """Forget the events of calls long finished; a retry that old cannot come any more."""
        limit = fields.Datetime.now() - timedelta(days=KEEP_EVENTS_DAYS)
        self.search([("received_at", "<", limit)]).unlink()
