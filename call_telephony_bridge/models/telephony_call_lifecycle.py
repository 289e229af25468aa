import logging
from dataclasses import dataclass

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models, sql_db
from odoo.addons.call_logging.tools.trust import HISTORY_DEFERRED
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.call_state import summarize
from ..tools.event_schema import AUDIO_EVENTS, derive_reason, event_key, other_party

_logger = logging.getLogger(__name__)

RESULT_XMLIDS = {
    "no_answer": "call_logging.result_no_answer",
    "busy": "call_logging.result_busy",
    "not_connected": "call_telephony_bridge.result_not_connected",
}
NOTIFY_RINGING = "call_telephony_bridge/ringing"
NOTIFY_UPDATE = "call_telephony_bridge/update"
# A concurrent worker that committed the same call first makes ours fail; it is then retried at once.
RETRIED_ERRORS = (pg_errors.SerializationFailure, pg_errors.UniqueViolation, pg_errors.DeadlockDetected)
MAX_ATTEMPTS = 5


@dataclass
class _Known:
    """The calls (PBX id -> crm.call id), their events (PBX id -> [event]) and the (PBX id, event key) pairs
    already applied of a batch, kept up to date as it goes; and the decisions their routes made (PBX id ->
    ``telephony.route.decision._recall`` entry)."""

    calls: dict
    history: dict
    applied: set
    routes: dict


class _HistoryFailed(Exception):
    """Writing the history notes a batch deferred failed."""


class _EventFailed(Exception):
    """The event at ``index`` of a batch failed for a reason other than a concurrent conflict."""

    def __init__(self, index):
        super().__init__(index)
        self.index = index


