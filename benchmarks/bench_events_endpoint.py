"""Benchmark of the telephony events endpoint: sustained events per second on one Odoo worker.

Starts Odoo itself (``--workers 0``: one process, the threaded server) on a spare port
against a database of its own (``calls_bench_tel``, made once from the test template or
from scratch, with ``call_telephony_bridge`` installed), then

1. posts a trivial request (``/web/webclient/version_info``) for ``--seconds`` from
   ``--clients`` threads: the baseline of Odoo's own request cost on this machine;
2. posts whole calls (``ringing``, ``answered``, ``hangup``, each a separate request, in
   order per call) from the same number of threads for the same time;
3. posts the same calls in batches, as the bridge does when events wait in its spool: each
   request carries ``--batch`` events - the ringing of new calls, the answer of the calls
   of the previous request and the hangup of those of the one before. At a few hundred
   events a second a request takes a few hundred milliseconds, and that many events pile
   up in the bridge's spool meanwhile: 90 is what a line sees at the goal's rate;

4. fills a real bridge spool (``pbx_bridge.spool``) with the events of ``--backlog`` calls, in
   the order a PBX would report them, and times the bridge's own delivery thread draining it
   into Odoo: the production path, batches made by the bridge itself;

and prints events per second, the median and 99th percentile request latency, and the
ratio of both to the baseline. Run from the project root::

    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    $VENV/bin/python benchmarks/bench_events_endpoint.py            # 20 s per phase, 2 clients (2 lines)
    $VENV/bin/python benchmarks/bench_events_endpoint.py --seconds 5 --clients 8 --batch 30

``bench_popup_latency.py`` reuses this file's server helpers.
"""

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_common import addons_path, percentile

from pbx_bridge.odoo_client import Deliverer, OdooClient
from pbx_bridge.spool import Spool

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo18"))
CACHE_DIR = Path(os.environ.get("CALLS_CACHE_DIR", Path.home() / ".cache" / "odoo-calls"))
DATA_DIR = CACHE_DIR / "data"
DB_NAME = "calls_bench_tel"
TOKEN = "bench-line-token-0123456789abcdef0123456789"
AGENT_LOGIN = AGENT_PASSWORD = "bench_agent"
AGENT_EXTENSION = "777"
CUSTOMER_NUMBER = "+48 22 765 43 21"
# Calls are spread over a call centre's agents and customers, as a real line's would be.
AGENTS = 40
CUSTOMERS = 50


def agent_extension(n):
    return str(7000 + n % AGENTS)


def customer_number(n):
    return f"+48 22 765 {n % CUSTOMERS // 10:02d} {n % 10}0"


def odoo_command(*args, subcommand=()):
    # A script, not "-m odoo": in multi-worker mode Odoo re-runs sys.argv[0] to spawn its gevent process.
    launcher = CACHE_DIR / "odoo-launcher.py"
    launcher.write_text("from odoo.cli.command import main\n\nmain()\n")
    return [sys.executable, str(launcher), *subcommand, f"--addons-path={addons_path()}", f"--data-dir={DATA_DIR}",
            *args]


