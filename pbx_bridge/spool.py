"""The durable spool: call events wait here, in order, until Odoo has them.

SQLite from the standard library, in WAL mode, one file in BRIDGE_SPOOL_DIR.
An event is written (and fsynced by SQLite) before anything tries to deliver
it, so a crash or a restart loses nothing; events that Odoo refuses for good
(4xx), or that keep failing while Odoo works (see ``odoo_client.Deliverer``),
move to the ``dead_letters`` table for a human to look at.
"""

import datetime
import json
import os
import sqlite3
import threading
import uuid

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    spooled_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    failing_since TEXT
);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    failed_at TEXT NOT NULL
);
"""


def _now():
    return datetime.datetime.now(datetime.UTC).isoformat()


def open_database(directory, filename, synchronous, schema):
    """A SQLite file of the bridge in WAL mode, shared by its threads (callers hold their own lock)."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, filename)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.executescript(schema)
    return path, db


class Spool:
    """An ordered, durable queue of call events (thread-safe)."""

    FILENAME = "events.sqlite3"

    def __init__(self, directory):
        self._lock = threading.Lock()
        self.path, self._db = open_database(directory, self.FILENAME, "FULL", SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(events)")}
        if "failing_since" not in columns:  # a spool written by an older bridge
            self._db.execute("ALTER TABLE events ADD COLUMN failing_since TEXT")
        self.wakeup = threading.Event()

    def append(self, event):
        """Store an event, giving it its ``event_id`` (kept across every retry)."""
        event = dict(event)
        event.setdefault("event_id", str(uuid.uuid4()))
        with self._lock:
            self._db.execute(
                "INSERT INTO events (event_id, body, spooled_at) VALUES (?, ?, ?)",
                (event["event_id"], json.dumps(event, separators=(",", ":")), _now()),
            )
        self.wakeup.set()
        return event["event_id"]

    def head_batch(self, max_events, max_bytes):
        """The oldest undelivered events as ``[(seq, event)]``: at most ``max_events`` of them whose bodies
        together stay under ``max_bytes``; an event larger than that (a recording) comes alone."""
        with self._lock:
            rows = self._db.execute("SELECT seq, body FROM events ORDER BY seq LIMIT ?", (max_events,)).fetchall()
        batch, size = [], 0
        for seq, body in rows:
            size += len(body)
            if batch and size > max_bytes:
                break
            batch.append((seq, json.loads(body)))
        return batch

    def ack(self, seq):
        """Odoo has the event: forget it."""
        with self._lock:
            self._db.execute("DELETE FROM events WHERE seq = ?", (seq,))

    def ack_many(self, seqs):
        """Odoo has these events: forget them, in one transaction."""
        if not seqs:
            return
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM events WHERE seq = ?", [(seq,) for seq in seqs])

    def note_failure(self, seq, error):
        """Count a failed attempt that will be retried; return how many seconds the event has been failing
        (since its first failed attempt, across restarts)."""
        now = _now()
        with self._lock:
            self._db.execute(
                "UPDATE events SET attempts = attempts + 1, last_error = ?, failing_since = COALESCE(failing_since, ?)"
                " WHERE seq = ?", (error, now, seq))
            row = self._db.execute("SELECT failing_since FROM events WHERE seq = ?", (seq,)).fetchone()
        if not row:
            return 0.0
        since = datetime.datetime.fromisoformat(row[0])
        return (datetime.datetime.fromisoformat(now) - since).total_seconds()

    def dead_letter(self, seq, status, error):
        """Odoo refused the event for good: move it aside and go on with the next."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO dead_letters (seq, event_id, body, status, error, failed_at) "
                "SELECT seq, event_id, body, ?, ?, ? FROM events WHERE seq = ?",
                (status, error, _now(), seq),
            )
            self._db.execute("DELETE FROM events WHERE seq = ?", (seq,))

    def pending_count(self):
        """How many events wait for delivery."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def dead_letters(self):
        """The refused events, oldest first, as dicts."""
        with self._lock:
            rows = self._db.execute("SELECT body, status, error FROM dead_letters ORDER BY seq").fetchall()
        return [{"event": json.loads(b), "status": s, "error": e} for b, s, e in rows]

    def close(self):
        """Close the database file."""
        with self._lock:
            self._db.close()
