import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.call_logging.models.crm_call_base import LIVE_STATES
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# Click-to-dial rings the user's phone for 30 seconds; an attempt the PBX has reported nothing
# of this long after it was placed was not picked up (a bridge that does not report the user's own
# phone ringing out says nothing until the user answers).
PICKUP_TIMEOUT = timedelta(seconds=45)
# An owner away or on another call when their appointment was due is asked again this much later.
OWNER_RECHECK = timedelta(minutes=1)


class CrmCallAppointmentDialerMixin(models.AbstractModel):
    """Automatic phone appointments: the PBX rings the owner's phone, then the contact, in the window.

    Whenever something is due (the alarm manager wakes the appointments' run at each attempt's
    pick-up timeout and end, and at each next attempt), the run first settles the attempts: one the
    PBX never reported is closed as not picked up, and an appointment whose contact answered is held.
    Then each open automatic window is dialled through click-to-dial when its owner is available
    (online, not on another call) and the retry interval since the last attempt has passed; an owner
    who is not is asked again a minute later. A window that closes while an attempt is still going
    on waits for it before it can be missed by us.

    Listed before ``crm.call`` in this addon's ``crm.call``: it extends call_logging's appointment aspect.
    The automatic dialling mode itself is added to ``dial_mode`` on ``crm.call`` (a selection is extended
    where the field is).
    """

    _name = "crm.call.appointment.dialer.mixin"
    _description = "Phone Call: Automatic Dialling of Phone Appointments"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    retry_interval_minutes = fields.Integer(
        string="Retry Every (Minutes)",
        default=5,
        help="How long to wait after an attempt that reached nobody before the PBX tries again.",
    )
    next_dial_at = fields.Datetime(string="Next Attempt", readonly=True, copy=False)
    appointment_id = fields.Many2one(
        "crm.call", string="Attempt of Appointment", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", help="The automatic phone appointment this call was an attempt of.",
    )
    appointment_attempt_ids = fields.One2many(
        "crm.call", "appointment_id", string="Dialling Attempts", readonly=True
    )
    appointment_attempt_count = fields.Integer(
        string="Attempts", compute="_compute_appointment_attempt_count"
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("appointment_attempt_ids")
    def _compute_appointment_attempt_count(self):
        for call in self:
            call.appointment_attempt_count = len(call.appointment_attempt_ids)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("retry_interval_minutes", "dial_mode")
    def _check_retry_interval(self):
        for call in self:
            if call.dial_mode == "automatic" and call.retry_interval_minutes < 1:
                raise ValidationError(
                    _("The PBX can try again at most once a minute: set a retry interval of 1 minute or more.")
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_phone_appointments(self, now=None):
        """Settle the attempts of the last minute before opening, dialling and closing windows."""
        now = now or fields.Datetime.now()
        self._settle_appointment_attempts(now)
        return super()._cron_phone_appointments(now)

    @api.model
    def _open_appointment_windows(self, now):
        """Open the windows, then dial the automatic appointments that are due."""
        opening = super()._open_appointment_windows(now)
        self._dial_due_appointments(now)
        return opening

    def _mark_missed_by_us(self):
        """A window that closes during a call waits for the call's end before it can be missed."""
        waiting = self.filtered(lambda c: not c._live_attempts())
        return super(CrmCallAppointmentDialerMixin, waiting)._mark_missed_by_us()

    @api.model
    def _settle_appointment_attempts(self, now):
        """Close the attempts the owner did not pick up; hold the appointments whose contact answered."""
        unpicked = self.search([
            ("appointment_id", "!=", False), ("state", "in", LIVE_STATES), ("telephony_event_count", "=", 0),
            ("start", "<=", now - PICKUP_TIMEOUT),
        ])
        unpicked._close_unpicked_attempts()
        reached = self.search([
            ("appointment_id.state", "=", "scheduled"), ("answered_at", "!=", False),
        ])
        for attempt in reached:
            attempt.appointment_id._hold_by_attempt(attempt)

    @api.model
    def _dial_due_appointments(self, now):
        """Dial each open automatic window whose next attempt is due, when its owner can take the call."""
        due = self.search([
            ("is_appointment", "=", True), ("dial_mode", "=", "automatic"), ("state", "=", "scheduled"),
            ("appointment_state", "=", "open"), ("start", "<=", now), ("window_end", ">", now),
            "|", ("next_dial_at", "=", False), ("next_dial_at", "<=", now),
        ], order="start, id")
        for appointment in due:
            if appointment._live_attempts():
                continue
            reason = appointment._owner_unavailable_reason()
            if reason:
                _logger.info("phone appointment %s: not dialled now, %s", appointment.id, reason)
                self.env["crm.call.alarm.manager"]._wake_at([now + OWNER_RECHECK])
                continue
            appointment._dial_attempt(now)

    def _dial_attempt(self, now):
        """Ring the owner's phone, then the contact, the way click-to-dial does; keep the call as an attempt."""
        self.ensure_one()
        owner = self.user_id
        retry_at = now + timedelta(minutes=self.retry_interval_minutes)
        try:
            action = self.env["crm.call"].with_user(owner).with_company(self.company_id)._telephony_dial(
                self.phone_e164 or self.phone, partner=self.partner_id, lead=self.lead_id
            )
        except UserError as error:
            self._write_appointment_bookkeeping({"next_dial_at": retry_at})
            self.message_post(body=_("The PBX could not call %(who)s: %(error)s. Next attempt at %(time)s.",
                                     who=self._caller_name(), error=error.args[0],
                                     time=self._owner_time(retry_at)))
            return self.browse()
        attempt = self.browse(action["res_id"])
        attempt.write({"appointment_id": self.id, "name": self.name})
        self._write_appointment_bookkeeping({"next_dial_at": retry_at})
        return attempt

    def _close_unpicked_attempts(self):
        """Attempts the PBX never reported: the owner's phone rang out. Logged as unanswered calls."""
        not_connected = self.env.ref("call_telephony_bridge.result_not_connected")
        for attempt in self:
            # Only the phone system closes a PBX call; the PBX said nothing of this one.
            # sudo: the cron closes every owner's attempts
            attempt.sudo()._telephony_write({
                "state": "done", "duration": 0, "result_id": not_connected.id,
                "telephony_end_reason": "agent_no_answer",
                "result_note": _("%(user)s did not pick up: the contact was not dialled.", user=attempt.user_id.name),
            })
            appointment = attempt.appointment_id
            appointment.message_post(body=_("Attempt at %(time)s: %(user)s did not pick up.",
                                            time=appointment._owner_time(attempt.start),
                                            user=attempt.user_id.name))

    def _hold_by_attempt(self, attempt):
        """The contact answered one of the attempts: the appointment took place."""
        self.ensure_one()
        self.write({"state": "done"})
        self.message_post(body=_("Held: %(who)s answered the call at %(time)s.",
                                 who=self._caller_name(), time=self._owner_time(attempt.answered_at)))

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    def _bookkeeping_fields(self):
        return super()._bookkeeping_fields() | {"next_dial_at"}

    @api.model
    def _alarm_fields(self):
        return super()._alarm_fields() | {"dial_mode", "next_dial_at", "appointment_id", "answered_at"}

    def _alarm_times(self):
        """An automatic appointment's next attempt; an attempt's pick-up timeout, and its end (the appointment is
        settled at once: held when the contact answered, missed when its window closed meanwhile)."""
        times = super()._alarm_times()
        if self.dial_mode == "automatic" and self.state == "scheduled" and self.next_dial_at:
            times.append(self.next_dial_at)
        if self.appointment_id.state == "scheduled":
            if self.state in LIVE_STATES and not self.answered_at:
                times.append(self.start + PICKUP_TIMEOUT)
            else:
                times.append(fields.Datetime.now())
        return times

    def _live_attempts(self):
        self.ensure_one()
        return self.appointment_attempt_ids.filtered(lambda a: a.state in LIVE_STATES)

    def _owner_unavailable_reason(self):
        """Why the owner cannot take the call now (away or not logged in, on another call), or None."""
        self.ensure_one()
        owner = self.user_id
        if not owner:
            return "no owner"
        why = self.env["res.users"]._telephony_unavailable(owner.ids).get(owner.id)
        return {"absent": "owner away or not logged in", "busy": "owner on another call"}.get(why)

    def _owner_time(self, moment):
        local = self.with_context(tz=self.user_id.tz or self.env.context.get("tz"))
        return fields.Datetime.context_timestamp(local, moment).strftime("%H:%M")
