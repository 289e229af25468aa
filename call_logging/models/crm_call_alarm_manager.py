from odoo import api, fields, models

ALARM_CRON = "call_logging.ir_cron_call_alarms"


class CrmCallAlarmManager(models.AbstractModel):
    """What must happen at a moment of a call's life, run by one cron woken at that very moment.

    A reminder before a scheduled call, the "Overdue" event once its start has passed, a phone
    appointment's window opening and closing (and, with a PBX, its automatic dialling): each call
    says when in ``crm.call._alarm_times`` and every change of those moments wakes the cron then
    (``ir.cron._trigger(at=...)``), as ``calendar``'s alarm manager does for meetings. The cron's own
    hourly run only catches what nobody announced (calls written behind the ORM's back).
    """

    _name = "crm.call.alarm.manager"
    _description = "Call Alarm Manager"

    @api.model
    def _run_due_alarms(self, now=None):
        """Everything due at ``now``, in one run."""
        now = now or fields.Datetime.now()
        Call = self.env["crm.call"]
        Call._cron_send_reminders(now)
        Call._cron_flag_overdue_calls(now)
        Call._cron_phone_appointments(now)
        return True

    @api.model
    def _wake_at(self, moments):
        """Run the alarms at each of ``moments``; a moment already past runs them at once."""
        if not moments:
            return
        now = fields.Datetime.now()
        at = sorted({max(moment, now).replace(microsecond=0) for moment in moments})
        # sudo: any user's change of a call may wake the alarms' cron; only the cron runs them
        cron = self.env.ref(ALARM_CRON, raise_if_not_found=False)
        if cron:  # None only while the addon installs, before its data: the cron's first run catches up
            cron.sudo()._trigger(at=at)
