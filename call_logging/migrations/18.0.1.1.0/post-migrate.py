"""The three crons that polled every minute (reminders, overdue calls, phone appointments) are replaced
by the alarm manager's one cron, woken at each call's moments: remove them, and announce the moments of
the calls still waiting, which were written before anything announced them."""

from odoo import SUPERUSER_ID, api

POLLING_CRONS = (
    "call_logging.ir_cron_call_reminders",
    "call_logging.ir_cron_call_overdue",
    "call_logging.ir_cron_phone_appointments",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in POLLING_CRONS:
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.unlink()
    env["crm.call"].search([("state", "=", "scheduled")])._arm_alarms()
