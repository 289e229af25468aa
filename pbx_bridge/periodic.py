"""A piece of the bridge's work done again and again on a thread of its own (dial orders, browser phones)."""

import logging
import threading

_logger = logging.getLogger(__name__)


class PeriodicTask:
    """Calls ``poll()`` every ``interval`` seconds on a daemon thread named ``name``, from ``start()`` until
    ``stop()``; a round that raises is logged with ``failure`` and the next one comes as planned. With
    ``wait_first``, the first round waits one interval too."""

    failure = "periodic work failed"

    def __init__(self, name, interval, wait_first=True):
        self.interval = interval
        self.wait_first = wait_first
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def poll(self):
        raise NotImplementedError

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(15)

    def _run(self):
        if self.wait_first and self._stop.wait(self.interval):
            return
        while True:
            try:
                self.poll()
            except Exception:
                _logger.exception(self.failure)
            if self._stop.wait(self.interval):
                return
