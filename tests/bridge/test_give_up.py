"""One event that keeps failing never holds its line back for ever, and an Odoo that is down loses nothing."""

import logging
import sqlite3
import time

from pbx_bridge.config import load_settings
from pbx_bridge.odoo_client import Deliverer, OdooClient
from pbx_bridge.spool import Spool

from .conftest import TOKEN, wait_for

CUSTOMER = "+48221234567"


def _event(n, call_id="c-1"):
    return {"event": "ringing", "call_id": call_id, "direction": "inbound", "from": CUSTOMER, "to": "100",
            "extension": str(n), "time": "2026-11-24T18:31:24.654+00:00"}


def _deliverer(spool, odoo, give_up_after):
    return Deliverer(spool, OdooClient(odoo.url, TOKEN, timeout=1), max_backoff=0.2, give_up_after=give_up_after)


def test_an_event_failing_while_odoo_takes_the_others_is_given_up_and_the_rest_flows(odoo, tmp_path, caplog):
    spool = Spool(str(tmp_path))
    ids = [spool.append(_event(n)) for n in range(4)]
    odoo.fail_ids = {ids[0]}
    deliverer = _deliverer(spool, odoo, give_up_after=1.0)
    with caplog.at_level(logging.INFO, logger="pbx_bridge"):
        deliverer.start()
        try:
            wait_for(lambda: spool.pending_count() == 0, timeout=10)
        finally:
            deliverer.stop()
    assert [d["event"]["event_id"] for d in spool.dead_letters()] == [ids[0]]
    assert spool.dead_letters()[0]["status"] == 500
    assert "given up" in spool.dead_letters()[0]["error"]
    assert [e["event_id"] for e in odoo.events] == ids[1:]
    given_up = [r.getMessage() for r in caplog.records if "gave up" in r.getMessage()]
    assert len(given_up) == 1 and ids[0] in given_up[0]
    assert not any(TOKEN in r.getMessage() or CUSTOMER in r.getMessage() for r in caplog.records)


def test_an_event_failing_alone_is_given_up_once_the_probe_shows_odoo_works(odoo, tmp_path):
    spool = Spool(str(tmp_path))
    poisoned = spool.append(_event(0))
    odoo.fail_ids = {poisoned}
    deliverer = _deliverer(spool, odoo, give_up_after=1.0)
    started = time.monotonic()
    deliverer.start()
    try:
        wait_for(lambda: spool.dead_letters(), timeout=10)
    finally:
        deliverer.stop()
    assert time.monotonic() - started >= 1.0
    assert spool.pending_count() == 0 and odoo.events == []


def test_odoo_down_for_long_gives_nothing_up(odoo, tmp_path):
    odoo.mode = "error"
    spool = Spool(str(tmp_path))
    ids = [spool.append(_event(n)) for n in range(3)]
    deliverer = _deliverer(spool, odoo, give_up_after=0.5)
    deliverer.start()
    try:
        # Six times the bound: every request (events and probes) fails, so nothing says the event is to blame.
        time.sleep(3)
        assert spool.dead_letters() == [] and spool.pending_count() == 3
        assert odoo.attempts >= 5
        odoo.mode = "ok"
        wait_for(lambda: spool.pending_count() == 0)
    finally:
        deliverer.stop()
    assert [e["event_id"] for e in odoo.events] == ids
    assert spool.dead_letters() == []


def test_a_batch_whose_events_all_fail_gives_nothing_up(odoo, tmp_path):
    spool = Spool(str(tmp_path))
    ids = [spool.append(_event(n)) for n in range(3)]
    odoo.fail_ids = set(ids)  # Odoo answers, but applies nothing: it is broken, not one event
    deliverer = _deliverer(spool, odoo, give_up_after=0.5)
    deliverer.start()
    try:
        time.sleep(2.5)
        assert spool.dead_letters() == [] and spool.pending_count() == 3
        odoo.fail_ids = set()
        wait_for(lambda: spool.pending_count() == 0)
    finally:
        deliverer.stop()
    assert [e["event_id"] for e in odoo.events] == ids


def test_the_failing_time_survives_a_restart_and_zero_never_gives_up(odoo, tmp_path):
    spool = Spool(str(tmp_path))
    poisoned = spool.append(_event(0))
    spool.append(_event(1))
    odoo.fail_ids = {poisoned}
    never = _deliverer(spool, odoo, give_up_after=0)
    never.start()
    try:
        time.sleep(1.5)
        assert spool.dead_letters() == [] and spool.pending_count() >= 1
    finally:
        never.stop()
    spool.close()
    # A restarted bridge counts from the first failure, not from its own start.
    spool = Spool(str(tmp_path))
    deliverer = _deliverer(spool, odoo, give_up_after=1.0)
    started = time.monotonic()
    deliverer.start()
    try:
        wait_for(lambda: spool.dead_letters(), timeout=10)
    finally:
        deliverer.stop()
    assert time.monotonic() - started < 1.0
    assert [d["event"]["event_id"] for d in spool.dead_letters()] == [poisoned]


def test_a_spool_of_an_older_bridge_is_read(tmp_path):
    db = sqlite3.connect(str(tmp_path / Spool.FILENAME))
    db.executescript("""CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL, spooled_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);""")
    db.close()
    spool = Spool(str(tmp_path))
    seq = spool.head_batch(1, 1000) or None
    assert seq is None
    spool.append(_event(0))
    [(seq, _body)] = spool.head_batch(1, 100000)
    assert spool.note_failure(seq, "HTTP 500") == 0.0


def test_the_bound_is_a_setting():
    assert load_settings([], {}).give_up_after == 900
    assert load_settings([], {"BRIDGE_GIVE_UP_AFTER": "60"}).give_up_after == 60
    assert load_settings(["--give-up-after", "0"], {}).give_up_after == 0


def test_an_outage_that_ends_between_the_events_attempt_and_the_probe_gives_nothing_up(odoo, tmp_path):
    spool = Spool(str(tmp_path))
    seq_id = spool.append(_event(0))
    deliverer = _deliverer(spool, odoo, give_up_after=0.01)
    odoo.mode = "error"
    deliverer.deliver(*spool.head_batch(1, 10_000)[0])  # fails: Odoo is down
    time.sleep(0.05)
    original_probe = deliverer.client.probe

    def probe_as_odoo_comes_back():
        odoo.mode = "ok"  # Odoo is back just after the event's attempt, just before the probe
        return original_probe()

    deliverer.client.probe = probe_as_odoo_comes_back
    odoo.mode = "error"
    assert deliverer.deliver(*spool.head_batch(1, 10_000)[0]) is True
    assert spool.dead_letters() == [] and spool.pending_count() == 0
    assert [e["event_id"] for e in odoo.events] == [seq_id]
