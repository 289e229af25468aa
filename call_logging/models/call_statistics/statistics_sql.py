"""What the call statistics count by: SQL pieces shared by the tables and by the queue of their changes."""

from odoo.tools import SQL

# The day a call belongs to: its start in its owner's time zone, so a rep's day is their working day.
CALL_LOCAL_DAY = SQL(
    "(c.start AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(owner_partner.tz, 'UTC'))::date"
)
CALL_OWNER_JOINS = SQL(
    "LEFT JOIN res_users owner ON owner.id = c.user_id "
    "LEFT JOIN res_partner owner_partner ON owner_partner.id = owner.partner_id"
)
# Tables summing calls per owner and day; each is refreshed for the buckets a change touches.
AGGREGATE_MODELS = ("crm.call.report", "crm.call.report.month", "crm.call.lead.report")
# The (owner, day) buckets changed by committed transactions and not yet recomputed in the tables.
QUEUE_TABLE = "crm_call_statistics_queue"
