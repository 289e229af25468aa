import logging

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import _, api, models, sql_db

from ..tools.call_state import summarize
from ..tools.event_schema import event_key, other_party

_logger = logging.getLogger(__name__)

AUDIO_EVENTS = ("recording", "voicemail")
RESULT_XMLIDS = {"no_answer": "call_logging.result_no_answer", "busy": "call_logging.result_busy"}
NOTIFY_RINGING = "call_telephony_bridge/ringing"
NOTIFY_UPDATE = "call_telephony_bridge/update"
# A concurrent worker that committed the same call first makes ours fail; it is then retried at once.
RETRIED_ERRORS = (pg_errors.SerializationFailure, pg_errors.UniqueViolation, pg_errors.DeadlockDetected)
MAX_ATTEMPTS = 5


class TelephonyCallLifecycle(models.AbstractModel):
    """The one writer of telephony state on ``crm.call``: turns the PBX's events into calls.

    Every event is applied at most once (``telephony.call.event`` keeps their keys), the
    events of one call id are applied one at a time (a transaction-level advisory lock
    keyed on the company and the call id), and the call's state is recomputed from all
    its events, so duplicates and events out of order give the same call.

    Callers run it as superuser with ``telephony_event`` in the context: the events API
    is authenticated by a line's token, not by a user, and call_logging lets only such
    an environment write the telephony states (ringing, missed) and the owner on answer.
    """

    _name = "telephony.call.lifecycle"
    _description = "Telephony Call Lifecycle"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def receive(self, line, event):
        """Apply ``event`` in the current transaction, which must be dedicated to it; answer (HTTP status, body).

        A conflict with a concurrent transaction on the same call rolls back and retries; any other
        failure rolls back everything the event wrote, so that no call is ever half-written.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._begin_read_committed()
            try:
                result = self.apply_event(line, event)
                self.env.flush_all()
                return 200, result
            except RETRIED_ERRORS:
                self.env.cr.rollback()
                if attempt == MAX_ATTEMPTS:
                    _logger.warning("telephony event %s of call %s: gave up after %s concurrent conflicts",
                                    event["event"], event["call_id"], attempt)
            except Exception:
                self.env.cr.rollback()
                _logger.exception("telephony event %s of call %s failed", event["event"], event["call_id"])
                return 500, {"error": "the event could not be applied"}
        return 503, {"error": "the call is busy; retry"}

    @api.model
    def apply_event(self, line, event):
        """Apply one parsed event (see ``tools.event_schema.parse_event``) received on ``line``.

        Returns ``{"call_id": id}``, with ``"duplicate": True`` when the event was already
        applied, or ``{"ignored": True}`` for a number on the line's exception list.
        """
        assert self.env.su and self.env.context.get("telephony_event"), "run by the events API only"
        # No "assigned to you" mail nor follower bookkeeping for every ring: the popup is the notification.
        self = self.with_context(mail_create_nosubscribe=True, mail_auto_subscribe_no_notify=True)
        line = line.with_env(self.env)
        if line._is_exception_number(other_party(event)):
            return {"ignored": True}
        company = line.company_id
        self.lock_call(company.id, event["call_id"])
        Event = self.env["telephony.call.event"]
        key = event_key(event)
        call = self._find_call(company, event["call_id"])
        if Event.search_count([("company_id", "=", company.id), ("event_key", "=", key)], limit=1):
            return {"call_id": call.id or None, "duplicate": True}
        if not call:
            call = self._create_call(line, event)
        Event.create({
            "company_id": company.id,
            "line_id": line.id,
            "call_id": call.id,
            "call_ref": event["call_id"],
            "event_key": key,
            "event": event["event"],
            "direction": event["direction"],
            "event_time": event["time"],
            "extension": event["extension"],
            "reason": event["reason"],
        })
        previous_state = call.state
        self._apply_state(call, line)
        if event["event"] in AUDIO_EVENTS:
            self._attach_audio(call, event)
        self._notify(call, event, previous_state)
        return {"call_id": call.id}

    def _begin_read_committed(self):
        """Start a fresh transaction that sees what other workers committed while it waited for the call's lock.

        Odoo's repeatable-read snapshot would be taken before the lock is granted, so a worker that
        waited would not see the call the other one just created. Only reads happened before (the
        token lookup), so nothing is lost. A test cursor shares the test's transaction: it stays as is.
        """
        self.env.cr.rollback()
        if isinstance(self.env.cr, sql_db.Cursor):
            self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    @api.model
    def lock_call(self, company_id, call_ref):
        """Hold, until the transaction ends, the lock that serializes the work on one PBX call."""
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (company_id, call_ref)
        )

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _find_call(self, company, call_ref):
        """The call of ``call_ref``, its row locked: a concurrent change not yet seen fails loudly."""
        self.env.cr.execute(
            """SELECT id FROM crm_call WHERE company_id = %s AND external_ref = %s
               FOR NO KEY UPDATE""",
            (company.id, call_ref),
        )
        row = self.env.cr.fetchone()
        return self.env["crm.call"].browse(row[0] if row else [])

    def _create_call(self, line, event):
        number = other_party(event)
        company = line.company_id
        who = self.env["crm.call"].identify_number(number, company_id=company.id)
        lead_id = who["lead_id"]
        if not (who["partner_id"] or lead_id) and line._creates_lead_for(event["direction"]):
            lead_id = self._create_lead(line, number, event).id
        owner = self._user_for_extension(event["extension"], company) or self.env["res.users"].browse(who["user_id"])
        # Telephony calls skip the creation log: the events tab tells their story.
        return self.env["crm.call"].with_context(mail_create_nolog=True, mail_notrack=True).create({
            "state": "ringing",
            "direction": event["direction"],
            "start": event["time"],
            "phone": number,
            "partner_id": who["partner_id"],
            "lead_id": lead_id,
            "caller_type": "lead" if lead_id and not who["partner_id"] else who["caller_type"],
            "user_id": owner.id,
            "external_ref": event["call_id"],
            "telephony_line_id": line.id,
            "company_id": company.id,
        })

    def _create_lead(self, line, number, event):
        """A lead for an unknown number (T2): "<number> - incoming call", with the line's source."""
        use_leads = self.env.ref("crm.group_use_lead") in self.env.ref("base.group_user").implied_ids
        owner = self._user_for_extension(event["extension"], line.company_id)
        return self.env["crm.lead"].with_context(mail_create_nolog=True).create({
            "name": _("%(number)s - incoming call", number=number),
            "type": "lead" if use_leads else "opportunity",
            "phone": number,
            "source_id": line.lead_source_id.id,
            "user_id": owner.id,
            "team_id": owner.sale_team_id.id,
            "company_id": line.company_id.id,
        })

    def _apply_state(self, call, line):
        events = self.env["telephony.call.event"].search_read(
            [("company_id", "=", call.company_id.id), ("call_ref", "=", call.external_ref)],
            ["event", "event_time", "extension", "reason"],
        )
        summary = summarize(
            [{"event": e["event"], "time": e["event_time"], "extension": e["extension"], "reason": e["reason"]}
             for e in events],
            call.direction,
        )
        vals = {
            "state": summary["state"],
            "start": summary["start"],
            "answered_at": summary["answered_at"],
            "duration": summary["duration"],
            "hold_duration": summary["hold_duration"],
            "hold_started_at": summary["hold_started_at"],
            "telephony_ended_at": summary["ended_at"],
            # Written on every event, so that a worker acting on an outdated snapshot fails and retries.
            "telephony_event_count": len(events),
        }
        owner = self._user_for_extension(summary["answer_extension"], call.company_id)
        if owner:
            vals["user_id"] = owner.id
            # T8: an inbound call answered by someone else than the lead's salesperson was forwarded to them.
            forwarded = call.direction == "inbound" and call.lead_id and call.lead_id.user_id != owner
            if line.reassign_to_answering_user and forwarded:
                call.lead_id.write({"user_id": owner.id})
        elif not call.user_id and summary["ring_extensions"]:
            vals["user_id"] = self._user_for_extension(summary["ring_extensions"][-1], call.company_id).id
        if summary["result"] and not call.result_id:
            vals["result_id"] = self.env.ref(RESULT_XMLIDS[summary["result"]]).id
        changed = {name: value for name, value in vals.items() if self._differs(call, name, value)}
        call.with_context(mail_notrack=True).write(changed)

    @staticmethod
    def _differs(call, name, value):
        current = call[name]
        if isinstance(current, models.BaseModel):
            current = current.id
        return (current or False) != (value or False)

    def _user_for_extension(self, extension, company):
        if not extension:
            return self.env["res.users"]
        return self.env["res.users"].search(
            [("telephony_extension", "=", extension), ("company_ids", "in", company.id), ("share", "=", False)],
            limit=1,
        )

    def _attach_audio(self, call, event):
        """Keep the recording or voicemail on the call and play it in the contact's and lead's history (T3, T7)."""
        audio = event["recording"]
        voicemail = event["event"] == "voicemail"
        attachment = self.env["ir.attachment"].create({
            "name": audio["name"],
            "raw": audio["data"],
            "mimetype": audio["content_type"],
            "res_model": "crm.call",
            "res_id": call.id,
        })
        call.write({"recording_id": attachment.id})
        if voicemail:
            body = _("Voicemail left by %(number)s during the call “%(call)s”.", number=call.phone, call=call.name)
        else:
            body = _("Recording of the call “%(call)s” with %(number)s.", call=call.name, number=call.phone)
        for record in (call, call.partner_id, call.lead_id):
            if not record:
                continue
            copy = attachment if record == call else attachment.copy({"res_model": record._name, "res_id": record.id})
            copy._set_voice_metadata()  # the chatter plays attachments with voice metadata inline
            record.message_post(
                body=Markup("<p>%s</p>") % body,
                attachment_ids=copy.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        if voicemail:
            self._schedule_callback(call)

    def _schedule_callback(self, call):
        """The voicemail's call-back activity (T7) goes to the person responsible for the caller: the lead's
        or the contact's (or its company's) salesperson; the call's owner only when nobody is responsible."""
        target = call.lead_id or call.partner_id or call
        responsible = call.lead_id.user_id or call.partner_id.user_id or call.partner_id.commercial_partner_id.user_id
        user = responsible or call.user_id
        if not user:
            return
        target.activity_schedule(
            "mail.mail_activity_data_call",
            summary=_("Call back %(number)s: voicemail", number=call.phone),
            note=_("Listen to the voicemail on the call “%s” and call back.", call.name),
            user_id=user.id,
        )

    def _notify(self, call, event, previous_state):
        """Pop the call up on the rung user's screens; tell everyone it rang for how it goes on (V3, K2)."""
        extension = event["extension"]
        company = call.company_id
        if event["event"] == "ringing" and extension and call.state == "ringing":
            user = self._user_for_extension(extension, company)
            if user:
                user._bus_send(NOTIFY_RINGING, call._telephony_popup_data(user))
            return
        if event["event"] in AUDIO_EVENTS or call.state == previous_state and event["event"] not in ("answered",):
            return
        rung = self.env["telephony.call.event"].search(
            [("company_id", "=", company.id), ("call_ref", "=", call.external_ref), ("extension", "!=", False)]
        ).mapped("extension")
        users = self.env["res.users"].search(
            [("telephony_extension", "in", rung), ("company_ids", "in", company.id), ("share", "=", False)]
        ) | call.user_id
        for user in users:
            user._bus_send(NOTIFY_UPDATE, call._telephony_popup_data(user, full=False))
