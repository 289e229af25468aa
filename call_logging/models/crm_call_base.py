from datetime import timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_datetime

from ..tools.call_duration import MAX_DURATION, format_duration
from ..tools.phone_normalize import to_e164
from ..tools.trust import (
    HISTORY_DEFERRED,
    MANUAL_CREATE,
    MANUAL_WRITE,
    SYSTEM_FIELDS,
    waived,
    waiving,
)

# A start within this margin of "now" counts as "now".
NOW_MARGIN = timedelta(minutes=1)
DEFAULT_SCHEDULED_LENGTH = timedelta(minutes=15)
# Missed calls older than this leave the day plan even when nobody returned them.
MISSED_CALL_HORIZON = timedelta(days=14)

# Answered and not yet ended.
CONNECTED_STATES = ("in_progress", "on_hold")
# Going on: ringing, or answered and not yet ended.
LIVE_STATES = ("ringing", *CONNECTED_STATES)
CLOSED_STATES = ("done", "missed", "cancelled")
# Calls that happened (or rang): only managers delete them.
HISTORY_STATES = ("done", "missed")
# States only the telephony side may put a call in.
TELEPHONY_STATES = ("ringing", "missed")
# Fields that may still change on a closed call: the PBX's recording and mail bookkeeping.
FIELDS_WRITABLE_WHEN_CLOSED = {"recording_id", "message_main_attachment_id"}
# What the owner may still complete after the call, for this long after it ended; times and duration stay locked.
WRAP_UP_FIELDS = {
    "description", "result_id", "result_note", "goal_status", "contact_person_id", "additional_info", "inbound_reason",
}
WRAP_UP_WINDOW = timedelta(hours=12)
# The business documents a call may be "related to", unless the setting names others.
RELATED_MODELS_PARAM = "call_logging.related_models"
DEFAULT_RELATED_MODELS = "crm.lead,sale.order,project.task,helpdesk.ticket,account.move,purchase.order,res.partner"
# What moves a call between the sections of its owner's day plan.
DAY_PLAN_FIELDS = {"state", "start", "user_id", "name", "partner_id", "lead_id", "phone"}
# Where a transaction keeps the history notes of its closed calls while they are deferred (HISTORY_DEFERRED).
PENDING_HISTORY = "call_logging.customer_history"
# The system's bookkeeping of a call's own machinery (see _write_system_fields); each aspect adds its own.
BOOKKEEPING_FIELDS = frozenset({"reschedule_count"})
# The read-only times a call's own actions record: hold, resume, end (see _write_from_action).
ACTION_FIELDS = frozenset({"hold_started_at", "hold_duration"})
# What the phone system knows of a call and reports (see _telephony_write); the bridge adds its own fields.
TELEPHONY_FIELDS = frozenset({
    "state", "start", "duration", "hold_duration", "hold_started_at", "direction", "phone", "partner_id",
    "lead_id", "caller_type", "user_id", "result_id", "result_note", "recording_id", "company_id",
})


