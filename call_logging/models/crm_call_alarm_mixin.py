from odoo import api, models


class CrmCallAlarmMixin(models.AbstractModel):
    """A call's moments for the alarm manager: whenever they may have changed, the cron is woken at them.

    Each aspect with something due at a moment adds it in ``_alarm_times`` and the fields it reads in
    ``_alarm_fields``; they are listed before this one in ``crm.call``.
    """

    _name = "crm.call.alarm.mixin"
    _description = "Phone Call: Alarms"

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._arm_alarms()
        return calls

    def write(self, vals):
        result = super().write(vals)
        if self._alarm_fields() & vals.keys():
            self._arm_alarms()
        return result

    @api.model
    def _alarm_fields(self):
        """The fields the moments of ``_alarm_times`` are read from."""
        return {"state"}

    def _alarm_times(self):
        """The moments something is due for this call (empty: nothing pending)."""
        self.ensure_one()
        return []

    def _arm_alarms(self):
        self.env["crm.call.alarm.manager"]._wake_at([moment for call in self for moment in call._alarm_times()])