def _psql(sql, db="postgres"):
    return subprocess.run(["psql", "-d", db, "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()


def prepare_database(reset=False):
    """The benchmark's database with the addon installed and its line, agent and customer."""
    exists = _psql(f"select 1 from pg_database where datname = '{DB_NAME}'") == "1"
    if exists and reset:
        subprocess.run(["dropdb", DB_NAME], check=True)
        exists = False
    if not exists:
        template = _psql("select datname from pg_database where datname like 'calls_tpl_%' order by oid desc limit 1")
        if template:
            subprocess.run(["createdb", "-T", template, DB_NAME], check=True)
            if (DATA_DIR / "filestore" / template).is_dir():
                shutil.copytree(DATA_DIR / "filestore" / template, DATA_DIR / "filestore" / DB_NAME,
                                dirs_exist_ok=True)
    # Installed once, then updated at every run so that the database follows the code.
    print(f"{'updating' if exists else 'installing'} the addons in {DB_NAME}...", flush=True)
    subprocess.run(odoo_command("-d", DB_NAME, "-u" if exists else "-i", "call_logging,call_telephony_bridge",
                                "--stop-after-init", "--without-demo=all", "--log-level=warn", "--http-port=8598"),
                   check=True, env=dict(os.environ, PYTHONPATH=str(ODOO_SRC)), capture_output=True)
    setup = f"""
line = env["telephony.line"].search([("name", "=", "Benchmark line")]) or env["telephony.line"].create(
    {{"name": "Benchmark line", "default_extensions": "{AGENT_EXTENSION}"}})
line._set_token("{TOKEN}")
agent = env["res.users"].search([("login", "=", "{AGENT_LOGIN}")]) or env["res.users"].create({{
    "name": "Benchmark Agent", "login": "{AGENT_LOGIN}",
    "groups_id": [(4, env.ref("sales_team.group_sale_salesman").id)]}})
agent.write({{"password": "{AGENT_PASSWORD}", "telephony_extension": "{AGENT_EXTENSION}",
             "telephony_open_record_on_answer": False}})
if not env["res.partner"].search([("name", "=", "Benchmark Customer")]):
    env["res.partner"].create({{"name": "Benchmark Customer", "phone": "{CUSTOMER_NUMBER}", "user_id": agent.id}})
salesman = env.ref("sales_team.group_sale_salesman")
for n in range({AGENTS}):
    login = f"bench_agent_{{n}}"
    user = env["res.users"].search([("login", "=", login)]) or env["res.users"].create(
        {{"name": f"Agent {{n}}", "login": login, "groups_id": [(4, salesman.id)]}})
    user.telephony_extension = str(7000 + n)
for n in range({CUSTOMERS}):
    name = f"Bench Customer {{n}}"
    if not env["res.partner"].search([("name", "=", name)]):
        env["res.partner"].create({{"name": name, "phone": f"+48 22 765 {{n // 10:02d}} {{n % 10}}0"}})
# Every run starts from the same database: the calls of earlier runs are forgotten.
old = env["crm.call"].search(
    ["|", ("external_ref", "=like", "bench-%"), ("external_ref", "=like", "pop-%")])
env["telephony.call.event"].search([("call_id", "in", old.ids)]).unlink()
old.filtered(lambda call: call.state in ("ringing", "in_progress", "on_hold"))._telephony_write({{"state": "missed"}})
old.unlink()
env.cr.commit()
"""
    done = subprocess.run(odoo_command("-d", DB_NAME, "--no-http", "--log-level=warn", subcommand=("shell",)),
                          input=setup, text=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ODOO_SRC)))
    if done.returncode:
        raise RuntimeError("could not set the benchmark data up:\n" + done.stderr[-3000:])


class OdooServer:
    """``python -m odoo`` serving the benchmark database on ``port`` (stopped by its own pid)."""

    def __init__(self, port, workers=0, gevent_port=None, db=DB_NAME):
        self.port = port
        args = ["-d", db, f"--db-filter=^{db}$", f"--http-port={port}", f"--workers={workers}",
                "--max-cron-threads=0", "--log-level=warn", "--db_maxconn=64"]
        if gevent_port:
            args.append(f"--gevent-port={gevent_port}")
        if workers:
            args += ["--limit-time-real=600", "--limit-time-cpu=600"]
        self.log = open(CACHE_DIR / "logs" / f"bench-odoo-{port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(odoo_command(*args), stdout=self.log, stderr=subprocess.STDOUT,
                                        env=dict(os.environ, PYTHONPATH=str(ODOO_SRC)))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Odoo did not start on port {port}: see {self.log.name}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def event_body(call_id, event, extension=AGENT_EXTENSION, number=CUSTOMER_NUMBER, **extra):
    return {"event": event, "event_id": f"{call_id}-{event}", "call_id": call_id, "direction": "inbound",
            "from": number, "to": "100", "extension": extension,
            "time": datetime.now(UTC).isoformat(), **extra}


def drain_bridge_spool(base, calls):
    """Seconds the bridge's delivery thread takes to hand Odoo the events of ``calls`` calls waiting in its spool,
    and how many it could not deliver. The calls overlap as on a busy line: each rings, is answered 30 calls
    later and hangs up 30 calls after that."""
    with tempfile.TemporaryDirectory() as spool_dir:
        spool = Spool(spool_dir)
        ids = [(f"bench-{uuid.uuid4().hex}", n) for n in range(calls)]
        for step in range(calls + 60):
            for event, extra, index in (("ringing", {}, step), ("answered", {}, step - 30),
                                        ("hangup", {"reason": "answered"}, step - 60)):
                if 0 <= index < calls:
                    call_id, n = ids[index]
                    spool.append(event_body(call_id, event, extension=agent_extension(n), number=customer_number(n),
                                            **extra))
        deliverer = Deliverer(spool, OdooClient(base, TOKEN, timeout=60))
        started = time.monotonic()
        deliverer.start()
        while spool.pending_count() and time.monotonic() - started < 600:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        deliverer.stop()
        undelivered = spool.pending_count() + len(spool.dead_letters())
        spool.close()
    return elapsed, undelivered


