"""Nothing is lost and nothing crashes: Odoo down, bridge killed, ARI gone, garbage on the wire."""

import base64
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import requests

from pbx_bridge.ari_client import EventStream
from pbx_bridge.odoo_client import Deliverer, OdooClient
from pbx_bridge.spool import Spool

from .conftest import ARI_PASSWORD, ARI_USER, TOKEN, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _event(n, call_id="c-1"):
    return {"event": "ringing", "call_id": call_id, "direction": "inbound", "from": "+4822", "to": "100",
            "extension": str(n), "time": "2026-11-24T18:31:24.654+00:00"}


def test_events_wait_while_odoo_fails_then_arrive_in_order(odoo, tmp_path):
    odoo.mode = "error"
    spool = Spool(str(tmp_path))
    deliverer = Deliverer(spool, OdooClient(odoo.url, TOKEN, timeout=1), max_backoff=0.3)
    for n in range(5):
        spool.append(_event(n))
    deliverer.start()
    try:
        wait_for(lambda: odoo.attempts >= 3)
        assert odoo.events == [] and spool.pending_count() == 5
        odoo.mode = "ok"
        wait_for(lambda: len(odoo.events) == 5)
        assert [e["extension"] for e in odoo.events] == ["0", "1", "2", "3", "4"]
        # The bridge forgets the events once it has read Odoo's answer, a moment after Odoo stored them.
        wait_for(lambda: spool.pending_count() == 0)
    finally:
        deliverer.stop()


def test_waiting_events_go_in_one_request_and_each_answer_counts_alone(odoo, tmp_path):
    odoo.mode = "error"
    spool = Spool(str(tmp_path))
    ids = [spool.append(_event(n)) for n in range(5)]
    odoo.refuse_ids, odoo.fail_ids = {ids[1]}, {ids[3]}
    deliverer = Deliverer(spool, OdooClient(odoo.url, TOKEN, timeout=1), max_backoff=0.3)
    deliverer.start()
    try:
        wait_for(lambda: odoo.attempts >= 2)
        odoo.mode = "ok"
        # The refused event goes to the dead letters; from the failed one on, the events wait and go again
        # (Odoo applied the last one already and ignores its copy).
        wait_for(lambda: odoo.batch_sizes and spool.pending_count() == 2)
        assert odoo.batch_sizes[0] == 5
        assert [e["extension"] for e in odoo.events] == ["0", "2", "4"]
        assert [d["event"]["event_id"] for d in spool.dead_letters()] == [ids[1]]
        odoo.fail_ids = set()
        wait_for(lambda: spool.pending_count() == 0)
        assert [e["extension"] for e in odoo.events] == ["0", "2", "4", "3"]
    finally:
        deliverer.stop()


def test_an_odoo_that_takes_no_batches_gets_the_events_one_by_one(odoo, tmp_path):
    odoo.mode = "no_batches"
    spool = Spool(str(tmp_path))
    for n in range(3):
        spool.append(_event(n))
    deliverer = Deliverer(spool, OdooClient(odoo.url, TOKEN, timeout=1), max_backoff=0.3)
    deliverer.start()
    try:
        wait_for(lambda: spool.pending_count() == 0)
        assert [e["extension"] for e in odoo.events] == ["0", "1", "2"]
        assert spool.dead_letters() == []
    finally:
        deliverer.stop()


def test_a_batch_stays_under_its_size_and_a_recording_goes_alone(tmp_path):
    spool = Spool(str(tmp_path))
    for n in range(3):
        spool.append(_event(n))
    spool.append(dict(_event(9), event="recording", recording={"data_base64": "A" * 4000}))
    spool.append(_event(10))
    assert [e["extension"] for _seq, e in spool.head_batch(10, 2000)] == ["0", "1", "2"]
    spool.ack_many([seq for seq, _e in spool.head_batch(3, 2000)])
    assert [e["extension"] for _seq, e in spool.head_batch(10, 2000)] == ["9"]


def test_odoo_that_does_not_answer_in_time_gets_the_event_again_without_duplicates(odoo, tmp_path):
    spool = Spool(str(tmp_path))
    first_id = spool.append(_event(1))
    spool.append(_event(2))
    odoo.mode = "hang"
    deliverer = Deliverer(spool, OdooClient(odoo.url, TOKEN, timeout=0.5), max_backoff=0.3)
    deliverer.start()
    try:
        wait_for(lambda: odoo.attempts >= 2)
        odoo.mode = "ok"
        wait_for(lambda: spool.pending_count() == 0)
        # The same event delivered twice keeps its event_id, so Odoo can ignore the second copy.
        deliverer.client.post_event(dict(spool_event := _event(1), event_id=first_id))
        assert spool_event["call_id"] == "c-1"
        assert [e["event_id"] for e in odoo.events].count(first_id) == 1
        assert [e["extension"] for e in odoo.events] == ["1", "2"]
    finally:
        deliverer.stop()


