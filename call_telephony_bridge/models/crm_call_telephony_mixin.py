import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.call_logging.models.crm_call_base import LIVE_STATES, WRAP_UP_WINDOW
from odoo.addons.call_logging.tools.call_duration import format_duration
from odoo.addons.call_logging.tools.phone_normalize import dialable, to_e164
from odoo.exceptions import AccessError, UserError

WRAP_UP_FIELDS = ("description", "result_id", "result_note", "goal_status", "additional_info", "inbound_reason")
POPUP_LIST_LIMIT = 5
# No phone rings longer than this: a call still "ringing" after it lost its hangup and pops up no more.
RINGING_AT_MOST = timedelta(minutes=3)
# A phone number as people write it, with spaces, dashes and an extension: longer is not a number.
MAX_DIALLED_LENGTH = 64
# Why an outbound call never connected, in the words of the user who placed it (see tools.call_state.END_REASONS).
END_REASONS = [
    ("agent_no_answer", "Your phone did not answer"),
    ("agent_busy", "Your phone was busy"),
    ("agent_unreachable", "Your phone could not be reached"),
    ("customer_no_answer", "The customer did not answer"),
    ("customer_busy", "The customer's line was busy"),
    ("customer_unreachable", "The customer's number could not be reached"),
    ("customer_failed", "The call to the customer failed"),
    ("customer_cancelled", "You hung up before the customer answered"),
    ("ended_by_user", "You ended the call before it was connected"),
    ("pbx_failed", "The PBX could not place the call"),
]


# What the phone system reports of a call besides what call_logging knows (see crm.call._telephony_write).
TELEPHONY_FIELDS = frozenset({
    "external_ref", "answered_at", "telephony_line_id", "telephony_event_count", "telephony_ended_at",
    "telephony_dialled_at", "telephony_end_reason", "telephony_duration", "telephony_hold_duration",
    "telephony_ring_duration",
})
# What End Call records of a PBX call nobody answered (see crm.call._write_from_action).
END_CALL_FIELDS = frozenset({"telephony_ended_at", "telephony_end_reason"})