def _load(seconds, clients, make_request):
    """Run ``make_request(session, n)`` from ``clients`` threads for ``seconds``; latencies in seconds."""
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.monotonic() + seconds
    counter = itertools.count()

    def client():
        session = requests.Session()
        mine = []
        while time.monotonic() < stop_at:
            for response_time, ok in make_request(session, next(counter)):
                mine.append(response_time)
                if not ok:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=2, help="concurrent posters (bridges of lines)")
    parser.add_argument("--workers", type=int, default=0,
                        help="0: Odoo's threaded server (one process); 1: one prefork worker process")
    parser.add_argument("--batch", type=int, default=90, help="events per request in the batched phase")
    parser.add_argument("--backlog", type=int, default=2000, help="calls waiting in the bridge's spool (phase 4)")
    parser.add_argument("--reset", action="store_true", help="rebuild the benchmark database")
    args = parser.parse_args()
    prepare_database(reset=args.reset)
    server = OdooServer(args.port, workers=args.workers)
    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    try:
        def baseline(session, _n):
            t0 = time.perf_counter()
            response = session.post(base + "/web/webclient/version_info", json={"jsonrpc": "2.0", "params": {}},
                                    timeout=30)
            yield time.perf_counter() - t0, response.ok

        def call(session, n):
            call_id = "bench-" + uuid.uuid4().hex
            for event, extra in (("ringing", {}), ("answered", {}), ("hangup", {"reason": "answered"})):
                body = event_body(call_id, event, extension=agent_extension(n), number=customer_number(n), **extra)
                t0 = time.perf_counter()
                response = session.post(base + "/telephony/v1/events", headers=headers, data=json.dumps(body),
                                        timeout=30)
                yield time.perf_counter() - t0, response.status_code == 200

        group = max(args.batch // 3, 1)

        def batches(session, n):
            """One client's pipeline of calls: every request rings new calls and moves the earlier ones on."""
            calls = [[(f"bench-{uuid.uuid4().hex}", n * 1000 + k) for k in range(group)] for _ in range(3)]
            steps = (("hangup", {"reason": "answered"}, calls[0]), ("answered", {}, calls[1]),
                     ("ringing", {}, calls[2]))
            body = [event_body(call_id, event, extension=agent_extension(k), number=customer_number(k), **extra)
                    for event, extra, group_calls in steps for call_id, k in group_calls]
            t0 = time.perf_counter()
            response = session.post(base + "/telephony/v1/events", headers=headers, data=json.dumps(body), timeout=60)
            elapsed = time.perf_counter() - t0
            ok = response.status_code == 200 and all(r["status"] == 200 for r in response.json()["results"])
            yield elapsed, ok

        _load(2, args.clients, baseline)  # warm-up: registry, caches, connections
        _load(2, args.clients, call)
        base_lat, base_err, base_time = _load(args.seconds, args.clients, baseline)
        ev_lat, ev_err, ev_time = _load(args.seconds, args.clients, call)
        batch_lat, batch_err, batch_time = _load(args.seconds, args.clients, batches)
        drain_time, undelivered = drain_bridge_spool(base, args.backlog)
    finally:
        server.stop()
    per_batch = 3 * group
    base_rate, ev_rate = len(base_lat) / base_time, len(ev_lat) / ev_time
    batch_rate = len(batch_lat) / batch_time
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; Odoo --workers {args.workers}, "
          f"{args.clients} clients, "
          f"{args.seconds:.0f} s per phase")
    print(f"{'':34} {'events/s':>9} {'req/s':>7} {'median ms':>10} {'p99 ms':>8} {'errors':>7}")
    rows = (("baseline (version_info)", base_rate, base_rate, base_lat, base_err),
            ("events, one per request", ev_rate, ev_rate, ev_lat, ev_err),
            (f"events, {per_batch} per request", batch_rate * per_batch, batch_rate, batch_lat, batch_err))
    for label, events, requests_, latencies, errors in rows:
        print(f"{label:34} {events:9.0f} {requests_:7.0f} {statistics.median(latencies) * 1000:10.1f} "
              f"{percentile(latencies, 0.99) * 1000:8.1f} {errors:7d}")
    base_med, base_p99 = statistics.median(base_lat), percentile(base_lat, 0.99)
    for label, rate, latencies in (("one per request", ev_rate, ev_lat),
                                   (f"{per_batch} per request", batch_rate * per_batch, batch_lat)):
        print(f"events {label} / baseline: throughput x{rate / base_rate:.2f}, "
              f"median latency x{statistics.median(latencies) / base_med:.2f}, "
              f"p99 x{percentile(latencies, 0.99) / base_p99:.2f}")
    drain_rate = 3 * args.backlog / drain_time
    print(f"the bridge's delivery thread, {3 * args.backlog} events of {args.backlog} calls waiting in its spool: "
          f"{drain_rate:.0f} events/s (x{drain_rate / base_rate:.2f} the baseline), drained in {drain_time:.1f} s, "
          f"{undelivered} not delivered")
    best = max(ev_rate, batch_rate * per_batch, drain_rate)
    print(f"goal >= 300 events/s: {'met' if best >= 300 else 'NOT met'} ({best:.0f}/s)")


if __name__ == "__main__":
    main()
