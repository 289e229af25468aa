"""Odoo's side of the wire: post call events, ask where to route a call, take dial orders.

Delivery is strictly in spool order: the head event is retried with back-off
until Odoo takes it (2xx) or refuses it for good (4xx -> dead letter); only
then does the next one go. 5xx answers, time-outs and refused connections
are retried - for ever while Odoo itself is down, so that an outage, however
long, loses nothing. An event that keeps failing while Odoo works is given up
after ``give_up_after`` seconds (dead letter), so that it never holds its line
back: Odoo works when, in a request after that event's failures began, it
accepted another event of the same batch, or - the event having gone alone -
it answered the probe (an empty batch, which a working Odoo refuses with 400
after checking the token in its database). A batch whose other events all
failed too says Odoo is broken, not the event: nothing is given up.

When several events wait (Odoo was slow or away, or calls come fast), they go
in one request, a JSON array, which Odoo applies in order in one transaction
and answers event by event: a busy line is not held back by one request per
event. Each answer counts as it would alone; from the first one to be retried,
the rest of the batch stays in the spool and goes again (Odoo ignores the
copies it already has).
"""

import json
import logging
import threading

import requests

from .backoff import Backoff

_logger = logging.getLogger(__name__)


class OdooClient:
    """HTTP calls to Odoo's telephony endpoints, with the line's bearer token."""

    def __init__(self, base_url, token, timeout=10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def post_event(self, event):
        """POST one event; returns the HTTP status (raises requests exceptions on transport errors)."""
        response = self.session.post(f"{self.base_url}/telephony/v1/events", json=event, timeout=self.timeout)
        return response.status_code, response.text[:300]

    def post_events(self, events):
        """POST a batch; returns ``(HTTP status, [(status, text)] per event or None when the answer has none)``."""
        response = self.session.post(f"{self.base_url}/telephony/v1/events", json=events, timeout=self.timeout)
        try:
            results = response.json()["results"]
            answers = [(int(result["status"]), json.dumps(result)[:300]) for result in results]
        except (ValueError, KeyError, TypeError):
            return response.status_code, None
        return response.status_code, answers if len(answers) == len(events) else None

    def probe(self):
        """True when Odoo's events endpoint works: an empty batch is answered (refused) without a server error.
        That takes the web server, the database and the line's token."""
        try:
            response = self.session.post(f"{self.base_url}/telephony/v1/events", json=[], timeout=self.timeout)
        except requests.RequestException:
            return False
        return response.status_code < 500 and response.status_code != 401

    def route(self, caller, dialled, call_id, timeout=3.0):
        """Ask Odoo for the routing plan of an inbound call; None when Odoo cannot answer."""
        try:
            response = self.session.get(
                f"{self.base_url}/telephony/v1/route",
                params={"from": caller, "to": dialled, "call_id": call_id}, timeout=timeout,
            )
        except requests.RequestException as error:
            _logger.warning("route request for call %s failed: %s", call_id, type(error).__name__)
            return None
        if response.status_code != 200:
            _logger.warning("route request for call %s answered HTTP %s", call_id, response.status_code)
            return None
        try:
            plan = response.json()
        except ValueError:
            _logger.warning("route answer for call %s is not JSON", call_id)
            return None
        return plan if isinstance(plan, dict) else None

    def claim_dial_orders(self, claim_id, ari_connected, asterisk_version):
        """The click-to-dial calls to place now (``/telephony/v1/dial_orders/claim``), saying how the bridge is:
        ``(orders, None)``, or ``([], what went wrong)`` when Odoo did not answer with orders. ``claim_id``
        names the claim: asked again after a lost answer, Odoo hands out what that claim took."""
        try:
            response = self.session.post(
                f"{self.base_url}/telephony/v1/dial_orders/claim",
                json={"claim_id": claim_id, "ari_connected": ari_connected, "asterisk_version": asterisk_version},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            return [], type(error).__name__
        if response.status_code != 200:
            return [], f"HTTP {response.status_code}"
        try:
            orders = response.json()["orders"]
        except (ValueError, KeyError, TypeError):
            orders = None
        if not isinstance(orders, list):
            return [], "an answer that is not a list of orders"
        return orders, None

    def report_dial_failure(self, call_id, error):
        """Tell Odoo a claimed order could not be placed; True when Odoo took it (it gives the call back)."""
        try:
            response = self.session.post(f"{self.base_url}/telephony/v1/dial_orders/failed",
                                         json={"call_id": call_id, "error": error}, timeout=self.timeout)
        except requests.RequestException as exc:
            _logger.warning("the failure of dial order %s was not reported: %s", call_id, type(exc).__name__)
            return False
        if response.status_code != 200:
            _logger.warning("the failure of dial order %s was answered HTTP %s", call_id, response.status_code)
        return response.status_code == 200

    def browser_phones(self):
        """The SIP accounts of the phones in Odoo (``/telephony/v1/browser_phones``): ``(phones, None)``, or
        ``(None, what went wrong)``."""
        try:
            response = self.session.get(f"{self.base_url}/telephony/v1/browser_phones", timeout=self.timeout)
        except requests.RequestException as error:
            return None, type(error).__name__
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}"
        try:
            phones = response.json()["phones"]
        except (ValueError, KeyError, TypeError):
            phones = None
        if not isinstance(phones, list):
            return None, "an answer that is not a list of phones"
        return phones, None


class Deliverer:
    """The thread that drains the spool into Odoo, in order."""

    # A batch stays well under the 1 MB Odoo accepts for a body without audio.
    MAX_BATCH_EVENTS = 200
    MAX_BATCH_BYTES = 512 * 1024

    def __init__(self, spool, client, max_backoff=30.0, give_up_after=900.0):
        self.spool = spool
        self.client = client
        # Seconds an event may keep failing while Odoo works before it is given up; 0: never.
        self.give_up_after = give_up_after
        self.backoff = Backoff(cap=max_backoff)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="odoo-delivery", daemon=True)

    def start(self):
        """Start delivering in the background."""
        self._thread.start()

    def stop(self):
        """Stop after the current attempt."""
        self._stop.set()
        self.spool.wakeup.set()
        self._thread.join(15)

    def _run(self):
        while not self._stop.is_set():
            batch = self.spool.head_batch(self.MAX_BATCH_EVENTS, self.MAX_BATCH_BYTES)
            if not batch:
                self.spool.wakeup.wait(1.0)
                self.spool.wakeup.clear()
                continue
            if not (self.deliver(*batch[0]) if len(batch) == 1 else self.deliver_batch(batch)):
                delay = self.backoff.next_delay()
                _logger.info("Odoo unavailable; retrying in %.1f s (%d event(s) waiting)",
                             delay, self.spool.pending_count())
                self._stop.wait(delay)

    def deliver_batch(self, batch):
        """Try the waiting events in one request. True when they all left the spool."""
        seq, event = batch[0]
        try:
            status, answers = self.client.post_events([event for _seq, event in batch])
        except requests.RequestException as error:
            # The whole batch went unanswered: nothing says Odoo works.
            return self._transport_failed(seq, event, error, odoo_works=False)
        if status != 200 or answers is None:
            # An Odoo that takes no batches (or could not read this one): the head goes alone, as always.
            _logger.warning("a batch of %d events was answered HTTP %s; delivering one by one", len(batch), status)
            return self.deliver(seq, event)
        delivered = []
        answered = sum(status < 500 for status, _text in answers)
        for (seq, event), (status, text) in zip(batch, answers, strict=True):
            if 200 <= status < 300:
                delivered.append(seq)
                continue
            self.spool.ack_many(delivered)
            delivered = []
            # Odoo answered other events of this very request: it works, this event is what fails.
            if not self._settle(seq, event, status, text, odoo_works=answered > 0):
                return False
        self.spool.ack_many(delivered)
        self.backoff.reset()
        _logger.info("delivered a batch of %d events", len(batch))
        return True

    def deliver(self, seq, event):
        """Try one event. True when it left the spool (delivered or dead-lettered)."""
        try:
            status, text = self.client.post_event(event)
        except requests.RequestException as error:
            return self._transport_failed(seq, event, error)
        return self._settle(seq, event, status, text)

    def _transport_failed(self, seq, event, error, odoo_works=None):
        _logger.warning("event %s (%s of call %s) not delivered: %s",
                        event["event_id"], event["event"], event["call_id"], type(error).__name__)
        return self._failed(seq, event, None, type(error).__name__, odoo_works)

    def _failed(self, seq, event, status, error, odoo_works):
        """Note a failed attempt; give the event up when it has failed long enough while Odoo works
        (``odoo_works``: what the request itself showed, None when it showed nothing: ask the probe).
        True when the event left the spool."""
        failing_for = self.spool.note_failure(seq, error)
        if not self.give_up_after or failing_for < self.give_up_after:
            return False
        if odoo_works is None:
            if not self.client.probe():
                return False
            # Odoo answers the probe: one more try of the event itself, so that an outage ending between
            # the event's attempt and the probe is never a reason to give the event up.
            try:
                status, text = self.client.post_event(event)
            except requests.RequestException as retry_error:
                error = type(retry_error).__name__
            else:
                if status < 500:
                    return self._settle(seq, event, status, text)
                error = f"HTTP {status}"
        elif not odoo_works:
            return False
        self.spool.dead_letter(seq, status, f"given up after {failing_for:.0f} s of failures: {error}")
        _logger.error("gave up %s of call %s (%s) after %.0f s of failures (%s) while Odoo works: moved to dead "
                      "letters", event["event"], event["call_id"], event["event_id"], failing_for, error)
        self.backoff.reset()
        return True

    def _settle(self, seq, event, status, text, odoo_works=None):
        """Act on Odoo's answer to one event. True when the event left the spool."""
        if 200 <= status < 300:
            self.spool.ack(seq)
            self.backoff.reset()
            _logger.info("delivered %s of call %s (%s)", event["event"], event["call_id"], event["event_id"])
            return True
        if 400 <= status < 500:
            self.spool.dead_letter(seq, status, text)
            _logger.error("Odoo refused %s of call %s with HTTP %s: %s (moved to dead letters)",
                          event["event"], event["call_id"], status, text)
            return True
        _logger.warning("event %s of call %s: Odoo answered HTTP %s, will retry",
                        event["event"], event["call_id"], status)
        return self._failed(seq, event, status, f"HTTP {status}", odoo_works)
