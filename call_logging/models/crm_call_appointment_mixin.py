from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .crm_call_base import LIVE_STATES

NOTIFY_WINDOW_OPEN = "call_logging/appointment_window_open"
DEFAULT_WINDOW = timedelta(minutes=30)
# A new appointment's window starts at the next quarter of an hour at least this far ahead.
FIRST_WINDOW_DELAY = timedelta(minutes=30)
# Appointment states from which taking or completing the call holds the appointment.
WAITING_STATES = ("planned", "open")


class CrmCallAppointmentMixin(models.AbstractModel):
    """Phone appointments: a scheduled call to be made within a from-to window.

    The window opens at ``start`` and closes at ``window_end``. A one-minute cron opens the
    windows (the owner of a manual appointment is told, with a "Call now" button) and closes
    the ones nobody held: they are missed by us and the owner gets an activity. Dialling by
    itself is the telephony bridge's business: it adds the automatic mode.

    Listed before the statistics, subject, billing and automation aspects: a new appointment's values
    (its start, its window, its state) are settled before they see them or crm.call.base checks them.
    """

    _name = "crm.call.appointment.mixin"
    _description = "Phone Call: Phone Appointments"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    is_appointment = fields.Boolean(string="Phone Appointment", copy=False, index=True)
    window_end = fields.Datetime(
        string="Window End",
        copy=False,
        help="Until when the contact expects the call; the window opens at the start.",
    )
    dial_mode = fields.Selection(
        [("manual", "Manual")],
        string="Dialling",
        default="manual",
        required=True,
        help="Manual: when the window opens you are notified and call yourself.",
    )
    appointment_state = fields.Selection(
        [
            ("planned", "Planned"),
            ("open", "Window Open"),
            ("held", "Held"),
            ("missed_by_us", "Missed by Us"),
        ],
        string="Appointment Status",
        readonly=True,
        copy=False,
        index=True,
        help="Held: the call took place in its window. Missed by us: the window closed before anyone called.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("start", "duration", "state", "window_end", "is_appointment")
    def _compute_stop(self):
        """A scheduled appointment fills its whole window in the calendar."""
        super()._compute_stop()
        for call in self:
            if call.is_appointment and call.state == "scheduled" and call.window_end:
                call.stop = call.window_end

    def _inverse_stop(self):
        """Stretching an appointment in the calendar moves the end of its window."""
        appointments = self.filtered(lambda c: c.is_appointment and c.state == "scheduled" and c.stop)
        for call in appointments:
            call.window_end = call.stop
        return super(CrmCallAppointmentMixin, self - appointments)._inverse_stop()

    @api.depends("state", "start", "window_end", "is_appointment")
    def _compute_is_overdue(self):
        """An appointment whose window is still open is not late yet."""
        super()._compute_is_overdue()
        now = fields.Datetime.now()
        for call in self:
            if call.is_overdue and call._window_is_open(now):
                call.is_overdue = False

    def _search_is_overdue(self, operator, value):
        domain = super()._search_is_overdue(operator, value)
        open_window = [("is_appointment", "=", True), ("window_end", ">", fields.Datetime.now())]
        if (operator == "=") == value:
            return ["&", *domain, "!", "&", *open_window]
        return ["|", *domain, "&", ("state", "=", "scheduled"), "&", *open_window]

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("is_appointment", "start", "window_end", "state")
    def _check_appointment_window(self):
        for call in self:
            if call.is_appointment and call.state == "scheduled":
                self._check_window_order(call.start, call.window_end)

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("is_appointment", self.env.context.get("default_is_appointment")):
                self._prepare_appointment_vals(vals, now)
        return super().create(vals_list)

    def write(self, vals):
        appointments = self.filtered("is_appointment")
        if not appointments or not {"start", "window_end", "state"} & set(vals):
            return super().write(vals)
        now = fields.Datetime.now()
        if vals.get("window_end"):
            window_end = fields.Datetime.to_datetime(vals["window_end"])
            if window_end <= now and appointments.filtered(lambda c: c.state == "scheduled"):
                raise UserError(_("The window of a phone appointment cannot end in the past."))
        # The rest of the chain, for the other calls as given and for each appointment with what it adds.
        result = super(CrmCallAppointmentMixin, self - appointments).write(vals)
        for call in appointments:
            super(CrmCallAppointmentMixin, call).write({**vals, **call._appointment_vals_for_write(vals)})
        return result

    def _raise_call_event(self, event, extra_vals=None, clear=True):
        """An appointment is overdue only once its window has closed, not when it opens."""
        if event == "overdue":
            now = fields.Datetime.now()
            late = self.filtered(lambda c: not c._window_is_open(now))
            return super(CrmCallAppointmentMixin, late)._raise_call_event(event, extra_vals, clear)
        return super()._raise_call_event(event, extra_vals, clear)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_call_appointment_now(self):
        """"Call now" from the window-open notification: start the appointment's call."""
        self.ensure_one()
        if self.state != "scheduled":
            raise UserError(_("This phone appointment has already been handled."))
        return self.action_start_call()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _alarm_fields(self):
        return super()._alarm_fields() | {"is_appointment", "start", "window_end", "appointment_state"}

    def _alarm_times(self):
        """A waiting appointment's window: it opens at the start and closes at its end."""
        times = super()._alarm_times()
        if self.is_appointment and self.state == "scheduled":
            if self.appointment_state == "planned":
                times.append(self.start)
            if self.appointment_state in WAITING_STATES and self.window_end:
                times.append(self.window_end)
        return times

    @api.model
    def _cron_phone_appointments(self, now=None):
        """Open the windows that start, then close those that ended unheld (run by the alarm manager)."""
        now = now or fields.Datetime.now()
        self._open_appointment_windows(now)
        self._close_appointment_windows(now)
        return True

    @api.model
    def _open_appointment_windows(self, now):
        """Windows that opened: mark them open and tell the owners of manual appointments."""
        opening = self.search([
            ("is_appointment", "=", True), ("state", "=", "scheduled"), ("appointment_state", "=", "planned"),
            ("start", "<=", now), ("window_end", ">", now),
        ])
        opening._write_appointment_bookkeeping({"appointment_state": "open"})
        opening.filtered(lambda c: c.dial_mode == "manual")._notify_window_open()
        return opening

    @api.model
    def _close_appointment_windows(self, now):
        """Windows that closed while the appointment was still waiting: missed by us."""
        closing = self.search([
            ("is_appointment", "=", True), ("state", "=", "scheduled"),
            ("appointment_state", "in", WAITING_STATES), ("window_end", "<=", now),
        ])
        closing._mark_missed_by_us()
        return closing

    def _mark_missed_by_us(self):
        """Nobody called in the window: say so on the appointment and give its owner a to-do."""
        self._write_appointment_bookkeeping({"appointment_state": "missed_by_us"})
        for call in self:
            owner = call.user_id or call.partner_id.user_id
            if not owner:
                continue
            call.sudo().activity_schedule(  # sudo: the cron gives the to-do to the owner, whoever runs it
                "mail.mail_activity_data_call",
                summary=_("Missed phone appointment: call %(who)s back", who=call._caller_name()),
                note=_("Nobody called in the agreed window; apologise and agree on a new time."),
                user_id=owner.id,
            )

    def _notify_window_open(self):
        """Tell each owner in the web client that the window of their appointment is open."""
        for call in self:
            owner = call.user_id
            if owner:
                local = call.with_user(owner).with_context(lang=owner.lang, tz=owner.tz)
                owner._bus_send(NOTIFY_WINDOW_OPEN, local._window_open_payload())

    def _window_open_payload(self):
        """What the notification shows: the appointment, who to call, the number and until when."""
        self.ensure_one()
        end = fields.Datetime.context_timestamp(self, self.window_end)
        return {
            "call_id": self.id,
            "title": _("Phone appointment: call now"),
            "message": _("%(subject)s - %(who)s, %(number)s, until %(time)s",
                         subject=self.name, who=self._caller_name(), number=self.phone or "",
                         time=end.strftime("%H:%M")),
        }

    @api.model
    def get_day_plan(self, user_id=None, team_id=None):
        """Appointments whose window is open belong to today, not to the overdue calls."""
        plan = super().get_day_plan(user_id=user_id, team_id=team_id)
        now = fields.Datetime.now()
        open_windows = self.search([
            ("user_id", "in", self._day_plan_owners(user_id, team_id).ids),
            ("is_appointment", "=", True), ("state", "=", "scheduled"),
            ("start", "<", now), ("window_end", ">", now),
        ])
        if open_windows:
            overdue, today = plan["overdue"], plan["today"]
            moved = [record for record in overdue["records"] if record["id"] in open_windows.ids]
            overdue["records"] = [record for record in overdue["records"] if record["id"] not in open_windows.ids]
            overdue["count"] -= len(open_windows)
            today["records"] = moved + today["records"]
            today["count"] += len(open_windows)
        return plan

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    def _action_new_phone_appointment(self, partner=None, lead=None):
        """The appointment dialog, prefilled with a contact and/or a lead, its number and the next window."""
        partner = partner or self.env["res.partner"]
        lead = lead or self.env["crm.lead"]
        partner = partner or lead.partner_id
        ahead = fields.Datetime.now() + FIRST_WINDOW_DELAY
        start = ahead.replace(second=0, microsecond=0) + timedelta(minutes=-ahead.minute % 15)
        # The person's own name: "Company, Person" would not fit the dialog's title.
        with_whom = partner.name or lead.contact_name or lead.partner_name or lead.name
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
                "default_partner_id": partner.id,
                "default_lead_id": lead.id,
                "default_phone": self._number_to_call(partner, lead),
                "default_name": _("Phone appointment with %s", with_whom),
                "default_start": fields.Datetime.to_string(start),
                "default_window_end": fields.Datetime.to_string(start + DEFAULT_WINDOW),
            },
        }

    @api.model
    def _prepare_appointment_vals(self, vals, now):
        """Check a new appointment's number and window; a window already open starts now."""
        partner = self.env["res.partner"].browse(vals.get("partner_id") or self.env.context.get("default_partner_id"))
        lead = self.env["crm.lead"].browse(vals.get("lead_id") or self.env.context.get("default_lead_id"))
        phone = vals.get("phone") or self._number_to_call(partner, lead)
        if not phone:
            raise UserError(_("A phone appointment needs a number to call: type it, or give the contact a number."))
        start = fields.Datetime.to_datetime(vals.get("start") or self.env.context.get("default_start")) or now
        window_end = fields.Datetime.to_datetime(vals.get("window_end") or self.env.context.get("default_window_end"))
        self._check_window_order(start, window_end)
        if window_end <= now:
            raise UserError(_("This window is already over: a phone appointment must end in the future."))
        vals.update({
            "is_appointment": True,
            "phone": phone,
            "start": max(start, now),
            "window_end": window_end,
            "state": "scheduled",
            "appointment_state": "planned",
        })
        vals.setdefault("direction", "outbound")

    @api.model
    def _check_window_order(self, start, window_end):
        if not window_end:
            raise ValidationError(_("A phone appointment needs the end of its window."))
        if window_end <= start:
            raise ValidationError(_("The window of a phone appointment must end after it starts."))

    def _appointment_vals_for_write(self, vals):
        """What else changes on this appointment with ``vals``: a new start moves the whole
        window (rescheduling keeps its length) and plans it again; taking the call holds it."""
        self.ensure_one()
        extra = {}
        staying_scheduled = vals.get("state", self.state) == "scheduled"
        if staying_scheduled and "start" in vals and self.state == "scheduled":
            new_start = fields.Datetime.to_datetime(vals["start"])
            if new_start != self.start:
                extra["appointment_state"] = "planned"
                if "window_end" not in vals and self.window_end:
                    extra["window_end"] = new_start + (self.window_end - self.start)
        if vals.get("state") in (*LIVE_STATES, "done") and self.appointment_state in WAITING_STATES:
            extra["appointment_state"] = "held"
        return extra

    @api.model
    def _bookkeeping_fields(self):
        return super()._bookkeeping_fields() | {"appointment_state"}

    def _write_appointment_bookkeeping(self, vals):
        """Write the cron's bookkeeping of windows as such, not as a user's edit of the call: opening or
        closing a window is neither an edit (no "Scheduled call edited") nor a user's doing."""
        if self:
            # sudo: the cron keeps the window state of every owner's appointments
            self.sudo()._write_system_fields(vals)

    def _window_is_open(self, now):
        self.ensure_one()
        return bool(self.is_appointment and self.state == "scheduled" and self.window_end and self.window_end > now)