def test_event_odoo_refuses_goes_to_dead_letters_and_the_rest_still_flows(odoo, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    odoo.mode = "reject"
    spool = Spool(str(tmp_path))
    spool.append(_event(1))
    deliverer = Deliverer(spool, OdooClient(odoo.url, TOKEN, timeout=1), max_backoff=0.3)
    deliverer.start()
    try:
        wait_for(lambda: len(spool.dead_letters()) == 1)
        odoo.mode = "ok"
        spool.append(_event(2))
        wait_for(lambda: len(odoo.events) == 1)
        assert odoo.events[0]["extension"] == "2"
        assert spool.dead_letters()[0]["status"] == 400
    finally:
        deliverer.stop()
    assert "HTTP 400" in caplog.text
    assert TOKEN not in caplog.text


def test_spooled_events_survive_a_killed_bridge_and_are_delivered_after_restart(sim, odoo, tmp_path):
    odoo.mode = "error"
    spool_dir = tmp_path / "spool"
    env = dict(os.environ, PYTHONPATH=ROOT, ARI_URL=sim.url, ARI_USER=ARI_USER, ARI_PASSWORD=ARI_PASSWORD,
               ARI_APP="odoo", ODOO_URL=odoo.url, TELEPHONY_TOKEN=TOKEN, BRIDGE_SPOOL_DIR=str(spool_dir),
               BRIDGE_MAX_BACKOFF="0.5", LOG_LEVEL="DEBUG")
    log = tmp_path / "bridge.log"

    def start():
        return subprocess.Popen([sys.executable, "-m", "pbx_bridge"], env=env, cwd=ROOT,
                                stderr=open(log, "ab"), stdout=subprocess.DEVNULL)

    process = start()
    try:
        wait_for(lambda: sim.engine.subscribers, timeout=10)
        scenario = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.3)
        call_id = sim.caller_channel(scenario["id"])
        sim.wait_call(scenario["id"])
        wait_for(lambda: Spool(str(spool_dir)).pending_count() == 3)
        process.send_signal(signal.SIGKILL)
        process.wait(5)
        assert odoo.events == []
        odoo.mode = "ok"
        process = start()
        wait_for(lambda: len(odoo.of(call_id)) == 3, timeout=15)
        assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    text = log.read_text()
    assert "delivered" in text
    assert TOKEN not in text and ARI_PASSWORD not in text


def test_call_that_ends_while_ari_is_unreachable_still_gets_its_hangup(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.INFO)
    bridge = make_bridge()
    scenario = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.5)
    call_id = sim.caller_channel(scenario["id"])
    odoo.wait_event(call_id, "answered")
    requests.post(f"{sim.url}/sim/disconnect", params={"refuse": 1.5}, timeout=5)
    wait_for(lambda: not bridge.events.connected.is_set())
    # The agent's leg stays up until the reconnected bridge sees the caller is gone and hangs it up.
    sim.wait_call(scenario["id"])
    hangup = odoo.wait_event(call_id, "hangup", timeout=15)
    assert hangup["reason"] == "answered"
    wait_for(bridge.events.connected.is_set)
    assert f"call {call_id} ended while the bridge was not listening" in caplog.text


def test_garbage_on_the_events_websocket_is_skipped_and_calls_still_work(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.WARNING)
    make_bridge()
    requests.post(f"{sim.url}/sim/inject", json=[
        "this is not json", "[1, 2, 3]", '{"no_type": true}', '{"type": "StasisStart"}',
        '{"type": "Dial", "peer": {}}', '{"type": "ChannelDestroyed", "channel": null}',
        '{"type": "SomethingNew", "channel": {"id": "x"}}', '{"type": "StasisStart", "channel": {"id": "z"}, '
        '"args": ["agent"]}',
    ], timeout=5).raise_for_status()
    time.sleep(0.3)
    scenario = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.3)
    call_id = sim.caller_channel(scenario["id"])
    odoo.wait_event(call_id, "hangup")
    assert odoo.kinds(call_id) == ["ringing", "answered", "hangup"]
    assert "not JSON" in caplog.text and "malformed" in caplog.text


def test_secrets_never_reach_the_logs(sim, odoo, make_bridge, caplog):
    caplog.set_level(logging.DEBUG)
    odoo.route = 503
    bridge = make_bridge(default_extensions=("101",))
    odoo.mode = "error"
    scenario = sim.start_call(preset="answered", agents={"101": 0.2}, talk=0.3)
    sim.wait_call(scenario["id"])
    wait_for(lambda: odoo.attempts >= 2)
    requests.post(f"{sim.url}/sim/disconnect", params={"refuse": 0.5}, timeout=5)
    wait_for(lambda: not bridge.events.connected.is_set())
    wait_for(bridge.events.connected.is_set)
    odoo.mode = "ok"
    wait_for(lambda: bridge.spool.pending_count() == 0)
    assert "reconnected" in caplog.text
    assert TOKEN not in caplog.text
    assert ARI_PASSWORD not in caplog.text


def _silent_websocket_server():
    """A WebSocket server that accepts one connection and then says nothing, not even to a closing handshake."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []

    def serve():
        connection, _address = listener.accept()
        request = connection.recv(4096).decode()
        key = next(line.split(":", 1)[1].strip() for line in request.split("\r\n")
                   if line.lower().startswith("sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        held.append(connection)

    threading.Thread(target=serve, daemon=True).start()
    return listener, held


def test_the_bridge_stops_at_once_when_the_pbx_ignores_the_closing_handshake():
    listener, held = _silent_websocket_server()
    port = listener.getsockname()[1]
    stream = EventStream(f"http://127.0.0.1:{port}", "user", "secret", "odoo", on_event=lambda event: None,
                         on_connect=lambda first, lost_at: None)
    stream.start()
    assert stream.connected.wait(5)
    started = time.monotonic()
    stream.stop()
    assert time.monotonic() - started < 2, "no wait on the reader's lock or on the PBX's answer"
    assert not stream._thread.is_alive()
    for connection in held:
        connection.close()
    listener.close()
