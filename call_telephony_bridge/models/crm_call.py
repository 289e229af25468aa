import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.call_logging.tools.call_duration import format_duration
from odoo.exceptions import AccessError, UserError

from ..tools.ari_client import AriError

# How long after the hangup the owner may still write the wrap-up of a closed call (V4).
WRAP_UP_WINDOW = timedelta(hours=12)
WRAP_UP_FIELDS = ("description", "result_id", "result_note", "goal_status", "additional_info", "inbound_reason")
POPUP_LIST_LIMIT = 5


class CrmCall(models.Model):
    """Calls that came through the PBX: their line, their events, the popup's data, wrap-up and dialling."""

    _inherit = "crm.call"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    telephony_line_id = fields.Many2one("telephony.line", string="Line", readonly=True, index=True, copy=False)
    telephony_event_ids = fields.One2many("telephony.call.event", "call_id", string="PBX Events", readonly=True)
    telephony_event_count = fields.Integer(string="PBX Event Count", readonly=True, copy=False)
    telephony_ended_at = fields.Datetime(string="Hung Up At", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_dial(self):
        """Dial this call's number through the PBX: a new current outbound call with the same customer."""
        self.ensure_one()
        return self.telephony_dial(self.phone, partner=self.partner_id, lead=self.lead_id)

    def action_save_wrap_up(self, values):
        """Save the wrap-up the owner typed in the popup after the hangup (V4).

        A closed call is locked against edits (C4); this narrow path lets its owner write the
        wrap-up fields only, and only for a PBX call that ended less than 12 hours ago.
        """
        self.ensure_one()
        unknown = set(values) - set(WRAP_UP_FIELDS)
        if unknown:
            raise UserError(_("The wrap-up cannot change %s.", ", ".join(sorted(unknown))))
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
        if values.get("result_id"):
            self.env["crm.call.result"].browse(int(values["result_id"])).check_access("read")
        # sudo + telephony context: the closed-call lock (C4) only yields to the telephony side; the owner
        # and the time window were checked above and only the wrap-up fields can be written.
        self.sudo().with_context(telephony_event=True).write(dict(values))
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def telephony_dial(self, number, partner=None, lead=None):
        """Click-to-dial (V2, K4): the PBX rings the user's own extension, then ``number``.

        The call is logged first as the user's current outbound call (its timer runs); the
        bridge then reports its events under the same PBX call id. Without a number, ask for one.
        """
        partner = partner or self.env["res.partner"]
        lead = lead or self.env["crm.lead"]
        if not number:
            return self._action_ask_number(partner=partner or None, lead=lead or None, then="dial")
        user = self.env.user
        if not user.telephony_extension:
            raise UserError(_("You have no phone extension: ask an administrator to set it in Settings > Telephony."))
        company = lead.company_id or partner.company_id or self.env.company
        client = company._telephony_ari_client()
        if not (partner or lead):
            who = self.identify_number(number, company_id=company.id)
            partner = self.env["res.partner"].browse(who["partner_id"])
            lead = self.env["crm.lead"].browse(who["lead_id"])
        channel_id = "odoo-c2d-" + uuid.uuid4().hex
        # The bridge's events for this channel wait on this lock until the call below is committed.
        self.env["telephony.call.lifecycle"].lock_call(company.id, channel_id)
        call = self.create({
            "state": "in_progress",
            "direction": "outbound",
            "start": fields.Datetime.now(),
            "phone": number,
            "partner_id": partner.id,
            "lead_id": lead.id,
            "external_ref": channel_id,
            "company_id": company.id,
        })
        try:
            client.originate(
                endpoint=company._telephony_agent_endpoint(user.telephony_extension),
                app=company.telephony_ari_app or "odoo",
                app_args=f"clicktodial-agent,{number}",
                channel_id=channel_id,
                caller_id=number,
            )
        except AriError as exc:
            # sudo + telephony context: a live call may only be deleted by the telephony side; this one never rang
            call.sudo().with_context(telephony_event=True).unlink()
            raise UserError(_("The PBX could not place the call: %s", exc))
        return call._action_open_form()

    def telephony_popup_data(self):
        """What the popup shows of this call to the current user (for a refresh of the screen-pop)."""
        self.ensure_one()
        self.check_access("read")
        return self._telephony_popup_data(self.env.user)

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _telephony_popup_data(self, user, full=True):
        """The screen-pop's content for ``user`` (T1, V3): the caller, their salesperson, open leads,
        next activities and last calls, and what the wrap-up needs. Without ``full``, only what changes
        after the ringing (state, owner, wrap-up): the popup keeps the rest."""
        self.ensure_one()
        # sudo: the popup shows the caller's card to the employee whose phone rings, whatever their rules;
        # in that employee's language, as the PBX's request has none
        call = self.sudo().with_context(lang=user.lang or self.env.lang)
        partner, lead = call.partner_id, call.lead_id
        states = dict(call._fields["state"]._description_selection(call.env))
        ended = call.state in ("done", "missed")
        data = {
            "id": call.id,
            "number": call.phone or "",
            "direction": call.direction,
            "state": call.state,
            "state_label": states.get(call.state),
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
        }
        if full or (ended and call.user_id == user):
            data["results"] = [{"id": r.id, "name": r.name} for r in call.env["crm.call.result"].search([])]
        if full:
            data.update(call._telephony_caller_card())
        return data

    def _telephony_caller_card(self):
        """The caller's company, salesperson, open leads, next activities and last calls."""
        call = self
        partner, lead = call.partner_id, call.lead_id
        commercial = partner.commercial_partner_id
        Lead = call.env["crm.lead"]
        open_leads = Lead.browse()
        if commercial:
            open_leads = Lead.search(
                [("partner_id", "child_of", commercial.id), ("probability", "<", 100)],
                limit=POPUP_LIST_LIMIT, order="priority desc, id desc",
            )
        if lead and lead not in open_leads and lead.active:
            open_leads = lead | open_leads
        records = [r for r in (partner, *open_leads) if r]
        activities = call.env["mail.activity"].search_read(
            ["|", "&", ("res_model", "=", "res.partner"), ("res_id", "in", partner.ids),
             "&", ("res_model", "=", "crm.lead"), ("res_id", "in", open_leads.ids)],
            ["summary", "activity_type_id", "date_deadline", "user_id", "res_model", "res_id"],
            limit=POPUP_LIST_LIMIT, order="date_deadline, id",
        ) if records else []
        past_domain = [("id", "!=", call.id), ("state", "not in", ("scheduled", "cancelled"))]
        if partner:
            past_domain.append(("partner_id", "child_of", commercial.id))
        elif lead:
            past_domain.append(("lead_id", "=", lead.id))
        elif call.phone_e164:
            past_domain.append(("phone_e164", "=", call.phone_e164))
        else:
            past_domain.append(("phone", "=", call.phone))
        # search_read: one query per list, no computed fields, the popup must be on screen within a second
        last_calls = call.search_read(past_domain, ["name", "start", "state", "duration", "user_id"],
                                      limit=POPUP_LIST_LIMIT, order="start desc, id desc")
        responsible = partner.user_id or lead.user_id
        states = dict(call._fields["state"]._description_selection(call.env))
        return {
            "company": commercial.name if commercial and commercial != partner else "",
            "responsible": responsible.name or "",
            "open_leads": [
                {"id": ol.id, "name": ol.name, "stage": ol.stage_id.name or ""} for ol in open_leads
            ],
            "activities": [
                {"id": a["id"], "summary": a["summary"] or (a["activity_type_id"] or [0, ""])[1],
                 "deadline": str(a["date_deadline"]), "user": (a["user_id"] or [0, ""])[1],
                 "res_model": a["res_model"], "res_id": a["res_id"]}
                for a in activities
            ],
            "last_calls": [
                {"id": c["id"], "name": c["name"] or "", "start": fields.Datetime.to_string(c["start"]),
                 "state": states.get(c["state"]), "duration": format_duration(c["duration"]),
                 "user": (c["user_id"] or [0, ""])[1]}
                for c in last_calls
            ],
        }
