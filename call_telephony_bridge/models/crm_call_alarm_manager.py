from odoo import api, fields, models


class CrmCallAlarmManager(models.AbstractModel):
    """With a PBX, the alarms also give back the calls whose dial order no bridge took in time."""

    _inherit = "crm.call.alarm.manager"

    @api.model
    def _run_due_alarms(self, now=None):
        now = now or fields.Datetime.now()
        self.env["telephony.dial.order"]._expire(now)
        return super()._run_due_alarms(now)
