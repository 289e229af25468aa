"""The bridge assembled: spool, Odoo delivery, ARI REST, call tracker, events stream, dial orders."""

import logging
import threading

from .ari_client import AriRest, EventStream
from .browser_phones import BrowserPhoneProvisioner
from .call_store import CallStore
from .call_tracker import CallTracker
from .dial_orders import DialOrderPoller
from .odoo_client import Deliverer, OdooClient
from .spool import Spool

_logger = logging.getLogger(__name__)
TICK_SECONDS = 10.0


class Bridge:
    """One running bridge process; ``start()`` returns at once, ``stop()`` winds down."""

    def __init__(self, settings):
        self.settings = settings
        self.spool = Spool(settings.spool_dir)
        self.odoo = OdooClient(settings.odoo_url, settings.telephony_token, settings.http_timeout)
        self.deliverer = Deliverer(self.spool, self.odoo, settings.max_backoff, settings.give_up_after)
        self.rest = AriRest(settings.ari_url, settings.ari_user, settings.ari_password, settings.ari_app)
        self.store = CallStore(settings.spool_dir)
        self.tracker = CallTracker(settings, self.rest, self.odoo, self.spool, self.store)
        self.stopped = False
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="tracker-tick", daemon=True)
        self.events = EventStream(
            settings.ari_url, settings.ari_user, settings.ari_password, settings.ari_app,
            on_event=self.tracker.handle, on_connect=self._connected, max_backoff=settings.max_backoff,
        )
        self.dial_orders = DialOrderPoller(self.odoo, self.tracker, self.rest, self.events.connected,
                                           settings.dial_poll_seconds)
        self.browser_phones = (
            BrowserPhoneProvisioner(self.odoo, self.rest, settings.browser_phones_file, settings.browser_phones_seconds)
            if settings.browser_phones_file else None)

    def _connected(self, first, lost_at=None):
        self.tracker.reconcile(first_connection=first, lost_at=lost_at)

    def _tick(self):
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tracker.tick()
            except Exception:
                _logger.exception("periodic call work failed")

    def start(self):
        """Start delivering the spool and following ARI."""
        pending = self.spool.pending_count()
        _logger.info("bridge starting: ARI %s app %s, Odoo %s, spool %s (%d event(s) pending)",
                     self.settings.ari_url, self.settings.ari_app, self.settings.odoo_url, self.spool.path, pending)
        self.deliverer.start()
        self.events.start()
        self._ticker.start()
        if self.settings.dial_poll_seconds:
            self.dial_orders.start()
        if self.browser_phones:
            self.browser_phones.start()
        return self

    def stop(self):
        """Stop following ARI, then stop delivering; undelivered events stay in the spool."""
        if self.stopped:
            return
        self.stopped = True
        self._stop.set()
        self.dial_orders.stop()
        if self.browser_phones:
            self.browser_phones.stop()
        self.events.stop()
        # What the calls' lanes still have (a hangup to post, a recording to fetch) is done, within bounds.
        self.tracker.stop()
        self.deliverer.stop()
        # Calls in flight stay on the PBX and in the store: the next start follows them again.
        self.store.close()
        self.spool.close()
        _logger.info("bridge stopped")
