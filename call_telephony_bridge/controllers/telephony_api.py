import logging
import uuid

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..tools.event_schema import (
    AUDIO_EVENTS,
    MAX_AUDIO_BODY_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BODY_BYTES,
    MAX_ID_LENGTH,
    MAX_NUMBER_LENGTH,
    EventError,
    decode_json,
    has_control,
    parse_event,
    split_batch,
)

_logger = logging.getLogger(__name__)
# A claim carries the bridge's health, a failure one call id and a sentence: a few kilobytes at most.
MAX_ORDER_BODY_BYTES = 4096


def _error(status, message):
    return request.make_json_response({"error": message}, status=status)


class TelephonyApi(http.Controller):
    """The PBX bridge's way in: call events, routing questions and dial orders, authenticated by a line's
    bearer token."""

    def _line_from_token(self):
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return request.env["telephony.line"]
        return request.env["telephony.line"]._find_by_token(token.strip())

    def _unauthorized(self):
        response = _error(401, "missing or wrong bearer token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="telephony"'
        return response

    def _read_body(self):
        """The raw body, or None when it is larger than any event may be."""
        length = request.httprequest.content_length
        if length is not None and length > MAX_AUDIO_BODY_BYTES:
            return None
        data = request.httprequest.get_data(cache=False)
        return None if len(data) > MAX_AUDIO_BODY_BYTES else data

    @http.route("/telephony/v1/events", type="http", auth="none", methods=["POST"], csrf=False, save_session=False,
                readonly=False)
    def post_event(self):
        """Apply one call event, or a JSON array of them in order (see the README for the schema)."""
        line = self._line_from_token()
        if not line:
            return self._unauthorized()
        raw = self._read_body()
        if raw is None:
            return _error(413, f"the body is larger than {MAX_AUDIO_BODY_BYTES} bytes")
        try:
            body = decode_json(raw)
        except (UnicodeDecodeError, ValueError):
            return _error(400, "the body is not valid JSON")
        except RecursionError:
            # Nested deeper than the decoder goes: no event, but a batch may still hold good ones.
            body = split_batch(raw.decode("utf-8", "replace"))
            if body is None:
                return _error(400, "the body is not valid JSON")
        if isinstance(body, list):
            return self._post_batch(line, body, len(raw))
        try:
            event = parse_event(body)
        except EventError as exc:
            return _error(400, str(exc))
        if event["event"] not in AUDIO_EVENTS and len(raw) > MAX_BODY_BYTES:
            return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        status, result = self._lifecycle(line)._receive(line, event)
        return request.make_json_response(result, status=status)

    def _post_batch(self, line, bodies, size):
        """A batch answers 200 with one result per event, in order, each with its own status: a malformed
        event is refused alone (400), the others are applied."""
        if not bodies:
            return _error(400, "the batch is empty")
        if len(bodies) > MAX_BATCH_EVENTS:
            return _error(413, f"a batch holds at most {MAX_BATCH_EVENTS} events")
        results, events = [None] * len(bodies), {}
        for index, body in enumerate(bodies):
            try:
                if isinstance(body, EventError):
                    raise body
                events[index] = parse_event(body)
            except EventError as exc:
                results[index] = {"status": 400, "error": str(exc)}
        if size > MAX_BODY_BYTES and not any(e["event"] in AUDIO_EVENTS for e in events.values()):
            return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        if events:
            answers = self._lifecycle(line)._receive_batch(line, list(events.values()))
            for index, (status, result) in zip(events, answers, strict=True):
                results[index] = {"status": status, **result}
        return request.make_json_response({"results": results})

    def _lifecycle(self, line):
        # The lifecycle writes calls through crm.call's phone-system methods only (see TelephonyCallLifecycle);
        # what the PBX creates (lead names, activities, messages) is in the company's language.
        return self._phone_system_env(line)["telephony.call.lifecycle"]

    # Not read-only: the decision is kept for the call's events (telephony.route.decision).
    @http.route("/telephony/v1/route", type="http", auth="none", methods=["GET"], csrf=False, save_session=False,
                readonly=False)
    def get_route(self, **params):
        """Where the PBX should ring an inbound call (see the README for the schema)."""
        line = self._line_from_token()
        if not line:
            return self._unauthorized()
        from_number = params.get("from") or ""
        to_number = params.get("to") or ""
        if not isinstance(from_number, str) or max(len(from_number), len(to_number)) > MAX_NUMBER_LENGTH:
            return _error(400, "from and to must be phone numbers")
        # An id that could not name a call's events is not one: the route is answered, and nothing kept.
        call_id = params.get("call_id")
        if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > MAX_ID_LENGTH or has_control(call_id):
            call_id = None
        # Superuser: routing reads contacts and users on behalf of the authenticated line, not of a user.
        context = dict(request.env.context, allowed_company_ids=[line.company_id.id])
        env = request.env(user=SUPERUSER_ID, context=context)
        plan = env["telephony.router"]._route(line, from_number, to_number, call_ref=call_id and call_id.strip())
        return request.make_json_response(plan)

    @http.route("/telephony/v1/dial_orders/claim", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)
    def claim_dial_orders(self):
        """The click-to-dial calls the bridge should place now, each handed to one bridge only; the bridge says
        how it is with each claim (see the README for the schema)."""
        line = self._line_from_token()
        if not line:
            return self._unauthorized()
        body = self._small_json_object()
        if body is None:
            return _error(400, "the body must be a JSON object")
        claim_ref = body.get("claim_id")
        if claim_ref is None:
            claim_ref = uuid.uuid4().hex  # a bridge that does not name its claims cannot ask for one again
        elif not (isinstance(claim_ref, str) and claim_ref and len(claim_ref) <= MAX_ID_LENGTH
                  and not has_control(claim_ref)):
            return _error(400, "field claim_id must be a short id")
        env = self._phone_system_env(line)
        line = line.with_env(env)
        line._note_bridge_health(body.get("ari_connected") is True, body.get("asterisk_version"))
        return request.make_json_response({"orders": env["telephony.dial.order"]._claim(line, claim_ref)})

    @http.route("/telephony/v1/dial_orders/failed", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)
    def dial_order_failed(self):
        """The bridge could not place a call it claimed: Odoo gives the call back and tells its user."""
        line = self._line_from_token()
        if not line:
            return self._unauthorized()
        body = self._small_json_object()
        call_id = body and body.get("call_id")
        error = body and body.get("error")
        if not isinstance(call_id, str) or not call_id or len(call_id) > MAX_ID_LENGTH or has_control(call_id):
            return _error(400, "field call_id must be the id of a claimed order")
        if not isinstance(error, str) or not error.strip():
            return _error(400, "field error must say what went wrong")
        env = self._phone_system_env(line)
        if not env["telephony.dial.order"]._report_failure(line.with_env(env), call_id, error.strip()[:300]):
            return _error(404, "this line claimed no such order")
        return request.make_json_response({"call_id": call_id})

    @http.route("/telephony/v1/browser_phones", type="http", auth="none", methods=["GET"], csrf=False,
                save_session=False, readonly=True)
    def browser_phones(self):
        """The phones in Odoo the line's PBX must know: one SIP account per user whose calls ring in the browser
        (see the README). Their passwords are in it: only a line's bridge, on the PBX's side, asks."""
        line = self._line_from_token()
        if not line:
            return self._unauthorized()
        phones = self._phone_system_env(line)["res.users"]._telephony_browser_phones(line.company_id)
        return request.make_json_response({"phones": phones})

    def _small_json_object(self):
        """The body as a JSON object when it is one of at most a few kilobytes, else None; no body is {}."""
        length = request.httprequest.content_length
        if length is not None and length > MAX_ORDER_BODY_BYTES:
            return None
        raw = request.httprequest.get_data(cache=False)
        if not raw.strip():
            return {}
        if len(raw) > MAX_ORDER_BODY_BYTES:
            return None
        try:
            body = decode_json(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        return body if isinstance(body, dict) else None

    def _phone_system_env(self, line):
        # Superuser: the caller is the bridge of a line authenticated by its token, not a user; dial orders are
        # handed out for that line's company only. In the company's language: the users read what is said.
        context = dict(request.env.context, allowed_company_ids=[line.company_id.id])
        # sudo: no user is logged in; the line authenticated by its token names its company
        context["lang"] = line.sudo().company_id.partner_id.lang or context.get("lang")
        return request.env(user=SUPERUSER_ID, context=context)
