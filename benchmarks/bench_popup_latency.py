"""Benchmark of the screen-pop: from POSTing ``ringing`` to the bus notification on the agent's websocket.

Starts Odoo itself on a spare port against the database of ``bench_events_endpoint.py``,
logs in as the benchmark agent (extension 777) and keeps a real websocket open on Odoo's
bus, the way the agent's browser tab does. Then it posts ``ringing`` events for that
extension at ``--rate`` calls per second for ``--seconds``, and measures for each call the
time from the start of its POST to the arrival of its notification on the websocket.
Prints the median, the 99th percentile and the worst, and how many popups never came.

``--workers 2`` runs Odoo in multi-worker mode instead: the bus websocket is then served
by Odoo's gevent process, so the script puts Debian's nginx on loopback in front of it
(``/websocket`` to the gevent port, the rest to the HTTP workers), as a deployment does,
and talks to nginx only. Run from the project root::

    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    $VENV/bin/python benchmarks/bench_popup_latency.py                 # --workers 0, 20 calls/s, 20 s
    $VENV/bin/python benchmarks/bench_popup_latency.py --workers 2
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import websocket
from bench_events_endpoint import (
    AGENT_EXTENSION,
    AGENT_LOGIN,
    AGENT_PASSWORD,
    DB_NAME,
    TOKEN,
    OdooServer,
    event_body,
    percentile,
    prepare_database,
)

WEBSOCKET_VERSION = "18.0-5"
NGINX_CONF = """
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 30m;
        location /websocket {{
            proxy_pass http://127.0.0.1:{gevent_port};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 3600s;
        }}
        location / {{
            proxy_pass http://127.0.0.1:{http_port};
            proxy_set_header Host $host;
        }}
    }}
}}
"""


class Nginx:
    """Debian's nginx on loopback in front of a multi-worker Odoo (stopped by its own pid)."""

    def __init__(self, port, http_port, gevent_port):
        self.prefix = tempfile.mkdtemp(prefix="bench-nginx-")
        conf = Path(self.prefix) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(prefix=self.prefix, port=port, http_port=http_port,
                                          gevent_port=gevent_port))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen([nginx, "-c", str(conf), "-p", self.prefix],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/web/health", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not start: see " + self.prefix)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.prefix, ignore_errors=True)


def open_bus(base):
    """A websocket on Odoo's bus, logged in as the benchmark agent, subscribed to the agent's channels."""
    session = requests.Session()
    answer = session.post(base + "/web/session/authenticate", timeout=30, json={
        "jsonrpc": "2.0", "params": {"db": DB_NAME, "login": AGENT_LOGIN, "password": AGENT_PASSWORD}})
    if answer.json().get("error"):
        raise RuntimeError("the benchmark agent could not log in: " + json.dumps(answer.json()["error"]))
    ws_url = base.replace("http://", "ws://") + f"/websocket?version={WEBSOCKET_VERSION}"
    ws = websocket.create_connection(ws_url, cookie=f"session_id={session.cookies['session_id']}",
                                     origin=base, timeout=60)
    ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
    return ws


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--rate", type=float, default=20, help="calls per second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    prepare_database()
    gevent_port = args.port + 1 if args.workers else None
    server = OdooServer(args.port, workers=args.workers, gevent_port=gevent_port)
    proxy = Nginx(args.port - 1, args.port, gevent_port) if args.workers else None
    if gevent_port:
        deadline = time.monotonic() + 30
        while not requests.get(f"http://127.0.0.1:{args.port - 1}/websocket/health", timeout=5).ok:
            if time.monotonic() > deadline:
                raise RuntimeError("Odoo's gevent process does not answer behind nginx")
            time.sleep(0.3)
    base = f"http://127.0.0.1:{args.port - 1 if args.workers else args.port}"
    arrivals, sent, call_ids = {}, {}, {}
    stop = threading.Event()
    try:
        ws = open_bus(base)

        def listen():
            while not stop.is_set():
                try:
                    frame = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                except websocket.WebSocketConnectionClosedException:
                    return
                now = time.perf_counter()
                for notification in json.loads(frame) if frame else []:
                    message = notification.get("message", {})
                    if message.get("type") == "call_telephony_bridge/ringing":
                        arrivals.setdefault(message["payload"]["id"], now)

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        local = threading.local()

        def ring(call_ref):
            local.session = getattr(local, "session", None) or requests.Session()
            body = json.dumps(event_body(call_ref, "ringing", extension=AGENT_EXTENSION,
                                         number=f"+48 61 {uuid.uuid4().int % 10**7:07d}"))
            sent[call_ref] = time.perf_counter()
            response = local.session.post(base + "/telephony/v1/events", headers=headers, data=body, timeout=30)
            call_ids[call_ref] = response.json().get("call_id") if response.ok else None

        total = int(args.rate * args.seconds)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            for n in range(total):
                delay = started + n / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(ring, f"pop-{uuid.uuid4().hex}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len([c for c in call_ids.values() if c in arrivals]) < total:
            time.sleep(0.1)
        stop.set()
        ws.close()
    finally:
        if proxy:
            proxy.stop()
        server.stop()
    latencies = [(arrivals[cid] - sent[ref]) * 1000 for ref, cid in call_ids.items() if cid in arrivals]
    lost = total - len(latencies)
    mode = f"--workers {args.workers} behind nginx" if args.workers else "--workers 0"
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; Odoo {mode}; "
          f"{args.rate:.0f} calls/s for {args.seconds:.0f} s ({total} calls)")
    if latencies:
        print(f"ringing POST -> popup notification on the websocket: median {statistics.median(latencies):.1f} ms, "
              f"p99 {percentile(latencies, 0.99):.1f} ms, worst {max(latencies):.1f} ms; {lost} never arrived")
        p99 = percentile(latencies, 0.99)
        print(f"goal p99 <= 100 ms: {'met' if p99 <= 100 and not lost else 'NOT met'}")
    else:
        print(f"no popup notification arrived ({lost} calls)")


if __name__ == "__main__":
    main()