class CrmCallTelephonyMixin(models.AbstractModel):
    """Calls that came through the PBX: their line, their events, the popup's data, wrap-up and dialling.

    Listed before ``crm.call`` in this addon's ``crm.call``: its End Call, Call and Call back extend
    call_logging's, so Python must reach them first.
    """

    _name = "crm.call.telephony.mixin"
    _description = "Phone Call: Telephony"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    external_ref = fields.Char(string="PBX Call ID", copy=False, readonly=True)
    answered_at = fields.Datetime(
        string="Answered At", readonly=True, copy=False,
        help="When the call was picked up (telephony calls).",
    )
    telephony_line_id = fields.Many2one("telephony.line", string="Line", readonly=True, index=True, copy=False)
    telephony_event_ids = fields.One2many("telephony.call.event", "call_id", string="PBX Events", readonly=True)
    telephony_event_count = fields.Integer(string="PBX Event Count", readonly=True, copy=False)
    telephony_ended_at = fields.Datetime(string="Hung Up At", readonly=True, copy=False)
    telephony_dialled_at = fields.Datetime(
        string="Dialled At", readonly=True, copy=False,
        help="When you asked the PBX to place this call: it rings your phone first, then the customer.",
    )
    telephony_end_reason = fields.Selection(
        END_REASONS, string="Not Connected", readonly=True, copy=False,
        help="Why this outbound call never connected, as the PBX reported it.",
    )
    # The PBX's times are precise to the millisecond; duration and hold time are these, rounded to the second.
    telephony_duration = fields.Float(
        string="Exact Duration (s)", digits=(16, 3), readonly=True, copy=False,
        help="Seconds from the answer to the hangup, from the PBX's times to the millisecond.",
    )
    telephony_hold_duration = fields.Float(
        string="Exact Hold Time (s)", digits=(16, 3), readonly=True, copy=False,
        help="Seconds on hold, from the PBX's times to the millisecond.",
    )
    telephony_ring_duration = fields.Float(
        string="Ringing Time (s)", digits=(16, 3), readonly=True, copy=False,
        help="Seconds from the first ring (or the dial) to the answer, or to the hangup when nobody answered.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("telephony_ended_at")
    def _compute_wrap_up_open(self):
        super()._compute_wrap_up_open()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_end_call(self):
        """End Call on an outbound PBX call nobody answered yet ends it as not connected: no duration,
        no false completed call; the PBX's later events, if any come, still tell the truth."""
        self.ensure_one()
        if self.direction == "outbound" and self.external_ref and not self.answered_at and self.state in LIVE_STATES:
            vals = {
                "state": "done", "duration": 0, "hold_duration": 0, "hold_started_at": False,
                "telephony_ended_at": fields.Datetime.now(), "telephony_end_reason": "ended_by_user",
            }
            if not self.result_id:
                vals["result_id"] = self.env.ref("call_telephony_bridge.result_not_connected").id
            self._write_from_action(vals)
            return self._action_open_wrap_up()
        return super().action_end_call()

    def action_dial(self):
        """Dial this call's number through the PBX: a scheduled call becomes the call that rings; any other
        gives a new outbound call with the same customer."""
        self.ensure_one()
        scheduled = self if self.state == "scheduled" else None
        return self._telephony_dial(self.phone, partner=self.partner_id, lead=self.lead_id, scheduled=scheduled)

    def action_call(self):
        """Call a scheduled call through the PBX when the user can dial it; else with a running timer."""
        self.ensure_one()
        if self._telephony_user_can_dial() and self.phone and self.state == "scheduled":
            return self.action_dial()
        return super().action_call()

    def action_call_back(self):
        """Call back a missed call through the PBX when the user can dial; else with a running timer."""
        self.ensure_one()
        if self._telephony_user_can_dial() and (self.phone or self.partner_id or self.lead_id):
            partner, lead = self.partner_id, self.lead_id
            phone = self.phone or self._number_to_call(partner, lead)
            return self._telephony_dial(phone, partner=partner, lead=lead)
        return super().action_call_back()

    def action_save_wrap_up(self, values):
        """Save the wrap-up the owner typed in the popup after the hangup.

        A closed call is locked against edits; this narrow path lets its owner write the
        wrap-up fields only, and only for a PBX call that ended less than 12 hours ago.
        """
        self.ensure_one()
        if not isinstance(values, dict):
            raise UserError(_("The wrap-up must be given as field names and values."))
        unknown = set(values) - set(WRAP_UP_FIELDS)
        if unknown:
            raise UserError(_("The wrap-up cannot change %s.", ", ".join(sorted(map(str, unknown)))))
        values = self._clean_wrap_up(values)
        self.check_access("read")
        if self.user_id != self.env.user:
            raise AccessError(_("Only the call's owner can write its wrap-up."))
        if not self.external_ref:
            raise UserError(_("Only calls that came through the phone system have a wrap-up."))
        if self.state not in ("done", "missed", "in_progress", "on_hold"):
            raise UserError(_("This call cannot be wrapped up."))
        ended = self.telephony_ended_at or self.stop or self.start
        if self.state in ("done", "missed") and ended < fields.Datetime.now() - WRAP_UP_WINDOW:
            raise UserError(_("The wrap-up of a call can be written up to 12 hours after it ended."))
        # With the owner's rights: the closed-call lock lets the owner complete the wrap-up for as long as checked.
        self._write_wrap_up(values)
        return True

    def _clean_wrap_up(self, values):
        """The wrap-up's values checked one by one, each refused with a clear message when it cannot be."""
        clean = {}
        for name, value in values.items():
            if name == "result_id":
                clean[name] = self._browse_argument("crm.call.result", value).id if value else False
            elif name == "goal_status":
                if value not in dict(self._fields["goal_status"].selection):
                    raise UserError(_("“%s” is not a goal status.", str(value)[:40]))
                clean[name] = value
            elif value is False or value is None or isinstance(value, str):
                clean[name] = value or False
            else:
                raise UserError(_("The wrap-up's %s must be text.", self._fields[name]._description_string(self.env)))
        return clean

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def telephony_dial_number(self, number):
        """Dial ``number`` through the PBX (any phone number shown in Odoo, the dial pad): the call lands on
        whoever the number is, as far as the user may see them. The call's form action."""
        if not isinstance(number, str) or len(number) > MAX_DIALLED_LENGTH:
            raise UserError(_("The number to dial must be text, such as +48 22 123 45 67."))
        return self._telephony_dial(number)

    @api.model
    def _telephony_dial(self, number, partner=None, lead=None, scheduled=None):
        """Click-to-dial: the PBX rings the user's own extension, then ``number``.

        The call is logged first as the user's ringing outbound call (a ``scheduled`` call of the user's,
        when given, is the one that rings), with a dial order that the bridge of one of the company's lines
        takes and places (``telephony.dial.order``); the bridge then reports its events under the call's PBX
        id: the answer starts its timer, a hangup before any answer ends it as not connected. The customer
        is shown the number of the company's line (its first line with a number) as caller ID. Without a
        number, ask for one.

        Not callable over RPC: the dial buttons, the ask-number wizard and the appointment dialler call it
        with their records.
        """
        partner = self._browse_argument("res.partner", partner)
        lead = self._browse_argument("crm.lead", lead)
        if not number:
            return self._action_ask_number(partner=partner or None, lead=lead or None, then="dial")
        if not isinstance(number, str):
            raise UserError(_("The number to dial must be text, such as +48 22 123 45 67."))
        user = self.env.user
        if not user.telephony_extension:
            raise UserError(_("You have no phone extension: ask an administrator to set it in Settings > Telephony."))
        company = lead.company_id or partner.company_id or self.env.company
        country = partner.country_id or lead.country_id or company.country_id
        dialled = dialable(number, country.code)
        if not dialled:
            raise UserError(_("“%s” is not a phone number that can be dialled.", number[:40]))
        number = number.strip()
        lines = self.env["telephony.line"].search([("company_id", "=", company.id)])
        if not lines._bridge_connected():
            raise UserError(_("No PBX bridge is connected to %(company)s: start the bridge of one of its phone "
                              "lines (Settings > Telephony > Test Connection tells which).", company=company.name))
        if not (partner or lead):
            who = self.identify_number(number, company_id=company.id)
            partner = self.env["res.partner"].browse(who["partner_id"])
            lead = self.env["crm.lead"].browse(who["lead_id"])
        line = lines.filtered("number")[:1]
        line_number = to_e164(line.number, company.country_id.code) if line else False
        now = fields.Datetime.now()
        # A ringing call is the phone system's, and this one rings through the PBX: it is written with
        # _telephony_create/_telephony_write, the user's own rights being checked on the call just below.
        vals = {
            "state": "ringing",
            "direction": "outbound",
            "start": now,
            "telephony_dialled_at": now,
            "user_id": user.id,
            "phone": number,
            "partner_id": partner.id,
            "lead_id": lead.id,
            "external_ref": "odoo-c2d-" + uuid.uuid4().hex,
            "telephony_line_id": line.id,
            "company_id": company.id,
        }
        before = None
        if scheduled:
            scheduled.check_access("write")
            before = {"start": scheduled.start, "user_id": scheduled.user_id.id}
            # sudo: the phone system's write, on a call the user may write (checked just above)
            call = scheduled.sudo()
            call._telephony_write(vals)
        else:
            # sudo: the phone system's creation; the user's right to create this call is checked just below
            call = self.sudo()._telephony_create(vals)
            self.browse(call.id).check_access("create")
        self.env["telephony.dial.order"]._place(call, user.telephony_extension, dialled, line_number, before)
        return call._action_open_form()

    @api.model
    def telephony_ringing_now(self):
        """The popups of the calls ringing at the current user's extension right now: a page opened while the
        phone rings shows them as the ringing notice would have."""
        user = self.env.user
        if not user.telephony_extension:
            return []
        # sudo: the PBX's events are the call managers'; the ringing call itself is shown to the user whose
        # phone rings, as its notice is (see _telephony_popup_data)
        events = self.env["telephony.call.event"].sudo().search([
            ("event", "=", "ringing"), ("extension", "=", user.telephony_extension),
            ("call_id.state", "=", "ringing"), ("call_id.company_id", "in", user.company_ids.ids),
            ("call_id.start", ">=", fields.Datetime.now() - RINGING_AT_MOST),
        ])
        return [call._telephony_popup_data(user) for call in events.call_id.sorted("start")]

    def telephony_popup_data(self):
        """What the popup shows of this call to the current user (for a refresh of the screen-pop)."""
        self.ensure_one()
        self.check_access("read")
        return self._telephony_popup_data(self.env.user)

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    def _telephony_fields(self):
        return super()._telephony_fields() | TELEPHONY_FIELDS

    @api.model
    def _action_fields(self):
        return super()._action_fields() | END_CALL_FIELDS

    @api.model
    def _call_statistics_fields(self):
        # A new pick-up or ringing time changes the wait figures of the call's day (call_statistics/crm_call_report.py).
        return super()._call_statistics_fields() | {"answered_at", "telephony_ring_duration"}

    def _wrap_up_ended_at(self):
        """A PBX call ended at its hangup (its duration counts from the answer)."""
        return self.telephony_ended_at or super()._wrap_up_ended_at()

    def _telephony_popup_data(self, user, full=True):
        """The screen-pop's content for ``user``: the caller, their salesperson, open leads, next activities
        and last calls, and what the wrap-up needs. Without ``full``, only what changes after the ringing
        (state, owner, wrap-up): the popup keeps the rest.

        The ringing call itself is shown to the user whose phone rings, whatever their rules; everything
        else on the card only as far as ``user`` may read it, in the call's company and no other.
        """
        self.ensure_one()
        # sudo: the call rings on this user's phone, so its number, state and owner are theirs to see
        call = self.sudo().with_context(lang=user.lang or self.env.lang)
        viewer = call._telephony_viewer_env(user)
        partner = viewer["res.partner"].browse(call.partner_id.ids)._filtered_access("read")
        lead = viewer["crm.lead"].browse(call.lead_id.ids)._filtered_access("read")
        states = dict(call._fields["state"]._description_selection(call.env))
        ended = call.state in ("done", "missed")
        data = {
            "id": call.id,
            "number": call.phone or "",
            "direction": call.direction,
            "state": call.state,
            "state_label": states.get(call.state),
            "connected": call.is_connected,
            "ended": ended,
            "is_owner": call.user_id == user,
            "owner": call.user_id.name or "",
            "caller_type": call.caller_type,
            "partner": {"id": partner.id, "name": partner.name} if partner else False,
            "lead": {"id": lead.id, "name": lead.name} if lead else False,
            "wrap_up": {
                "description": call.description or "",
                "result_id": call.result_id.id,
                "goal_status": call.goal_status,
                "additional_info": call.additional_info or "",
            },
            "open_record_on_answer": user.telephony_open_record_on_answer,
            "end_reason": dict(call._fields["telephony_end_reason"]._description_selection(call.env)).get(
                call.telephony_end_reason, ""),
        }
        if full or (ended and call.user_id == user):
            data["results"] = call.env["crm.call.result"]._telephony_choices()
        if full:
            data.update(call._telephony_caller_card(partner, lead, states))
        return data

    def _telephony_viewer_env(self, user):
        """``user``'s environment restricted to this call's company: what the card may show them."""
        companies = self.company_id & user.company_ids
        return self.env(user=user.id, su=False, context={
            "lang": self.env.lang, "tz": user.tz, "allowed_company_ids": companies.ids or user.company_id.ids})

    def _telephony_caller_card(self, partner, lead, states):
        """The caller's company, salesperson, open leads, next activities and last calls, read with the
        record rules of the environment of ``partner`` and ``lead`` (the rung user's: see
        _telephony_popup_data). ``states``: the labels of the call states, in the reader's language."""
        env = partner.env
        if self.company_id not in env.companies:
            return {"company": "", "responsible": "", "open_leads": [], "activities": [], "last_calls": []}
        commercial = partner.commercial_partner_id._filtered_access("read")
        Lead = env["crm.lead"]
        open_leads = Lead.search_fetch([
            ("partner_id.commercial_partner_id", "=", commercial.id),
            "|", ("probability", "<", 100), ("probability", "=", False),
        ], ["name", "stage_id"], order="priority desc, id desc", limit=POPUP_LIST_LIMIT) if commercial else Lead
        if lead and lead.active and lead not in open_leads:
            open_leads = lead | open_leads
        activities = env["mail.activity"].search_fetch([
            "|", "&", ("res_model", "=", "res.partner"), ("res_id", "in", partner.ids),
            "&", ("res_model", "=", "crm.lead"), ("res_id", "in", open_leads.ids),
        ], ["summary", "activity_type_id", "date_deadline", "user_id", "res_model", "res_id"],
            order="date_deadline, id", limit=POPUP_LIST_LIMIT) if partner or open_leads else env["mail.activity"]
        if commercial:
            same_caller = [("commercial_partner_id", "=", commercial.id)]  # the company and its people
        elif lead:
            same_caller = [("lead_id", "=", lead.id)]
        elif self.phone_e164:
            same_caller = [("phone_e164", "=", self.phone_e164)]
        else:
            same_caller = [("phone", "=", self.phone or "")]
        last_calls = env["crm.call"].search_fetch(
            same_caller + [("id", "!=", self.id), ("state", "not in", ("scheduled", "cancelled"))],
            ["name", "start", "state", "duration", "user_id"], order="start desc, id desc", limit=POPUP_LIST_LIMIT,
        )
        responsible = partner.user_id or lead.user_id
        return {
            "company": commercial.name if commercial and commercial != partner else "",
            "responsible": responsible.name or "",
            "open_leads": [{"id": found.id, "name": found.name, "stage": found.stage_id.name or ""}
                           for found in open_leads[:POPUP_LIST_LIMIT]],
            "activities": [{
                "id": activity.id,
                "summary": activity.summary or activity.activity_type_id.name or "",
                "deadline": str(activity.date_deadline),
                "user": activity.user_id.name or "",
                "res_model": activity.res_model,
                "res_id": activity.res_id,
            } for activity in activities],
            "last_calls": [{
                "id": past.id,
                "name": past.name or "",
                "start": fields.Datetime.to_string(past.start),
                "state": states.get(past.state),
                # still going on when the card was read: the popup lists finished calls only
                "live": past.state in LIVE_STATES,
                "duration": format_duration(past.duration),
                "user": past.user_id.name or "",
            } for past in last_calls],
        }
