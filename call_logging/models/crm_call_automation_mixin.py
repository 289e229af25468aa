from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from .crm_call_base import LIVE_STATES

# The call events Automation Rules can watch, in the order they are raised when one change causes several.
CALL_EVENTS = [
    ("incoming", "Incoming call"),
    ("outgoing", "Outgoing call"),
    ("missed", "Missed call"),
    ("scheduled", "Scheduled call created"),
    ("edited", "Scheduled call edited"),
    ("overdue", "Overdue"),
    ("rescheduled", "Rescheduled"),
    ("reassigned", "Reassigned"),
    ("cancelled", "Cancelled"),
    ("deleted", "Deleted"),
]
# A scheduled call is overdue once its start has passed, checked this long after it.
OVERDUE_AFTER = timedelta(seconds=1)
# Bookkeeping written by the automation and reminder machinery: never an edit of the call by itself.
AUTOMATION_FIELDS = frozenset({"call_event", "last_event_at", "overdue_at", "reminder_sent_at"})
# Besides the bookkeeping, fields whose change is not an edit of a scheduled call a user would call one.
NOT_AN_EDIT = frozenset({"message_main_attachment_id", "activity_ids", "message_follower_ids", "call_activity_id"})


class CrmCallAutomationMixin(models.AbstractModel):
    """Call events for Automation Rules, overdue flags and reminders.

    Odoo's Automation Rules see a field change only when it is written at the top level, so each
    event is raised by writing it to ``call_event``: a rule "On save" with "Call Event = Rescheduled"
    (or "Call Event is set" for any of them) fires exactly once per event. The field is cleared
    again right after, so rules never see a stale event on a later save (see base_automation.py).

    Listed last of the aspects, just before crm.call.base: its write sees a change once every other
    aspect has completed it (an appointment held, say), and raises the events it makes.
    """

    _name = "crm.call.automation.mixin"
    _description = "Phone Call: Events for Automation Rules"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    call_event = fields.Selection(
        CALL_EVENTS,
        string="Call Event",
        readonly=True,
        copy=False,
        help="The event Automation Rules are being run for; set during the event only, empty at rest.",
    )
    last_event_at = fields.Datetime(string="Last Event On", readonly=True, copy=False)
    overdue_at = fields.Datetime(
        string="Overdue Since",
        readonly=True,
        copy=False,
        help="When the scheduled call was found past its start; cleared when it is rescheduled.",
    )
    reminder_sent_at = fields.Datetime(
        string="Reminder Sent On",
        readonly=True,
        copy=False,
        help="When the owner was reminded of this call; cleared when it is rescheduled.",
    )
    call_url = fields.Char(string="Link", compute="_compute_call_url")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_call_url(self):
        base_url = self.get_base_url()
        for call in self:
            call.call_url = f"{base_url}/odoo/action-call_logging.crm_call_action/{call.id}" if call.id else False

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        for event in ("incoming", "outgoing", "missed", "scheduled"):
            calls.filtered(lambda call, event=event: call._creation_event() == event)._raise_call_event(event)
        return calls

    def write(self, vals):
        if not self or not set(vals) - NOT_AN_EDIT - self._bookkeeping_fields():
            return super().write(vals)
        before = {call.id: (call.state, call.user_id, call.reschedule_count) for call in self}
        result = super().write(vals)
        events = {event: self.browse() for event, _label in CALL_EVENTS}
        for call in self:
            old_state, old_user, old_count = before[call.id]
            for event in call._write_events(old_state, old_user, old_count):
                events[event] |= call
        if events["rescheduled"]:
            # sudo: bookkeeping of the call's new start; the change itself was checked against the user's rights
            events["rescheduled"].sudo()._write_system_fields({"overdue_at": False, "reminder_sent_at": False})
        for event, calls in events.items():
            calls._raise_call_event(event)
        return result

    def unlink(self):
        # Rules may reach outside Odoo (webhooks): run them only for a deletion the user may do.
        self._check_unlink_access()
        self._raise_call_event("deleted", clear=False)
        return super().unlink()

    @api.model
    def _bookkeeping_fields(self):
        return super()._bookkeeping_fields() | AUTOMATION_FIELDS

    @api.model
    def _alarm_fields(self):
        return super()._alarm_fields() | {"start", "user_id", "reminder_minutes", "reminder_sent_at", "overdue_at"}

    def _alarm_times(self):
        """A scheduled call's reminder, and the second after its start (it is overdue from then)."""
        times = super()._alarm_times()
        if self.state == "scheduled" and self.start:
            if not self.overdue_at:
                times.append(self.start + OVERDUE_AFTER)
            if self.reminder_minutes > 0 and not self.reminder_sent_at and self.user_id:
                times.append(self.start - timedelta(minutes=self.reminder_minutes))
        return times

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_flag_overdue_calls(self, now=None):
        """Raise "Overdue" once for each scheduled call whose start has passed (run by the alarm manager)."""
        now = now or fields.Datetime.now()
        overdue = self.search([("state", "=", "scheduled"), ("start", "<", now), ("overdue_at", "=", False)])
        overdue._raise_call_event("overdue", extra_vals={"overdue_at": now})
        return True

    @api.model
    def _cron_send_reminders(self, now=None):
        """Remind owners of their scheduled calls ``reminder_minutes`` before the start, once per call (run by
        the alarm manager)."""
        now = now or fields.Datetime.now()
        self.flush_model(["state", "reminder_minutes", "reminder_sent_at", "user_id", "start"])
        self.env.cr.execute(SQL(
            """SELECT id FROM crm_call
                WHERE state = 'scheduled' AND reminder_minutes > 0 AND reminder_sent_at IS NULL
                  AND user_id IS NOT NULL AND start > %(now)s
                  AND start - make_interval(mins => reminder_minutes) <= %(now)s""",
            now=now,
        ))
        calls = self.browse([row[0] for row in self.env.cr.fetchall()])
        for call in calls:
            call._send_reminder()
        return True

    def _send_reminder(self):
        """Tell the owner in the web client, and by email if they prefer; mark the call reminded."""
        self.ensure_one()
        owner = self.user_id
        # sudo: the cron marks the call reminded whoever owns it; the flag is bookkeeping, not an edit
        self.sudo()._write_system_fields({"reminder_sent_at": fields.Datetime.now()})
        call = self.with_user(owner).with_context(lang=owner.lang, tz=owner.tz)
        owner._bus_send("call_logging/reminder", call._reminder_payload())
        if owner.call_reminder_email and owner.email:
            self.env.ref("call_logging.mail_template_call_reminder").send_mail(
                self.id, force_send=False, email_layout_xmlid="mail.mail_notification_light"
            )

    def _reminder_payload(self):
        """What the reminder shows: the call, who with, when, and what the owner can do."""
        self.ensure_one()
        start = fields.Datetime.context_timestamp(self, self.start)
        who = self._caller_name()
        time = start.strftime("%H:%M")
        if who:
            message = _("%(subject)s at %(time)s - %(who)s", subject=self.name, time=time, who=who)
        else:
            message = _("%(subject)s at %(time)s", subject=self.name, time=time)
        return {
            "call_id": self.id,
            "title": _("Call in %(minutes)s minutes", minutes=self.reminder_minutes),
            "message": message,
        }

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _creation_event(self):
        """The event a new call raises: scheduled, missed, or an incoming/outgoing call."""
        self.ensure_one()
        if self.state == "scheduled":
            return "scheduled"
        if self.state == "missed":
            return "missed"
        if self.state == "cancelled":
            return False
        return "incoming" if self.direction == "inbound" else "outgoing"

    def _write_events(self, old_state, old_user, old_count):
        """The events a write raised on this call, given its state, owner and reschedule count before."""
        self.ensure_one()
        events = []
        if self.state == "missed" and old_state != "missed":
            events.append("missed")
        if self.state == "cancelled" and old_state != "cancelled":
            events.append("cancelled")
        if old_state == "scheduled" and self.direction == "outbound" and self.state in (*LIVE_STATES, "done"):
            events.append("outgoing")
        if self.reschedule_count > old_count:
            events.append("rescheduled")
        if old_user and self.user_id and old_user != self.user_id:
            events.append("reassigned")
        if old_state == "scheduled" and self.state == "scheduled" and not events:
            events.append("edited")
        return events

    def _raise_call_event(self, event, extra_vals=None, clear=True):
        """Run the Automation Rules watching ``call_event`` for ``event`` on these calls.

        The event is written at the top level, where Automation Rules see it; ``clear`` empties it
        again without running any rule, so the next event is a change too."""
        if not self:
            return
        # sudo: raising an event is bookkeeping; whoever caused it may not be allowed to write the call
        # any more (e.g. after giving it to a colleague). Rules keep the user as env.user.
        calls = self.sudo()
        if not self.env["base.automation"]._call_rules_watch_writes():
            # No rule can see the event: spare every call write (each PBX event is one) the extra writes.
            if extra_vals:
                calls._write_system_fields(extra_vals)
            return
        # Compute pending stored fields first: recomputed during the event, they would look like it to rules.
        self.env.flush_all()
        calls._write_system_fields({"call_event": event, "last_event_at": fields.Datetime.now(), **(extra_vals or {})})
        if clear:
            # No rule sees the clearing (see base_automation.py); nothing here takes it for an edit.
            calls._write_system_fields({"call_event": False})
