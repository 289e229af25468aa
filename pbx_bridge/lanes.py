"""One lane per call: the work of one call runs in order, the calls side by side.

The tracker puts every piece of work of a call - its ARI events, the plan Odoo answered,
its reconciliation after a reconnection, a retry of its recording - on the call's lane,
keyed by the call's id. A lane runs its tasks one at a time, in the order they were
queued; different lanes run at the same time on a small pool of threads. So a call
whose ARI request, recording download or disk write is slow holds back its own later
events only, never another call's.
"""

import collections
import logging
import threading
import time

_logger = logging.getLogger(__name__)

# Threads that run lanes at most: that many calls may wait on a slow PBX at once before a
# further call waits for a free thread.
MAX_WORKERS = 64
# A thread with nothing to do for that long ends; the pool grows again with the work.
IDLE_SECONDS = 30.0


class Lanes:
    """Runs ``submit(key, task)`` tasks one at a time per key, in order, keys in parallel."""

    def __init__(self, name="lane", max_workers=MAX_WORKERS, idle_seconds=IDLE_SECONDS):
        self.name = name
        self.max_workers = max_workers
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._work_ready = threading.Condition(self._lock)  # idle threads wait here for a key
        self._drained = threading.Condition(self._lock)  # wait_idle waits here for the last key to finish
        self._queues = {}  # key -> tasks not started yet; present while the key has work queued or running
        self._ready = collections.deque()  # keys with work and no thread on them, oldest first
        self._workers = 0
        self._idle = 0
        self._stopping = False
        self._count = 0

    def submit(self, key, task, *args):
        """Queue ``task(*args)`` behind the other tasks of ``key``. False once the lanes are stopping."""
        with self._lock:
            if self._stopping:
                return False
            tasks = self._queues.get(key)
            if tasks is not None:
                tasks.append((task, args))
                return True
            self._queues[key] = collections.deque([(task, args)])
            self._ready.append(key)
            # Every key ready gets a thread of its own: an idle one, else a new one while the pool may grow.
            if self._idle < len(self._ready) and self._workers < self.max_workers:
                self._workers += 1
                self._count += 1
                threading.Thread(target=self._work, name=f"{self.name}-{self._count}", daemon=True).start()
            else:
                self._work_ready.notify()
            return True

    def busy_keys(self):
        """The keys with work queued or running."""
        with self._lock:
            return list(self._queues)

    def wait_idle(self, timeout=None):
        """Wait until no lane has work; True when none has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._queues:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._drained.wait(remaining)
            return True

    def stop(self, timeout=10.0):
        """Take no more work; let what is queued run for up to ``timeout`` seconds. True when all of it ran."""
        with self._lock:
            self._stopping = True
            self._work_ready.notify_all()
        return self.wait_idle(timeout)

    def _work(self):
        while True:
            with self._lock:
                while not self._ready:
                    if self._stopping:
                        self._workers -= 1
                        return
                    self._idle += 1
                    woken = self._work_ready.wait(self.idle_seconds)
                    self._idle -= 1
                    if not woken and not self._ready:
                        self._workers -= 1
                        return
                key = self._ready.popleft()
            self._drain(key)

    def _drain(self, key):
        """Run the tasks of ``key`` until it has none; a new task queued meanwhile runs on this thread too."""
        while True:
            with self._lock:
                tasks = self._queues[key]
                if not tasks:
                    del self._queues[key]
                    if not self._queues:
                        self._drained.notify_all()
                    return
                task, args = tasks.popleft()
            try:
                task(*args)
            except Exception:
                _logger.exception("work on %s failed; its lane goes on", key)