class CrmCallBase(models.AbstractModel):
    """One phone call with a contact or a lead: past, current, missed or planned - its fields, its states
    and the rules every client is held to. ``crm.call`` lists it last of its parents: every other aspect
    of a call extends what is here (see crm_call.py)."""

    _name = "crm.call.base"
    _description = "Phone Call: Fields and Rules"
    _inherit = ["mail.thread", "mail.activity.mixin"]

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(string="Subject", tracking=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="outbound",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("scheduled", "Scheduled"),
            ("ringing", "Ringing"),
            ("in_progress", "In Progress"),
            ("on_hold", "On Hold"),
            ("done", "Completed"),
            ("missed", "Missed"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        required=True,
        default="done",
        tracking=True,
        index=True,
    )
    start = fields.Datetime(
        string="Start", required=True, default=fields.Datetime.now, tracking=True, index=True
    )
    duration = fields.Integer(
        string="Duration",
        help="Length of the call in seconds, hold time included.",
        default=0,
        tracking=True,
    )
    hold_duration = fields.Integer(
        string="Hold Time", help="Seconds the call spent on hold.", default=0, readonly=True, copy=False
    )
    talk_duration = fields.Integer(
        string="Talk Time", compute="_compute_talk_duration", store=True
    )
    hold_started_at = fields.Datetime(readonly=True, copy=False)
    stop = fields.Datetime(
        string="End",
        compute="_compute_stop",
        inverse="_inverse_stop",
        store=True,
        help="Start plus duration; a scheduled call without a duration lasts 15 minutes in the calendar.",
    )
    call_kind = fields.Selection(
        [("current", "Current Call"), ("completed", "Completed Call"), ("scheduled", "Scheduled Call")],
        string="Kind",
        compute="_compute_call_kind",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", compute="_compute_team_id", store=True, index=True
    )
    team_leader_id = fields.Many2one(
        related="team_id.user_id",
        string="Team Leader",
        help="The leader of the owner's sales team: who rules tell about the owner's calls.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer Company", store=True, index=True
    )
    lead_id = fields.Many2one(
        "crm.lead", string="Lead / Opportunity", index=True, tracking=True, check_company=True
    )
    related_ref = fields.Reference(
        selection="_selection_related_models",
        string="Related To",
        help="Another business record the call is about; only for calls with a contact.",
    )
    purpose_id = fields.Many2one("crm.call.purpose", string="Purpose")
    agenda = fields.Text()
    result_id = fields.Many2one("crm.call.result", string="Result", tracking=True)
    result_note = fields.Text(string="Outcome", tracking=True)
    inbound_reason = fields.Text(string="Reason for the Call", tracking=True)
    description = fields.Html(string="Notes")
    additional_info = fields.Text(
        string="Additional Information",
        help="Special requirements, remarks, requests and questions raised during the call.",
        tracking=True,
    )
    goal_status = fields.Selection(
        [("none", "No Goal"), ("success", "Goal Reached"), ("failure", "Goal Missed")],
        default="none",
        required=True,
        tracking=True,
    )
    contact_person_id = fields.Many2one(
        "res.partner",
        string="Spoke With",
        help="The person of the customer's company the call was with.",
        domain="[('id', 'child_of', commercial_partner_id)]",
        tracking=True,
    )
    phone = fields.Char(string="Number", tracking=True)
    phone_e164 = fields.Char(
        string="Number (E.164)", compute="_compute_phone_e164", store=True, index=True
    )
    caller_type = fields.Selection(
        [("contact", "Contact"), ("account", "Account"), ("lead", "Lead"), ("unknown", "Unknown")],
        string="Caller Kind",
        compute="_compute_caller_type",
        store=True,
        readonly=False,
    )
    recording_id = fields.Many2one("ir.attachment", string="Recording", copy=False, readonly=True)
    callback_activity_ids = fields.One2many(
        "mail.activity", "callback_call_id", string="Call-backs",
        help="The open to-dos asking someone to return this missed call; their assignees may read it.",
    )
    reminder_minutes = fields.Integer(
        string="Reminder", help="Minutes before the start to remind the owner; 0 for none."
    )
    reschedule_count = fields.Integer(string="Times Rescheduled", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    duration_display = fields.Char(string="Duration (mm:ss)", compute="_compute_duration_display")
    is_locked = fields.Boolean(compute="_compute_is_locked")
    wrap_up_open = fields.Boolean(
        string="Wrap-up Open", compute="_compute_wrap_up_open",
        help="The owner may still complete the result, outcome, goal and notes of this ended call.",
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    is_live = fields.Boolean(
        string="Going On", compute="_compute_phase", search="_search_is_live",
        help="The call is ringing, in progress or on hold.",
    )
    is_connected = fields.Boolean(
        string="Connected", compute="_compute_phase", search="_search_is_connected",
        help="The call was answered and has not ended: in progress or on hold.",
    )

    # ------------------------------------------------------------------
    # Compute / onchange
    # ------------------------------------------------------------------
    @api.model
    def _selection_related_models(self):
        """The business documents a call can be about: the configured models that are installed."""
        names = self.env["ir.config_parameter"].sudo().get_param(  # sudo: a setting every user's form reads
            RELATED_MODELS_PARAM, DEFAULT_RELATED_MODELS
        )
        wanted = [name.strip() for name in names.split(",") if name.strip()]
        # sudo: the names of those models, which every user's form shows
        models_ = self.env["ir.model"].sudo().search([("model", "in", wanted), ("transient", "=", False)])
        labels = {model.model: model.name for model in models_}
        return [(name, labels[name]) for name in wanted if name in labels]

    @api.depends("duration", "hold_duration")
    def _compute_talk_duration(self):
        for call in self:
            call.talk_duration = max(call.duration - call.hold_duration, 0)

    @api.depends("start", "duration", "state")
    def _compute_stop(self):
        for call in self:
            if not call.start:
                call.stop = False
            elif call.duration:
                call.stop = call.start + timedelta(seconds=call.duration)
            else:
                call.stop = call.start + (
                    DEFAULT_SCHEDULED_LENGTH if call.state == "scheduled" else timedelta()
                )

    def _inverse_stop(self):
        for call in self:
            if not (call.start and call.stop):
                continue
            seconds = self._seconds_between(call.start, call.stop)
            if call.state != "scheduled" and call.duration != seconds:
                # A created call has its duration from its end already (see create); a live call's follows it.
                call.write({"duration": seconds})

    @api.depends("state", "start")
    def _compute_call_kind(self):
        for call in self:
            call.call_kind = call._kind_for(call.state, call.start)

    @api.depends("user_id")
    def _compute_team_id(self):
        for call in self:
            call.team_id = call.user_id.sale_team_id

    @api.depends("phone", "partner_id.country_id", "lead_id.country_id", "company_id.country_id")
    def _compute_phone_e164(self):
        for call in self:
            country = call.partner_id.country_id or call.lead_id.country_id or call.company_id.country_id
            call.phone_e164 = to_e164(call.phone, country.code) or False

    @api.depends("partner_id", "partner_id.is_company", "lead_id")
    def _compute_caller_type(self):
        for call in self:
            if call.partner_id:
                call.caller_type = "account" if call.partner_id.is_company else "contact"
            elif call.lead_id:
                call.caller_type = "lead"
            else:
                call.caller_type = call.caller_type or "unknown"

    @api.depends("duration", "state")
    def _compute_duration_display(self):
        # A call not yet (or never) talked has no length to show: blank, not 00:00.
        for call in self:
            talked = call.duration or call.state in ("done", *LIVE_STATES)
            call.duration_display = format_duration(call.duration) if talked else ""

    @api.depends("state")
    def _compute_is_locked(self):
        for call in self:
            # A call being logged is "done" before it is saved: only a saved closed call is locked.
            call.is_locked = call.state in CLOSED_STATES and bool(call._origin.id)

    @api.depends("state", "user_id", "stop")
    @api.depends_context("uid")
    def _compute_wrap_up_open(self):
        for call in self:
            call.wrap_up_open = bool(call._origin.id) and call._wrap_up_open_for(self.env.user)

    @api.depends("state")
    def _compute_phase(self):
        for call in self:
            call.is_live = call.state in LIVE_STATES
            call.is_connected = call.state in CONNECTED_STATES

    def _search_is_live(self, operator, value):
        return self._search_state_in(LIVE_STATES, operator, value)

    def _search_is_connected(self, operator, value):
        return self._search_state_in(CONNECTED_STATES, operator, value)

    def _search_state_in(self, states, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("This can only be searched as true or false."))
        return [("state", "in" if (operator == "=") == value else "not in", list(states))]

    @api.depends("state", "start")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for call in self:
            call.is_overdue = call.state == "scheduled" and call.start and call.start < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Overdue calls can only be searched as true or false."))
        overdue = [("state", "=", "scheduled"), ("start", "<", fields.Datetime.now())]
        return overdue if (operator == "=") == value else ["!", "&"] + overdue

    @api.onchange("start")
    def _onchange_start_derive_kind(self):
        """The kind follows the start: past = log, future = schedule, now = call now.

        Not when the form was opened as "Log a call" or "Schedule a call": the user chose the kind."""
        if self._origin.id or self.env.context.get("default_state"):
            return
        self.state = self._state_for_start(self.start)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.phone = self._number_to_call(partner=self.partner_id) or self.phone
            if not self.name:
                self.name = self._default_subject(self.partner_id.display_name, self.direction)
            if not self.lead_id:
                self.lead_id = self._only_open_lead_of(self.partner_id)
        else:
            self.related_ref = False

    @api.onchange("lead_id")
    def _onchange_lead_id(self):
        lead = self.lead_id
        if lead:
            self.phone = self._number_to_call(lead=lead) or self.phone
            if lead.partner_id and not self.partner_id:
                self.partner_id = lead.partner_id
            if not self.name:
                self.name = self._default_subject(lead.name, self.direction)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("duration")
    def _check_duration(self):
        for call in self:
            self._check_start_and_duration({"duration": call.duration})

    @api.constrains("related_ref", "partner_id")
    def _check_related_ref_needs_contact(self):
        for call in self:
            if call.related_ref and not call.partner_id:
                raise ValidationError(
                    _("A call can be related to another record only when it is with a contact, not with a lead alone.")
                )

    @api.constrains("reminder_minutes")
    def _check_reminder(self):
        for call in self:
            if call.reminder_minutes < 0:
                raise ValidationError(_("A reminder cannot be set after the call's start."))

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # The rules of what may be entered by hand, unless a narrow method waived them for exactly these fields
        # (_telephony_create, the demo history): a record of what happened, checked there.
        recorded = waived(MANUAL_CREATE, self, set().union(*vals_list), create=True)
        now = fields.Datetime.now()
        for vals in vals_list:
            self._check_start_and_duration(vals)
            start = fields.Datetime.to_datetime(vals.get("start")) or now
            vals.setdefault("start", start)
            if "state" not in vals and "default_state" not in self.env.context:
                vals["state"] = self._state_for_start(start, now)
            state = vals.get("state") or self.env.context.get("default_state") or "done"
            if not recorded:
                self._check_manual_creation(state, start, now)
            if state == "in_progress" and not recorded:
                # Whoever starts a current call owns it.
                vals["user_id"] = self.env.uid
            if vals.get("stop") and state != "scheduled":
                # A call logged with its end lasts until then (the end's inverse then finds nothing to change).
                vals["duration"] = self._seconds_between(start, fields.Datetime.to_datetime(vals["stop"]))
            if not vals.get("name"):
                vals["name"] = self._subject_for_vals(vals)
        # No "Phone Call created" note: it tells nothing the form does not, in the creator's language for good.
        calls = super(CrmCallBase, self.with_context(mail_create_nolog=True)).create(vals_list).with_env(self.env)
        calls.filtered(lambda c: c.state in CLOSED_STATES)._post_to_customer_history()
        calls._notify_day_plans()
        return calls

    def write(self, vals):
        self._check_start_and_duration(vals)
        # The rules of what may be changed by hand, unless a narrow method waived them for exactly these fields
        # on these calls (_telephony_write, _write_system_fields), having checked them itself.
        # Bookkeeping that other aspects add to a waived write (an appointment held) follows it.
        if vals and waived(MANUAL_WRITE, self, set(vals) - self._bookkeeping_fields()):
            return self._write_and_post_history(vals)
        self._check_manual_write(vals)
        if "start" in vals:
            return self._write_start(vals)
        return self._write_and_post_history(vals)

    def _write_start(self, vals):
        """A new start on a scheduled call is a reschedule: it must be ahead and is counted."""
        new_start = fields.Datetime.to_datetime(vals["start"])
        staying_scheduled = vals.get("state", "scheduled") == "scheduled"
        rescheduled = self.filtered(
            lambda c: staying_scheduled and c.state == "scheduled" and c.start != new_start
        )
        if rescheduled and new_start < fields.Datetime.now() - NOW_MARGIN:
            raise UserError(_("A call cannot be rescheduled into the past."))
        result = self._write_and_post_history(vals)
        for call in rescheduled:
            call._write_system_fields({"reschedule_count": call.reschedule_count + 1})
        return result

    def _write_and_post_history(self, vals):
        closing = self.browse()
        if vals.get("state") in CLOSED_STATES:
            closing = self.filtered(lambda c: c.state not in CLOSED_STATES)
        owners = self.user_id
        result = super().write(vals)
        closing._post_to_customer_history()
        if DAY_PLAN_FIELDS & set(vals):
            self._notify_day_plans(owners)
        return result

    def _check_unlink_access(self):
        """Refuse, with a sentence, the deletion of a call held or missed by anyone but a call manager: it is
        the customer's history. Then the standard access check, where the record rules say the same."""
        history = self.filtered(lambda call: call.state in HISTORY_STATES)
        if history and not (self.env.su or self.env.user.has_group("call_logging.group_call_manager")):
            raise AccessError(_(
                "Only call managers can delete a completed or missed call: it is part of the customer's history "
                "(%(calls)s).", calls=", ".join(history.mapped("display_name")),
            ))
        self.check_access("unlink")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_live(self):
        if any(call.state in LIVE_STATES for call in self):
            raise UserError(_("A call that is still going on cannot be deleted; end it first."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start_call(self):
        """Start a scheduled call now: it becomes the current call of whoever starts it."""
        self.ensure_one()
        if self.state != "scheduled":
            raise UserError(_("Only a scheduled call can be started."))
        self.write({"state": "in_progress", "start": fields.Datetime.now(), "user_id": self.env.uid,
                    "direction": "outbound"})
        return self._action_open_form()

    def action_call(self):
        """The one *Call* of a scheduled call (day plan card): here with a running timer; the PBX module dials
        it through the PBX when the user can."""
        return self.action_start_call()

    def action_hold(self):
        """Put the current call on hold; hold time is counted apart from talk time."""
        for call in self:
            if call.state != "in_progress":
                raise UserError(_("Only a call in progress can be put on hold."))
        self._write_from_action({"state": "on_hold", "hold_started_at": fields.Datetime.now()})
        return True

    def action_resume(self):
        """Take the call off hold."""
        now = fields.Datetime.now()
        for call in self:
            if call.state != "on_hold":
                raise UserError(_("Only a call on hold can be resumed."))
            call._write_from_action(call._vals_closing_hold(now, "in_progress"))
        return True

    def action_end_call(self):
        """Hang up: the call is completed, its duration set; then offer a follow-up."""
        self.ensure_one()
        if self.state not in ("in_progress", "on_hold"):
            raise UserError(_("Only a call in progress or on hold can be ended."))
        if not (self.partner_id or self.lead_id or self.phone):
            raise UserError(_("Add the contact, the lead or the number you called before ending the call."))
        now = fields.Datetime.now()
        vals = self._vals_closing_hold(now, "done")
        vals["duration"] = max(int((now - self.start).total_seconds()), 0)
        self._write_from_action(vals)
        return self._action_open_wrap_up()

    def action_mark_done(self):
        """Mark scheduled calls completed (the duration already typed is kept)."""
        if any(call.state != "scheduled" for call in self):
            raise UserError(_("Only scheduled calls can be marked as completed."))
        self.write({"state": "done"})
        return True

    def action_reschedule(self, start=None):
        """Move scheduled calls to a new start; without a start, ask for one."""
        if any(call.state != "scheduled" for call in self):
            raise UserError(_("Only scheduled calls can be rescheduled."))
        if not start:
            return {
                "type": "ir.actions.act_window",
                "name": _("Reschedule"),
                "res_model": "crm.call.reschedule",
                "view_mode": "form",
                "target": "new",
                "context": {"active_model": self._name, "active_ids": self.ids},
            }
        start = fields.Datetime.to_datetime(start)
        if start < fields.Datetime.now() - NOW_MARGIN:
            raise UserError(_("A call cannot be rescheduled into the past."))
        self.write({"start": start})
        return True

    def action_cancel(self):
        """Cancel scheduled calls."""
        if any(call.state != "scheduled" for call in self):
            raise UserError(_("Only scheduled calls can be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_call_back(self):
        """Return a missed call: a new current call to the same contact, lead and number."""
        self.ensure_one()
        partner, lead = self.partner_id, self.lead_id
        phone = self.phone or self._number_to_call(partner, lead)
        if not phone:
            if not (partner or lead):
                raise UserError(_("This call has no number, contact or lead to call back."))
            return self._action_ask_number(partner=partner or None, lead=lead or None)
        return self._start_call_with(partner=partner, lead=lead, phone=phone)

    def action_schedule_call_back(self):
        """Plan the return of a missed call: a scheduled call to the same contact, lead and number."""
        self.ensure_one()
        action = self._action_new_call(
            _("Schedule a Call Back"), "scheduled", partner=self.partner_id or None, lead=self.lead_id or None
        )
        action["context"]["default_phone"] = self.phone or action["context"]["default_phone"]
        return action

    def _action_open_wrap_up(self):
        """Ask for the result, outcome, goal, notes and the person spoken with; then offer a follow-up."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Wrap-up"),
            "res_model": "crm.call.wrap.up",
            "view_mode": "form",
            "target": "new",
            "context": {"default_call_id": self.id},
        }

    def action_open_followup(self):
        """Offer a meeting, another call or a task with the same contact or lead."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Follow-up"),
            "res_model": "crm.call.followup",
            "view_mode": "form",
            "target": "new",
            "context": {"default_call_id": self.id},
        }

    def action_open_related_record(self):
        self.ensure_one()
        record = self._target_record()
        if not record:
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def identify_number(self, number, company_id=None):
        """Who is behind ``number``: see crm.phone.index for the matching rules."""
        return self.env["crm.phone.index"].identify(number, company_id=company_id)

    @api.model
    def _start_call_with(self, partner=None, lead=None, phone=None):
        """Create a current outbound call with a contact or a lead and open it (Call now).

        Not callable over RPC: the Call now buttons, the call-back and the start and ask-number wizards call it
        with their records."""
        partner = self._browse_argument("res.partner", partner)
        lead = self._browse_argument("crm.lead", lead)
        if phone and not isinstance(phone, str):
            raise UserError(_("The number to call must be text, such as +48 22 123 45 67."))
        if lead and not partner:
            partner = lead.partner_id
        phone = phone or self._number_to_call(partner, lead)
        call = self.create({
            "state": "in_progress",
            "direction": "outbound",
            "start": fields.Datetime.now(),
            "partner_id": partner.id if partner else False,
            "lead_id": lead.id if lead else False,
            "phone": phone or False,
            "company_id": (lead or partner).company_id.id or self.env.company.id,
        })
        return call._action_open_form()

    @api.model
    @api.readonly
    def get_day_plan(self, user_id=None, team_id=None):
        """A day: overdue, today, upcoming, missed and done today, in the reader's time zone - the current
        user's, or (call managers only) one salesperson's (``user_id``) or a whole sales team's (``team_id``)."""
        owners = self._day_plan_owners(user_id, team_id)
        day_start, day_end = self._user_day_bounds()
        now = fields.Datetime.now()
        mine = [("user_id", "in", owners.ids)]
        sections = {
            "overdue": mine + [("state", "=", "scheduled"), ("start", "<", now)],
            "today": mine + [("state", "=", "scheduled"), ("start", ">=", now), ("start", "<", day_end)],
            "upcoming": mine + [("state", "=", "scheduled"), ("start", ">=", day_end)],
            "missed": [("id", "in", self._unreturned_missed_calls(now, owners).ids)],
            "done_today": mine + [("state", "=", "done"), ("start", ">=", day_start), ("start", "<", day_end)],
        }
        orders = {"upcoming": "start asc", "today": "start asc", "overdue": "start asc"}
        fields_ = ["name", "headline", "start", "state", "direction", "duration", "phone", "partner_id", "lead_id",
                   "purpose_id", "result_id", "recording_id"]
        return {
            key: {
                "count": self.search_count(domain),
                "records": self.search_read(domain, fields_, limit=50, order=orders.get(key, "start desc")),
            }
            for key, domain in sections.items()
        }

    # ------------------------------------------------------------------
    # Narrow writers: what no user may write, each checked here, then written
    # ------------------------------------------------------------------
    @api.model
    def _bookkeeping_fields(self):
        """The bookkeeping of a call's own machinery: counters and times written by the system alongside a
        user's change, a cron or an event; never an edit of the call (see _write_system_fields)."""
        return BOOKKEEPING_FIELDS

    def _write_system_fields(self, vals):
        """Write the system's bookkeeping of these calls (see _bookkeeping_fields), and nothing else.

        Skips, for these fields only: their refusal to users (they are read-only), and the rules of what may
        be changed by hand (the closed-call lock above all), because they are the machinery's, not an edit: a
        reschedule's count, the reminder sent, the overdue flag, the event Automation Rules watch. Access
        rights stay the caller's: a cron or a rule that keeps the books of everyone's calls says so with its
        own ``sudo()``. Every other hook of ``write`` runs (the automation aspect sees these fields as no
        edit)."""
        unknown = self._fields_outside(vals, self._bookkeeping_fields())
        if unknown:
            raise AccessError(_("Only the bookkeeping of a call is written this way, not %s.", unknown))
        with waiving((SYSTEM_FIELDS, MANUAL_WRITE), self, vals):
            return self.write(vals)

    @api.model
    def _action_fields(self):
        """The read-only fields a call's own actions write (see _write_from_action)."""
        return ACTION_FIELDS

    def _write_from_action(self, vals):
        """Write what one of the call's own actions (hold, resume, end) gives: its state and duration, and the
        hold and end times no user may type.

        Skips only the refusal of those read-only times (_action_fields), which the action took from the clock:
        every rule of what may be changed by hand still applies, with the user's own rights."""
        with waiving((SYSTEM_FIELDS,), self, set(vals) & self._action_fields()):
            return self.write(vals)

    def _write_wrap_up(self, vals):
        """Write what the owner completes after a call (WRAP_UP_FIELDS): the wrap-up form and the popup.

        Skips no rule: the closed-call lock lets the owner complete these fields for a while after the call
        ended (see _check_manual_write); any other field is refused here, with the form's words."""
        unknown = set(vals) - WRAP_UP_FIELDS
        if unknown:
            raise UserError(_("The wrap-up cannot change %s.", ", ".join(sorted(map(str, unknown)))))
        return self.write(vals)

    @api.model
    def _telephony_fields(self):
        """What the phone system knows of a call and reports: its state and times, who is on it, its owner on
        answer, its outcome and recording (see _telephony_write)."""
        return TELEPHONY_FIELDS

    @api.model
    def _telephony_create(self, vals_list):
        """Create the calls the phone system reports (ringing, missed, answered by someone), from superuser code.

        Skips the rules of what may be entered by hand (missed and ringing calls come only from here, a
        current call is not necessarily its creator's, a call may start a moment ago or ahead), because the
        PBX reports what happened. Refuses any other caller than superuser code and any field outside
        _telephony_fields; the subject, the history notes and every other hook of ``create`` happen as usual.
        """
        vals_list = [vals_list] if isinstance(vals_list, dict) else vals_list
        self._check_phone_system_caller()
        for vals in vals_list:
            self._check_telephony_fields(vals)
        with waiving((MANUAL_CREATE,), self, set().union(*vals_list), create=True):
            return self.create(vals_list)

    def _telephony_write(self, vals):
        """Write what the phone system reports of these calls, from superuser code.

        Skips the rules of what may be changed by hand - the closed-call lock (a late event still corrects a
        call), the states only the PBX sets, the owner taken by whoever answers, the start of a live call and
        the count of reschedules - because the PBX reports what happened. Refuses any other caller than
        superuser code and any field outside _telephony_fields."""
        self._check_phone_system_caller()
        self._check_telephony_fields(vals)
        with waiving((MANUAL_WRITE,), self, vals):
            return self.write(vals)

    def _check_phone_system_caller(self):
        # The phone system is superuser code: the events endpoint (authenticated by a line's token), click-to-dial
        # and the dialler once they checked the user, the crons. A user's environment never is.
        if not self.env.su:
            raise AccessError(_("Only the phone system writes what the PBX reports of a call."))

    def _check_telephony_fields(self, vals):
        unknown = self._fields_outside(vals, self._telephony_fields())
        if unknown:
            raise AccessError(_("The phone system does not write these fields of a call: %s.", unknown))

    @api.model
    def _fields_outside(self, vals, allowed):
        """The fields of ``vals`` outside ``allowed``, named for a message; empty when there are none."""
        return ", ".join(sorted(map(str, set(vals) - allowed)))

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    @api.readonly
    def get_day_plan_choices(self):
        """Whose day plan the current user may open: for call managers, the sales teams they can read (record
        rules apply) with their members; for everyone else, nothing to choose (their own plan only)."""
        if not self.env.user.has_group("call_logging.group_call_manager"):
            return {"teams": []}
        teams = self.env["crm.team"].search([])
        return {"teams": [{
            "id": team.id,
            "name": team.display_name,
            "users": [{"id": member.id, "name": member.name}
                      for member in (team.user_id | team.member_ids).sorted("name")],
        } for team in teams]}

    @api.model
    def _day_plan_owners(self, user_id=None, team_id=None):
        """The users a day plan shows: the current user, unless a call manager picked a salesperson or a team
        they can read."""
        if not (user_id or team_id):
            return self.env.user
        if not self.env.user.has_group("call_logging.group_call_manager"):
            raise AccessError(_("Only call managers can open the day plan of a colleague or a team."))
        if team_id:
            team = self._browse_argument("crm.team", team_id)
            return team.user_id | team.member_ids
        return self._browse_argument("res.users", user_id)

    @api.model
    def _unreturned_missed_calls(self, now, owners=None):
        """The inbound missed calls of the last two weeks that nobody has returned or taken since: the owners'
        (by default mine), and those an open call-back to-do of theirs answers (a voicemail left for the
        customer they look after)."""
        owners = owners or self.env.user
        callbacks = self.env["mail.activity"].search([
            ("user_id", "in", owners.ids), ("callback_call_id", "!=", False),
        ])
        missed = self.search([
            "|", ("user_id", "in", owners.ids), ("id", "in", callbacks.callback_call_id.ids),
            ("state", "=", "missed"), ("direction", "=", "inbound"),
            ("start", ">=", now - MISSED_CALL_HORIZON),
        ])
        if not missed:
            return missed
        # sudo: only to learn whether anyone (in any team) has talked to the caller since; nothing is shown
        later_calls = self.sudo().search_read([
            ("state", "in", ("in_progress", "on_hold", "done")),
            ("start", ">=", min(missed.mapped("start"))),
            "|", ("partner_id", "in", missed.partner_id.ids),
            ("phone_e164", "in", [number for number in missed.mapped("phone_e164") if number]),
        ], ["partner_id", "phone_e164", "start"])

        def returned(call):
            return any(
                later["start"] > call.start
                and ((call.partner_id and later["partner_id"] and later["partner_id"][0] == call.partner_id.id)
                     or (call.phone_e164 and later["phone_e164"] == call.phone_e164))
                for later in later_calls
            )

        return missed.filtered(lambda call: not returned(call))

    @api.model
    def _number_to_call(self, partner=None, lead=None):
        """The number a call with ``partner`` or ``lead`` dials: the lead's own first (it is the number of the
        person this opportunity is with), then the contact's; on each, the phone before the mobile."""
        for record in (lead, partner):
            if record and (record.phone or record.mobile):
                return record.phone or record.mobile
        return False

    @api.model
    def _browse_argument(self, model_name, value):
        """The one record of ``model_name`` a caller passed as a record or an id (RPC callers can only pass ids),
        which the user may read; empty for no value. Anything else is refused with a clear message."""
        Model = self.env[model_name]
        if not value:
            return Model
        if isinstance(value, models.BaseModel) and value._name == model_name:
            record = value
        elif isinstance(value, int) and not isinstance(value, bool):
            record = Model.browse(value)
        else:
            raise UserError(_("%(value)s is not a record of %(model)s.", value=repr(value)[:40],
                              model=Model._description))
        record = record.exists()
        if len(record) != 1:
            raise UserError(_("The %(model)s to use was not found.", model=Model._description))
        record.check_access("read")
        return record

    @api.model
    @tools.ormcache()
    def _system_fields(self):
        """Fields no user may write through any path (create, write, import, one2many commands): what the
        phone system reports, bookkeeping, and everything derived from other fields."""
        # Every field declared read-only is one: the rule the form shows holds for every client.
        return frozenset(
            name for name, field in self._fields.items()
            if field.readonly and not field.automatic and field._module != "mail"
        )

    @api.model
    def _check_system_fields(self, names):
        forbidden = sorted(set(names) & self._system_fields())
        if forbidden:
            labels = ", ".join(self._fields[name]._description_string(self.env) for name in forbidden)
            raise AccessError(_("These fields of a call are set by the system, never by hand: %s.", labels))

    @api.model
    def _state_for_start(self, start, now=None):
        now = now or fields.Datetime.now()
        start = fields.Datetime.to_datetime(start) or now
        if start > now + NOW_MARGIN:
            return "scheduled"
        if start < now - NOW_MARGIN:
            return "done"
        return "in_progress"

    @api.model
    def _kind_for(self, state, start):
        if state in LIVE_STATES:
            return "current"
        if state == "scheduled":
            return "scheduled"
        if state in CLOSED_STATES:
            return "completed"
        return {"scheduled": "scheduled", "done": "completed"}.get(self._state_for_start(start), "current")

    @api.model
    def _check_manual_creation(self, state, start, now):
        if state in TELEPHONY_STATES:
            raise UserError(
                _("Missed and ringing calls come from the phone system only; they cannot be entered by hand.")
            )
        if state in ("on_hold", "cancelled"):
            raise UserError(_("A new call can only be logged, scheduled or started now."))
        if state == "scheduled" and start < now - NOW_MARGIN:
            raise UserError(_("A call cannot be scheduled in the past; log it as a completed call instead."))
        if state == "done" and start > now + NOW_MARGIN:
            raise UserError(_("A completed call cannot start in the future; schedule it instead."))

    def _check_manual_write(self, vals):
        if vals.get("state") in TELEPHONY_STATES:
            raise UserError(_("Missed and ringing calls come from the phone system only; they cannot be set by hand."))
        changed = set(vals) - FIELDS_WRITABLE_WHEN_CLOSED
        for call in self:
            locked = changed - WRAP_UP_FIELDS if call._wrap_up_open_for(self.env.user) else changed
            if call.state in CLOSED_STATES and locked:
                raise UserError(
                    _("The call “%(call)s” is %(state)s and can no longer be edited.",
                      call=call.display_name,
                      state=dict(call._fields["state"]._description_selection(self.env))[call.state].lower())
                )
            if "user_id" in vals and call.state != "scheduled" and call.user_id.id != vals["user_id"]:
                raise UserError(_("Only a scheduled call can be reassigned; a current or logged call keeps its owner."))
            if "start" in vals and call.state in LIVE_STATES:
                raise UserError(_("The start of a call in progress cannot be changed."))

    @api.model
    def _check_start_and_duration(self, vals):
        """Refuse a missing start or an impossible duration with a clear message, before the database does."""
        if "start" in vals and not vals["start"]:
            raise ValidationError(_("A call needs a start date and time."))
        duration = vals.get("duration")
        if duration is not None and duration is not False:
            if duration < 0:
                raise ValidationError(_("A call's duration cannot be negative."))
            if duration > MAX_DURATION:
                raise ValidationError(
                    _("A call cannot last longer than 24 hours (%(duration)s given).",
                      duration=format_duration(duration))
                )

    @api.model
    def _subject_for_vals(self, vals):
        direction = vals.get("direction") or self.env.context.get("default_direction") or "outbound"
        partner_id = vals.get("partner_id") or self.env.context.get("default_partner_id")
        lead_id = vals.get("lead_id") or self.env.context.get("default_lead_id")
        who = (
            self.env["res.partner"].browse(partner_id).display_name if partner_id
            else self.env["crm.lead"].browse(lead_id).display_name if lead_id
            else vals.get("phone")
        )
        # In the owner's language: a call the PBX creates is read by its owner, not by the PBX's user.
        owner = self.env["res.users"].browse(vals.get("user_id")) if vals.get("user_id") else self.env.user
        # sudo: only the owner's language is read, which a colleague scheduling the call may not read
        return self.with_context(lang=owner.sudo().lang or self.env.lang)._default_subject(who, direction)

    def _wrap_up_open_for(self, user):
        """Whether ``user`` may still complete the wrap-up of this (one) ended call: its owner, for a while."""
        ended = self._wrap_up_ended_at()
        return (
            self.state in ("done", "missed") and self.user_id == user and bool(ended)
            and ended >= fields.Datetime.now() - WRAP_UP_WINDOW
        )

    def _wrap_up_ended_at(self):
        """When this (one) call ended, as far as its wrap-up window goes."""
        return self.stop or self.start

    @api.model
    def _seconds_between(self, start, stop):
        """The length of a call from ``start`` to ``stop``, refused when it would end before it starts."""
        seconds = int((stop - start).total_seconds())
        if seconds < 0:
            raise ValidationError(_("A call cannot end before it starts."))
        return seconds

    def _vals_closing_hold(self, now, state):
        vals = {"state": state, "hold_started_at": False}
        if self.hold_started_at:
            vals["hold_duration"] = self.hold_duration + int((now - self.hold_started_at).total_seconds())
        return vals

    def _notify_day_plans(self, former_owners=None):
        """Tell the open day plans of these calls' owners (and former owners) to refresh."""
        owners = self.user_id | (former_owners or self.env["res.users"])
        # sudo: a salesperson's change reaches the plan of a colleague they scheduled a call for
        owners.sudo().partner_id._bus_send("call_logging/day_plan_changed", {"call_ids": self.ids})

    def _start_label(self):
        """When this (one) call started, as its owner reads the time: their time zone, named."""
        tz = self.user_id.tz or self.env.user.tz or "UTC"
        return f"{format_datetime(self.env, self.start, tz=tz, dt_format=False)} ({tz})"

    def _caller_name(self):
        """Who this call (one, or none) is with, as people read it: the contact, else the lead, else the number."""
        return (self.partner_id or self.lead_id).display_name or self.phone or ""

    @api.model
    def _default_subject(self, who, direction):
        if direction == "inbound":
            return _("Call from %s", who) if who else _("Inbound call")
        return _("Call to %s", who) if who else _("Outbound call")

    def _user_day_bounds(self):
        tz = pytz.timezone(self.env.user.tz or "UTC")
        local_now = pytz.utc.localize(fields.Datetime.now()).astimezone(tz)
        local_midnight = tz.localize(local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None))
        start = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(days=1)

    @api.model
    def _action_new_call(self, title, state, partner=None, lead=None):
        """A new-call form for a contact or a lead: logged (past) or scheduled (ahead)."""
        partner = partner or (lead and lead.partner_id) or self.env["res.partner"]
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        context = {
            "default_state": state,
            "default_direction": "outbound",
            "default_partner_id": partner.id,
            "default_lead_id": lead.id if lead else False,
            "default_phone": self._number_to_call(partner, lead),
            "default_start": fields.Datetime.to_string(now + timedelta(hours=1) if state == "scheduled" else now),
        }
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "crm.call",
            "view_mode": "form",
            "views": [(self.env.ref("call_logging.crm_call_view_form_quick").id, "form")],
            "target": "new",
            "context": context,
        }

    @api.model
    def _action_ask_number(self, partner=None, lead=None, then="call_now"):
        """Ask for the number of a contact or lead that has none, then go on."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Number to Call"),
            "res_model": "crm.call.ask.number",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id if partner else False,
                "default_lead_id": lead.id if lead else False,
                "default_then": then,
            },
        }

    def _only_open_lead_of(self, partner):
        """The contact's one open lead or opportunity (else its company's one), to suggest on a new call;
        nothing when there are none or several to choose from."""
        Lead = self.env["crm.lead"]
        for customer in dict.fromkeys((partner, partner.commercial_partner_id)):
            leads = Lead.search([
                ("partner_id", "=", customer.id),
                "|", ("stage_id", "=", False), ("stage_id.is_won", "=", False),
                ("company_id", "in", [False, (self.company_id or self.env.company).id]),
            ], limit=2)
            if leads:
                return leads if len(leads) == 1 else Lead
        return Lead

    def _target_record(self):
        """The customer record the call hangs on: its lead, else its contact."""
        return self.lead_id or self.partner_id

    def _action_open_form(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.call",
            "res_id": self.id,
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "current",
        }

    def _post_to_customer_history(self):
        """Write the closed call on the timeline of its contact and lead.

        A logged note: it notifies nobody, so it is written without the mail machinery of a post.
        When the context's ``call_history_deferred`` is the HISTORY_DEFERRED marker (the PBX closing many
        calls in one transaction) the notes wait for ``_post_deferred_customer_history``, which writes
        them all at once; the marker only moves the writing, every note is written."""
        notes = []
        for call in self:
            records = [record for record in (call.partner_id, call.lead_id) if record]
            if not records:
                continue
            # Stored in the language of the person who talked; the chatter shows it in each reader's language
            # (see mail.message's call_summary_id).
            # sudo: only the owner's language is read, which a colleague may not read
            body = call.with_context(lang=call.user_id.sudo().lang or self.env.lang)._summary_body()
            # The person who talked writes the note, not whoever (or whatever, the PBX) closed the call.
            author = call.user_id.partner_id.id or self.env.user.partner_id.id
            notes += [(record._name, record.id, body, author, call.id) for record in records]
        if not notes:
            return
        if self.env.context.get("call_history_deferred") is not HISTORY_DEFERRED:
            self._log_customer_history(notes)
            return
        pending = self.env.cr.precommit.data.get(PENDING_HISTORY)
        if pending is None:
            pending = self.env.cr.precommit.data[PENDING_HISTORY] = []
            self.env.cr.precommit.add(self._post_deferred_customer_history)  # never left behind at commit
        pending += notes

    @api.model
    def _post_deferred_customer_history(self):
        self._log_customer_history(self.env.cr.precommit.data.pop(PENDING_HISTORY, []))

    def _summary_body(self):
        """This (one) call's note on its customer's timeline, in the language of the environment."""
        return self.env["mail.render.mixin"]._render_template_qweb_view(
            "call_logging.message_call_summary", self._name, self.ids,
            add_context={"call": self, "duration": format_duration(self.duration), "start": self._start_label()},
        )[self.id]

    @api.model
    def _log_customer_history(self, notes):
        """Log the (model, record id, body, author, call id) notes, one batch per model and author and round
        (a record once per round); each note names the call it summarizes."""
        summarized = []
        while notes:
            batches, later = {}, []
            for note in notes:
                model, record_id, body, author, call_id = note
                bodies, calls = batches.setdefault((model, author), ({}, {}))
                if record_id in bodies:
                    later.append(note)
                else:
                    bodies[record_id], calls[record_id] = body, call_id
            for (model, author), (bodies, calls) in batches.items():
                # sudo: a salesperson may log on a contact they cannot edit
                messages = self.env[model].browse(list(bodies)).sudo()._message_log_batch(bodies, author_id=author)
                summarized += [(message.id, calls[message.res_id]) for message in messages]
            notes = later
        if summarized:
            # One UPDATE for all the notes: the PBX may close hundreds of calls in one transaction.
            self.env["mail.message"].flush_model(["call_summary_id"])
            self.env.cr.execute(SQL(
                "UPDATE mail_message AS m SET call_summary_id = v.call_id FROM (VALUES %s) AS v(id, call_id)"
                " WHERE m.id = v.id",
                SQL(", ").join(SQL("(%s, %s)", message_id, call_id) for message_id, call_id in summarized),
            ))
            self.env["mail.message"].invalidate_model(["call_summary_id"])
