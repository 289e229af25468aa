"""Odoo's side of the wire: post call events, ask where to route a call.

Delivery is strictly in spool order: the head event is retried with back-off
until Odoo takes it (2xx) or refuses it for good (4xx -> dead letter); only
then does the next one go. 5xx answers, time-outs and refused connections
are retried for ever, never dropped.
"""

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


class Deliverer:
    """The thread that drains the spool into Odoo, in order."""

    def __init__(self, spool, client, max_backoff=30.0):
        self.spool = spool
        self.client = client
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
            head = self.spool.head()
            if head is None:
                self.spool.wakeup.wait(1.0)
                self.spool.wakeup.clear()
                continue
            if not self.deliver(*head):
                delay = self.backoff.next_delay()
                _logger.info("Odoo unavailable; retrying in %.1f s (%d event(s) waiting)",
                             delay, self.spool.pending_count())
                self._stop.wait(delay)

    def deliver(self, seq, event):
        """Try one event. True when it left the spool (delivered or dead-lettered)."""
        try:
            status, text = self.client.post_event(event)
        except requests.RequestException as error:
            self.spool.note_failure(seq, type(error).__name__)
            _logger.warning("event %s (%s of call %s) not delivered: %s",
                            event["event_id"], event["event"], event["call_id"], type(error).__name__)
            return False
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
        self.spool.note_failure(seq, f"HTTP {status}")
        _logger.warning("event %s of call %s: Odoo answered HTTP %s, will retry",
                        event["event"], event["call_id"], status)
        return False
