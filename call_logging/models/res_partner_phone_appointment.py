from datetime import timedelta

from odoo import _, fields, models

from .crm_call_appointment import DEFAULT_WINDOW

# A new appointment's window starts at the next quarter of an hour at least this far ahead.
FIRST_WINDOW_DELAY = timedelta(minutes=30)


class ResPartner(models.Model):
    """Book a phone appointment with a contact in two clicks (K4)."""

    _inherit = "res.partner"

    def action_phone_appointment(self):
        """Open the appointment dialog prefilled from the contact; ask for a number first if it has none."""
        self.ensure_one()
        if not (self.phone or self.mobile):
            return self.env["crm.call"]._action_ask_number(partner=self, then="appointment")
        return self._action_new_phone_appointment()

    def _action_new_phone_appointment(self):
        self.ensure_one()
        now = fields.Datetime.now()
        ahead = now + FIRST_WINDOW_DELAY
        start = ahead.replace(second=0, microsecond=0) + timedelta(minutes=-ahead.minute % 15)
        return {
            "type": "ir.actions.act_window",
            "name": _("Phone Appointment"),
            "res_model": "crm.call",
            "view_mode": "form",
            "views": [(self.env.ref("call_logging.crm_call_view_form_appointment").id, "form")],
            "target": "new",
            "context": {
                "default_is_appointment": True,
                "default_state": "scheduled",
                "default_direction": "outbound",
                "default_partner_id": self.id,
                "default_phone": self.phone or self.mobile,
                "default_name": _("Phone appointment with %s", self.display_name),
                "default_start": fields.Datetime.to_string(start),
                "default_window_end": fields.Datetime.to_string(start + DEFAULT_WINDOW),
            },
        }
