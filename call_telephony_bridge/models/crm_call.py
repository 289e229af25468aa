import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.call_logging.models.crm_call import LIVE_STATES
from odoo.addons.call_logging.tools.call_duration import format_duration
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

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
            data["results"] = call.env["crm.call.result"]._telephony_choices()
        if full:
            data.update(call._telephony_caller_card(states))
        return data

    def _telephony_caller_card(self, states):
        """The caller's company, salesperson, open leads, next activities and last calls (``states``: the labels
        of the call states, in the reader's language).

        Read with parameterized queries rather than ORM searches: the card is built for every ringing
        call, and the searches' overhead was most of its cost. It is shown whatever the rung user's
        rules (see _telephony_popup_data), so there is no record rule the queries would skip."""
        partner, lead = self.partner_id, self.lead_id
        commercial = partner.commercial_partner_id
        lang = self.env.lang or "en_US"
        self.env.flush_all()
        open_leads = self.env.execute_query_dict(SQL(
            """SELECT l.id, l.name, COALESCE(s.name->>%s, s.name->>'en_US', '') AS stage
                 FROM crm_lead l
                 JOIN res_partner p ON p.id = l.partner_id
                 LEFT JOIN crm_stage s ON s.id = l.stage_id
                WHERE p.commercial_partner_id = %s AND l.active AND (l.probability < 100 OR l.probability IS NULL)
                ORDER BY l.priority DESC, l.id DESC
                LIMIT %s""",
            lang, commercial.id, POPUP_LIST_LIMIT,
        )) if commercial else []
        if lead and lead.active and lead.id not in {row["id"] for row in open_leads}:
            open_leads.insert(0, {"id": lead.id, "name": lead.name, "stage": lead.stage_id.name or ""})
        lead_ids = [row["id"] for row in open_leads]
        activities = self.env.execute_query_dict(SQL(
            """SELECT a.id, COALESCE(NULLIF(a.summary, ''), t.name->>%s, t.name->>'en_US', '') AS summary,
                      a.date_deadline, COALESCE(up.name, '') AS "user", a.res_model, a.res_id
                 FROM mail_activity a
                 LEFT JOIN mail_activity_type t ON t.id = a.activity_type_id
                 LEFT JOIN res_users u ON u.id = a.user_id
                 LEFT JOIN res_partner up ON up.id = u.partner_id
                WHERE a.active AND ((a.res_model = 'res.partner' AND a.res_id = ANY(%s))
                                    OR (a.res_model = 'crm.lead' AND a.res_id = ANY(%s)))
                ORDER BY a.date_deadline, a.id
                LIMIT %s""",
            lang, partner.ids, lead_ids, POPUP_LIST_LIMIT,
        )) if partner or lead_ids else []
        if partner:
            same_caller = SQL("c.commercial_partner_id = %s", commercial.id)  # the company and its people
        elif lead:
            same_caller = SQL("c.lead_id = %s", lead.id)
        elif self.phone_e164:
            same_caller = SQL("c.phone_e164 = %s", self.phone_e164)
        else:
            same_caller = SQL("c.phone = %s", self.phone or "")
        last_calls = self.env.execute_query_dict(SQL(
            """SELECT c.id, COALESCE(c.name, '') AS name, c.start, c.state, c.duration, COALESCE(up.name, '') AS "user"
                 FROM crm_call c
                 LEFT JOIN res_users u ON u.id = c.user_id
                 LEFT JOIN res_partner up ON up.id = u.partner_id
                WHERE %s AND c.id != %s AND c.state NOT IN ('scheduled', 'cancelled')
                ORDER BY c.start DESC, c.id DESC
                LIMIT %s""",
            same_caller, self.id, POPUP_LIST_LIMIT,
        ))
        responsible = partner.user_id or lead.user_id
        for activity in activities:
            activity["deadline"] = str(activity.pop("date_deadline"))
        for past in last_calls:
            # "live": still going on when the card was read; the popup lists finished calls only
            past.update(start=fields.Datetime.to_string(past["start"]), live=past["state"] in LIVE_STATES,
                        state=states.get(past["state"]), duration=format_duration(past["duration"]))
        return {
            "company": commercial.name if commercial and commercial != partner else "",
            "responsible": responsible.name or "",
            "open_leads": open_leads,
            "activities": activities,
            "last_calls": last_calls,
        }