class TelephonyCallLifecycle(models.AbstractModel):
    """The one writer of telephony state on ``crm.call``: turns the PBX's events into calls.

    Every event is applied at most once (``telephony.call.event`` keeps their keys), the
    events of one call id are applied one at a time (a transaction-level advisory lock
    keyed on the company and the call id), and the call's state is recomputed from all
    its events, so duplicates and events out of order give the same call.

    Callers run it in superuser mode: the events API is authenticated by a line's token, not by a
    user. It writes calls only through ``crm.call._telephony_create`` and ``_telephony_write``, which
    refuse any other caller and any field the phone system does not report, and lift for those only
    the rules of what users may enter (the telephony states, the lock of closed calls, the owner on
    answer). Its entry points are private (not callable over RPC) and check their caller.
    """

    _name = "telephony.call.lifecycle"
    _description = "Telephony Call Lifecycle"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _receive(self, line, event):
        """Apply ``event`` in the current transaction, which must be dedicated to it; answer (HTTP status, body).

        A conflict with a concurrent transaction on the same call rolls back and retries; any other
        failure rolls back everything the event wrote, so that no call is ever half-written.
        """
        [answer] = self._receive_batch(line, [event])
        return answer

    @api.model
    def _receive_batch(self, line, events):
        """Apply ``events`` in order in the current transaction, which must be dedicated to them; answer
        one (HTTP status, body) per event.

        One transaction for many events is what lets a busy line go fast: the commit, the bus
        notifications and the statistics queue are paid once. The calls of the batch are locked up
        front in a fixed order, so two batches never wait on each other crosswise. An event that fails
        answers 500 and the batch is replayed without it, so that nothing it wrote stays.
        """
        self._check_caller(line)
        failed = {}
        attempt = 0
        deferred = True
        while attempt < MAX_ATTEMPTS:
            attempt += 1
            self._begin_read_committed()
            answers = dict(failed)
            try:
                pending = [e for i, e in enumerate(events) if i not in failed]
                self._lock_calls(line, pending)
                known = self._known(line, pending)
                # The history notes of the calls the batch closes are written together at its end.
                lifecycle = self.with_context(call_history_deferred=HISTORY_DEFERRED if deferred else False)
                for index, event in enumerate(events):
                    if index not in failed:
                        answers[index] = lifecycle._apply_one(line, event, index, known)
                if deferred:
                    lifecycle._post_history_notes()
                return [answers[index] for index in range(len(events))]
            except RETRIED_ERRORS:
                self.env.cr.rollback()
                if attempt == MAX_ATTEMPTS:
                    _logger.warning("telephony events of line %s: gave up after %s concurrent conflicts",
                                    line.id, attempt)
            except _EventFailed as failure:
                self.env.cr.rollback()
                failed[failure.index] = (500, {"error": "the event could not be applied"})
                attempt -= 1  # a replay without the failed event is not a conflict
            except _HistoryFailed:
                self.env.cr.rollback()
                deferred = False  # replayed with each call's notes written at once, so a failure finds its event
                attempt -= 1
        busy = (503, {"error": "the call is busy; retry"})
        return [failed.get(index, busy) for index in range(len(events))]

    def _post_history_notes(self):
        """The history notes of the calls the batch closed, written together (far cheaper than one by one)."""
        try:
            self.env["crm.call"]._post_deferred_customer_history()
            self.env.flush_all()
        except RETRIED_ERRORS:
            raise
        except Exception as exc:
            _logger.exception("telephony events: the history notes of a batch could not be written")
            raise _HistoryFailed() from exc

    def _apply_one(self, line, event, index, known):
        try:
            result = self._apply_event(line, event, known)
            self.env.flush_all()
        except RETRIED_ERRORS:
            raise
        except Exception as exc:
            _logger.exception("telephony event %s of call %s failed", event["event"], event["call_id"])
            raise _EventFailed(index) from exc
        return 200, result

    @api.model
    def _apply_event(self, line, event, known=None):
        """Apply one parsed event (see ``tools.event_schema.parse_event``) received on ``line``.

        Returns ``{"call_id": id}``, with ``"duplicate": True`` when the event was already
        applied, or ``{"ignored": True}`` for a number on the line's exception list.
        ``known``: what ``_known`` gave for a batch whose calls are locked already.
        """
        self._check_caller(line)
        # No "assigned to you" mail nor follower bookkeeping for every ring: the popup is the notification.
        self = self.with_context(mail_create_nosubscribe=True, mail_auto_subscribe_no_notify=True)
        line = line.with_env(self.env)
        company = line.company_id
        if known is None:
            self._lock_call(company.id, event["call_id"])
            known = self._known(line, [event])
        # The route decided who calls and checked the exception list; only a call it never saw is checked here.
        decided = self._route_decision(event, known)
        if not decided and line._is_exception_number(other_party(event)):
            return {"ignored": True}
        key = event_key(event)
        call = self.env["crm.call"].browse(known.calls.get(event["call_id"], []))
        if (event["call_id"], key) in known.applied:
            return {"call_id": call.id or None, "duplicate": True}
        # The call is recomputed from all its events: the ones before and this one (summarize orders them).
        events = known.history.setdefault(event["call_id"], [])
        event = dict(event, reason=derive_reason(event, events))
        events.append({"event": event["event"], "time": event["time"], "extension": event["extension"],
                       "reason": event["reason"], "leg": event["leg"]})
        summary = summarize(events, call.direction if call else event["direction"],
                            placed_at=call.telephony_dialled_at or None)
        previous_state = call.state
        if not call:
            call = self._create_call(line, event, summary, decided)
            known.calls[event["call_id"]] = call.id
        self.env["telephony.call.event"]._record({
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
            "leg": event["leg"],
        })
        known.applied.add((event["call_id"], key))
        self._apply_state(call, line, summary, len(events))
        if event["event"] in AUDIO_EVENTS:
            self._attach_audio(call, event)
        extensions = {e["extension"] for e in events if e["extension"]}
        self._notify(call, event, previous_state, extensions)
        return {"call_id": call.id}

    def _check_caller(self, line):
        """The phone system's entry points serve superuser code (the events endpoint, having authenticated the
        line by its token) and the one line the events came on; anything else is a wrong caller."""
        if not self.env.su:
            raise AccessError(_("Only the phone system applies call events."))
        if not (isinstance(line, models.BaseModel) and line._name == "telephony.line" and len(line) == 1):
            raise AccessError(_("Call events are applied for the one phone line they came on."))

    def _begin_read_committed(self):
        """Start a fresh transaction that sees what other workers committed while it waited for the call's lock.

        Odoo's repeatable-read snapshot would be taken before the lock is granted, so a worker that
        waited would not see the call the other one just created. Only reads happened before (the
        token lookup), so nothing is lost. A test cursor shares the test's transaction: it stays as is.
        """
        self.env.cr.rollback()
        if isinstance(self.env.cr, sql_db.Cursor):
            self.env.cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))

    def _lock_calls(self, line, events):
        """Take the locks of all the calls of a batch at once, in the order every transaction takes them."""
        company_id = line.with_env(self.env).company_id.id
        for call_ref in sorted({event["call_id"] for event in events}):
            self._lock_call(company_id, call_ref)

    @api.model
    def _lock_call(self, company_id, call_ref):
        """Hold, until the transaction ends, the lock that serializes the work on one PBX call."""
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", company_id, call_ref))

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _known(self, line, events):
        """What the database holds of these events' calls - their ids (rows locked: a concurrent change not yet
        seen fails loudly) and the event keys already applied - read once for a batch."""
        company = line.with_env(self.env).company_id
        company_id = company.id
        self.env["telephony.call.event"].flush_model()
        self.env.cr.execute(SQL(
            """SELECT external_ref, id FROM crm_call WHERE company_id = %s AND external_ref = ANY(%s)
               FOR NO KEY UPDATE""",
            company_id, sorted({event["call_id"] for event in events}),
        ))
        calls = dict(self.env.cr.fetchall())
        self.env.cr.execute(SQL(
            """SELECT call_ref, event_key FROM telephony_call_event
                WHERE company_id = %s AND call_ref = ANY(%s) AND event_key = ANY(%s)""",
            company_id, sorted({event["call_id"] for event in events}), sorted({event_key(event) for event in events}),
        ))
        applied = set(self.env.cr.fetchall())
        history = self.env["telephony.call.event"]._history(company_id, list(calls))
        routes = self.env["telephony.route.decision"]._recall(line, {event["call_id"] for event in events})
        if len(events) > 1:
            # Read the batch's calls and people in a few queries rather than one record at a time.
            self.env["crm.call"].browse(calls.values()).mapped("partner_id.name")
            users = self.env["res.users"].browse(
                {self._user_for_extension(event["extension"], company).id for event in events} - {False})
            users.mapped("partner_id.lang")
        return _Known(calls=calls, history=history, applied=applied, routes=routes)

    @staticmethod
    def _route_decision(event, known):
        """What the route decided for the event's call, when it was decided for this caller: an inbound call
        from the number the route was asked for."""
        decision = known.routes.get(event["call_id"])
        if decision and event["direction"] == "inbound" and decision["phone"] == event["from"]:
            return decision
        return None

    def _create_call(self, line, event, summary, decided=None):
        number = other_party(event)
        company = line.company_id
        # The caller was identified when the route was asked; a call routed without Odoo is identified now.
        who = decided or self.env["crm.call"].identify_number(number, company_id=company.id)
        lead_id = who["lead_id"]
        if not (who["partner_id"] or lead_id) and line._creates_lead_for(event["direction"]):
            lead_id = self._create_lead(line, number, event).id
        owner = self._user_for_extension(event["extension"], company) or self.env["res.users"].browse(who["user_id"])
        # Telephony calls skip the chatter's creation log, tracking and followers: the events tab tells their story.
        return self.env["crm.call"].with_context(tracking_disable=True)._telephony_create({
            **self._summary_vals(summary, 1),
            "direction": event["direction"],
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
        """A lead for an unknown number: "<number> - incoming call", with the line's source."""
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

    def _apply_state(self, call, line, summary, event_count):
        """Bring the call to what all its events (``summary``) say."""
        vals = self._summary_vals(summary, event_count)
        owner = self._user_for_extension(summary["answer_extension"], call.company_id)
        if owner:
            vals["user_id"] = owner.id
            # An inbound call answered by someone else than the lead's salesperson was forwarded to them.
            forwarded = call.direction == "inbound" and call.lead_id and call.lead_id.user_id != owner
            if line.reassign_to_answering_user and forwarded:
                call.lead_id.write({"user_id": owner.id})
        elif not call.user_id and summary["ring_extensions"]:
            vals["user_id"] = self._user_for_extension(summary["ring_extensions"][-1], call.company_id).id
        if summary["result"] and not call.result_id:
            vals["result_id"] = self.env.ref(RESULT_XMLIDS[summary["result"]]).id
        changed = {name: value for name, value in vals.items() if self._differs(call, name, value)}
        if changed:
            call.with_context(tracking_disable=True)._telephony_write(changed)

    @staticmethod
    def _summary_vals(summary, event_count):
        return {
            "state": summary["state"],
            "start": summary["start"],
            "answered_at": summary["answered_at"],
            "duration": summary["duration"],
            "hold_duration": summary["hold_duration"],
            "hold_started_at": summary["hold_started_at"],
            "telephony_ended_at": summary["ended_at"],
            "telephony_duration": summary["exact_duration"],
            "telephony_hold_duration": summary["exact_hold_duration"],
            "telephony_ring_duration": summary["exact_ring_duration"],
            "telephony_end_reason": summary["end_reason"],
            # Written on every event, so that a worker acting on an outdated snapshot fails and retries.
            "telephony_event_count": event_count,
        }

    @staticmethod
    def _differs(call, name, value):
        current = call[name]
        if isinstance(current, models.BaseModel):
            current = current.id
        return (current or False) != (value or False)

    def _user_for_extension(self, extension, company):
        return self.env["res.users"]._telephony_user_for_extension(extension, company.id)

    def _attach_audio(self, call, event):
        """Keep the recording or voicemail on the call and play it in the contact's and lead's history."""
        audio = event["recording"]
        voicemail = event["event"] == "voicemail"
        attachment = self.env["ir.attachment"].create({
            "name": audio["name"],
            "raw": audio["data"],
            "mimetype": audio["content_type"],
            "res_model": "crm.call",
            "res_id": call.id,
        })
        call._telephony_write({"recording_id": attachment.id})
        if voicemail:
            body = _("Voicemail left by %(number)s during the call “%(call)s”.", number=call.phone, call=call.name)
        else:
            body = _("Recording of the call “%(call)s” with %(number)s.", call=call.name, number=call.phone)
        attachment._set_voice_metadata()  # the chatter plays attachments with voice metadata inline
        # One attachment, kept on the call: shown in the contact's and lead's history too, it is served only
        # to those who may read the call (ir.attachment checks the call's rules), never through a copy.
        for record in (call, call.partner_id, call.lead_id):
            if not record:
                continue
            record.message_post(
                body=Markup("<p>%s</p>") % body,
                attachment_ids=attachment.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        if voicemail:
            self._schedule_callback(call)

    def _schedule_callback(self, call):
        """One open call-back per customer for their voicemails, named after the person: on the contact, else
        the lead, else the call of a caller known by number only. Another voicemail updates it (count, latest call,
        due today) rather than adding a second one. It goes to the person responsible for the caller - the lead's or
        the contact's (or its company's) salesperson - or to the call's owner when nobody is; the call it names
        shows in that person's day plan (Missed column, with the voicemail's player)."""
        responsible = call.lead_id.user_id or call.partner_id.user_id or call.partner_id.commercial_partner_id.user_id
        user = responsible or call.user_id
        if not user:
            return
        callback = self._open_callback(call)
        who = self._person_to_call_back(call)
        if callback:
            count = callback.callback_count + 1
            callback.write({
                "summary": _("Call back %(who)s: %(count)s voicemails", who=who, count=count),
                "note": _("Listen to the latest voicemail on the call “%s” and call back.", call.name),
                "callback_call_id": call.id,
                "callback_count": count,
                "date_deadline": fields.Date.context_today(callback),
            })
            return
        (call.partner_id or call.lead_id or call).activity_schedule(
            "mail.mail_activity_data_call",
            summary=_("Call back %(who)s: voicemail", who=who),
            note=_("Listen to the voicemail on the call “%s” and call back.", call.name),
            user_id=user.id,
            callback_call_id=call.id,
        )

    @staticmethod
    def _person_to_call_back(call):
        """The person's own name (not "Company, Person"): the contact, else the lead's contact, else the number."""
        lead = call.lead_id
        return call.partner_id.name or lead.contact_name or lead.partner_name or lead.name or call.phone or ""

    def _open_callback(self, call):
        """The open voicemail call-back of the call's customer: the contact's, else the lead's, else the one of an
        earlier call from the same number with nobody known."""
        target = call.partner_id or call.lead_id
        call_type = self.env.ref("mail.mail_activity_data_call")
        domain = [("callback_call_id", "!=", False), ("activity_type_id", "=", call_type.id)]
        if target:
            domain += [("res_model", "=", target._name), ("res_id", "=", target.id)]
        elif call.phone_e164:
            domain += [("res_model", "=", "crm.call"), ("callback_call_id.phone_e164", "=", call.phone_e164),
                       ("callback_call_id.partner_id", "=", False), ("callback_call_id.lead_id", "=", False)]
        else:
            return self.env["mail.activity"]
        return self.env["mail.activity"].search(domain, order="id desc", limit=1)

    def _notify(self, call, event, previous_state, extensions):
        """Pop the call up on the rung user's screens; tell everyone it rang (at ``extensions``) how it goes on."""
        extension = event["extension"]
        company = call.company_id
        if event["event"] == "ringing" and extension and call.state == "ringing":
            user = self._user_for_extension(extension, company)
            if user:
                user._bus_send(NOTIFY_RINGING, call._telephony_popup_data(user))
            return
        if event["event"] in AUDIO_EVENTS or call.state == previous_state and event["event"] not in ("answered",):
            return
        users = self.env["res.users"].browse(
            {self._user_for_extension(extension, company).id for extension in extensions} - {False}
        ) | call.user_id
        for user in users:
            user._bus_send(NOTIFY_UPDATE, call._telephony_popup_data(user, full=False))
