"""Click-to-dial orders from Odoo: claimed in a loop, placed by the call tracker.

Odoo never talks to the PBX. A user's *Call* leaves a dial order in Odoo (the user's extension, the
number, the caller ID); this thread claims the orders of its line's company about twice a second,
saying with each claim how the bridge is (following ARI or not, the Asterisk version), which Odoo
shows in Settings > Telephony > Test Connection. A claim whose answer never came is asked again
under its id, so that Odoo hands out again what it took; the tracker places an order once. An
order claimed is the tracker's: it rings the user's phone, then the customer, and the call's events
go through the spool as any call's.
"""

import logging
import uuid

from .ari_client import AriError
from .periodic import PeriodicTask

_logger = logging.getLogger(__name__)


class DialOrderPoller(PeriodicTask):
    """The thread that claims dial orders, saying with each claim whether ARI is followed, and the PBX version."""

    failure = "claiming dial orders failed"

    def __init__(self, odoo, tracker, rest, ari_connected, interval=0.5):
        super().__init__("dial-orders", interval)
        self.odoo = odoo
        self.tracker = tracker
        self.rest = rest
        self.ari_connected = ari_connected  # an Event: set while the ARI events stream is open
        self.asterisk_version = None
        self.problem = None  # why the last claim failed, said once in the log (not twice a second)
        # The claim asked until Odoo's answer arrives: Odoo may have taken orders for one whose answer was lost.
        self.claim_id = uuid.uuid4().hex

    def poll(self):
        """One claim: the orders Odoo hands out are placed. Without ARI they fail at once, and Odoo says why."""
        connected = self.ari_connected.is_set()
        if not connected:
            self.asterisk_version = None  # read again after the reconnection: Asterisk may have been upgraded
        elif self.asterisk_version is None:
            self.asterisk_version = self._version()
        orders, problem = self.odoo.claim_dial_orders(self.claim_id, connected, self.asterisk_version)
        if problem is None:
            self.claim_id = uuid.uuid4().hex
        if problem != self.problem:
            if problem:
                _logger.warning("dial orders cannot be claimed from Odoo (%s); asking again", problem)
            else:
                _logger.info("dial orders are claimed from Odoo again")
            self.problem = problem
        for order in orders:
            self.tracker.place_order(order)

    def _version(self):
        try:
            return ((self.rest.asterisk_info() or {}).get("system") or {}).get("version")
        except (AriError, OSError, ValueError) as error:
            _logger.debug("Asterisk's version not read: %s", error)
            return None
