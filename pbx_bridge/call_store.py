"""The calls the bridge is following, kept on disk so that a restart picks them up again.

Asterisk keeps a call's channels and bridges when the bridge process dies (crash, SIGTERM,
deployment), but it does not replay the events: without this the new process would not know
which channels belong to which call, and calls in flight would stay open in Odoo for ever.
One row per open call (its snapshot as JSON), written at every change, removed once the call
is closed and its recordings are delivered. SQLite from the standard library, beside the spool.
"""

import json
import threading

from .spool import open_database

SCHEMA = "CREATE TABLE IF NOT EXISTS calls (call_id TEXT PRIMARY KEY, snapshot TEXT NOT NULL)"


class CallStore:
    """Snapshots of open calls by ``call_id`` (thread-safe)."""

    FILENAME = "calls.sqlite3"

    def __init__(self, directory):
        self._lock = threading.Lock()
        # A snapshot must survive the bridge's own death (kill -9, SIGTERM), which WAL without an fsync
        # per write already gives; only a crash of the whole machine may lose the last ones, and then
        # the calls died with it. The events themselves stay fsynced in the spool.
        self.path, self._db = open_database(directory, self.FILENAME, "NORMAL", SCHEMA)

    def save(self, call_id, snapshot):
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO calls (call_id, snapshot) VALUES (?, ?)",
                             (call_id, json.dumps(snapshot)))

    def delete(self, call_id):
        with self._lock:
            self._db.execute("DELETE FROM calls WHERE call_id = ?", (call_id,))

    def load(self):
        """Every stored snapshot; a row that no longer parses is dropped rather than stopping the start."""
        with self._lock:
            rows = self._db.execute("SELECT call_id, snapshot FROM calls").fetchall()
        snapshots = []
        for call_id, text in rows:
            try:
                snapshots.append(json.loads(text))
            except ValueError:
                self.delete(call_id)
        return snapshots

    def close(self):
        with self._lock:
            self._db.close()
