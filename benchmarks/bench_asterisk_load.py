"""Load on the real PBX: many concurrent inbound calls through a real Asterisk and the bridge.

New inbound calls arrive at ``--rate`` per second for ``--duration`` seconds, never more than
``--max-live`` at once on the PBX (a call waits for a free line, so the schedule slips rather
than the bound), everything on loopback:

- the PBX is first the simulator (``pbx_simulator``, in a thread of this process, calls started
  through its ``/sim/calls`` control API): the baseline; then a real Asterisk 22 started for the
  run by ``setup/asterisk.sh`` as an instance of its own (unique name, free ports), its folder
  removed at the end; callers are ``Local/<company number>@from-pstn`` channels of the test
  world (``setup/asterisk/test-world``);
- the bridge runs in this process (``pbx_bridge.app.Bridge``, production settings), against a
  fake Odoo (``tests/bridge/conftest.py``) whose route rings one free agent per call, round
  robin over ``--agents`` scripted agents (extensions 200...); each agent answers after
  ``--ring`` s, the caller hangs up after ``--talk`` s of talk;
- a second ARI application subscribed to everything (``subscribeAll``) watches the PBX: the
  ``Dial RINGING`` of each call's agent leg (with the PBX's own timestamp) and the end of the
  caller's channel, which frees its line for the next call.

Every caller has a number of its own, so each call is found again at the fake Odoo. Printed for
each PBX, then as ratios Asterisk / simulator:

- calls lost: calls placed whose ``ringing``, ``answered`` or ``hangup`` never reached Odoo (goal 0),
  and calls that ended otherwise than answered;
- duplicates: event ids received twice, calls with two hangups (goal 0 both);
- ring -> popup: from the PBX's ``Dial RINGING`` of the agent leg (its timestamp) to the moment the
  fake Odoo receives that call's ``ringing``, median and p99;
- events/s received by Odoo, the CPU time used by the PBX and by this process (bridge, fake
  Odoo, watcher, driver; the simulator too in its phase), and what was left on the PBX;
- where the bridge's time goes (its methods are timed from outside, the bridge is unchanged): the
  share of the run its ARI events thread was busy, its REST calls to the PBX and its SQLite writes
  (spool appends, call-store saves and deletes, each fsynced), with the machine's disk stall
  (PSI) and the CPU the rest of the machine used: other work on a shared machine shows there.

The Asterisk callers offer alaw, as a Polish trunk would (``--codec``): without a codec ARI gives
a Local channel every audio format, it runs at slin192 and so do the agent legs the bridge
originates from it, and Asterisk spends its time resampling the world's 8 kHz voices (about 0.09
of a core per call here: 50 calls need more than this 2-core machine has).

Run from the project root::

    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    PYTHONPATH=. $VENV/bin/python benchmarks/bench_asterisk_load.py      # 5 calls/s, 120 s, 50 live
    PYTHONPATH=. $VENV/bin/python benchmarks/bench_asterisk_load.py --duration 20 --only asterisk
"""

import argparse
import datetime
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import percentile

from pbx_bridge.app import Bridge
from pbx_bridge.config import Settings
from pbx_simulator.runner import SimulatorThread
from tests.asterisk.conftest import COMPANY_NUMBER, AriEventWatcher, Asterisk
from tests.bridge.conftest import ARI_PASSWORD, ARI_USER, TOKEN, FakeOdoo, wait_for

CALL_KINDS = ("ringing", "answered", "hangup")
STEP_TIMEOUT = 20
STUCK_AFTER = 120.0  # a call still on the PBX after this long frees its line anyway (and is counted)


def pbx_time(timestamp):
    """ARI's ``2026-11-24T18:31:24.654+0000`` (or the bridge's ISO form) as epoch seconds; None if unreadable."""
    for form in ("%Y-%m-%dT%H:%M:%S.%f%z",):
        try:
            return datetime.datetime.strptime(timestamp, form).timestamp()
        except (TypeError, ValueError):
            pass
    try:
        return datetime.datetime.fromisoformat(timestamp).timestamp()
    except (TypeError, ValueError):
        return None


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def io_stall_seconds():
    """Seconds during which some task of the machine waited for the disk (Linux PSI), None without PSI."""
    try:
        some = Path("/proc/pressure/io").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(some.rsplit("total=", 1)[1]) / 1e6


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores, every process) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class LoadOdoo(FakeOdoo):
    """The fake Odoo with a route that rings one free agent per call, round robin, and arrival times."""

    def __init__(self, agents):
        super().__init__()
        self.agents = list(agents)
        self.turn = 0
        self.busy = {}  # call_id -> the agent rung for it, until its hangup arrives
        self.no_free_agent = 0
        self.deliveries = []  # (arrival time, event) of every event received, copies included
        self.route = self.plan

    def plan(self, query):
        with self.lock:
            taken = set(self.busy.values())
            for offset in range(len(self.agents)):
                extension = self.agents[(self.turn + offset) % len(self.agents)]
                if extension not in taken:
                    self.turn = (self.turn + offset + 1) % len(self.agents)
                    break
            else:
                self.no_free_agent += 1
                extension = self.agents[self.turn]
                self.turn = (self.turn + 1) % len(self.agents)
            self.busy[query.get("call_id", "")] = extension
        return {"steps": [{"extensions": [extension], "timeout": STEP_TIMEOUT}], "fallback": "hangup", "skip": False}

    def take(self, event):
        arrived = time.time()
        with self.lock:
            self.deliveries.append((arrived, event))
            if event.get("event") == "hangup":
                self.busy.pop(event.get("call_id"), None)
        return super().take(event)


class Watcher(AriEventWatcher):
    """The PBX's events as a second ARI application sees them: the agent legs' Dial RINGING and the callers' ends."""

    def __init__(self, url, user, password, on_end):
        self.on_end = on_end
        self.rings = {}  # caller number -> (PBX timestamp, arrival here) of its agent leg's first RINGING
        self.frames = 0
        super().__init__(url, user, password, app="bench-watch")

    def on_frame(self, frame):
        self.frames += 1
        # Only two kinds matter: skip parsing the rest (most of the stream) to stay light.
        if "RINGING" not in frame and "ChannelDestroyed" not in frame:
            return
        arrived = time.time()
        event = json.loads(frame)
        if event.get("type") == "Dial" and event.get("dialstatus") == "RINGING":
            peer = event.get("peer") or {}
            if "@agents-" in peer.get("name", ""):
                number = (peer.get("caller") or {}).get("number", "")
                self.rings.setdefault(number, (pbx_time(event.get("timestamp")), arrived))
        elif event.get("type") == "ChannelDestroyed":
            channel = event.get("channel") or {}
            name = channel.get("name", "")
            if "@from-pstn-" in name and name.endswith(";2"):
                self.on_end((channel.get("caller") or {}).get("number", ""))


class SimulatorPbx:
    """The baseline: the simulated PBX in a thread, callers started through /sim/calls."""

    name = "simulator"

    def __init__(self, args):
        self.args = args
        self.thread = None
        self.url, self.user, self.password = None, ARI_USER, ARI_PASSWORD
        self.session = requests.Session()

    def start(self):
        self.thread = SimulatorThread(user=ARI_USER, password=ARI_PASSWORD).start()
        self.url = self.thread.url

    def pid(self):
        return None  # the simulator's CPU is this process's

    def call_in(self, number):
        spec = {"caller_number": number, "caller_name": "Load Caller", "dialled": COMPANY_NUMBER,
                "agents": {"*": self.args.ring}, "talk": self.args.talk, "hangup_by": "caller",
                "caller_gives_up_after": 60}
        self.session.post(f"{self.url}/sim/calls", json=spec, timeout=10).raise_for_status()

    def leftovers(self):
        auth = (self.user, self.password)
        channels = self.session.get(f"{self.url}/ari/channels", auth=auth, timeout=10).json()
        bridges = self.session.get(f"{self.url}/ari/bridges", auth=auth, timeout=10).json()
        return len(channels), len(bridges)

    def stop(self):
        if self.thread:
            self.thread.stop()


class AsteriskPbx:
    """A real Asterisk started for the run: its own instance, free ports, removed at the end."""

    name = "asterisk"

    def __init__(self, args):
        self.args = args
        self.instance = Asterisk(name=f"bench-load-{os.getpid()}")
        self.url, self.user, self.password = self.instance.url, self.instance.user, self.instance.password

    def start(self):
        if not Path(self.instance.settings["ASTERISK_BIN"]).exists():
            raise SystemExit("Asterisk is not built: run setup/asterisk.sh build first.")
        self.instance.start()
        for extension in self.args.agent_extensions:
            self.instance.agent(extension, "answer", ring=self.args.ring)

    def pid(self):
        return self.instance.pid()

    def call_in(self, number):
        self.instance.call_in(number=number, name="Load Caller", talk=self.args.talk, give_up_after=60,
                              formats=self.args.codec)

    def leftovers(self):
        return len(self.instance.channels()), len(self.instance.bridges())

    def stop(self):
        self.instance.stop()
        shutil.rmtree(self.instance.instance, ignore_errors=True)
        Path(f"{self.instance.instance}.ari-password").unlink(missing_ok=True)


class Problems(logging.Handler):
    """Every warning or error logged in this process (the bridge's above all), and thread crashes."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []
        self._previous_hook = threading.excepthook
        threading.excepthook = self._thread_crash

    def emit(self, record):
        self.records.append(f"{record.levelname} {record.name}: {record.getMessage()}")

    def _thread_crash(self, args):
        self.records.append(f"CRASH in thread {args.thread.name if args.thread else '?'}: "
                            f"{args.exc_type.__name__}: {args.exc_value}")
        self._previous_hook(args)


class Timed:
    """Wraps a bound method of the bridge and keeps how long each call took (seconds); the bridge is unchanged."""

    def __init__(self, owner, name):
        self.durations = []
        self._method = getattr(owner, name)
        setattr(owner, name, self)

    def __call__(self, *args, **kwargs):
        begin = time.perf_counter()
        try:
            return self._method(*args, **kwargs)
        finally:
            self.durations.append(time.perf_counter() - begin)

    def __getattr__(self, name):
        return getattr(self._method, name)


def run_side(pbx, args):
    """One full run on one PBX; returns its figures."""
    odoo = LoadOdoo(args.agent_extensions)
    spool = tempfile.mkdtemp(prefix="bench-load-spool-")
    problems = Problems()
    logging.getLogger().addHandler(problems)
    live, ended, placed, originate_errors = {}, set(), [], []
    cond = threading.Condition()
    stuck = []

    def on_end(number):
        with cond:
            ended.add(number)
            if live.pop(number, None) is not None:
                cond.notify_all()

    bridge = watcher = None
    load_before = os.getloadavg()[0]
    try:
        pbx.start()
        watcher = Watcher(pbx.url, pbx.user, pbx.password, on_end)
        settings = Settings(ari_url=pbx.url, ari_user=pbx.user, ari_password=pbx.password, ari_app="odoo",
                            odoo_url=odoo.url, telephony_token=TOKEN, spool_dir=spool, record_calls=False)
        bridge = Bridge(settings)
        # Where the bridge's time goes: its REST calls to the PBX, and the events thread's handling of
        # each ARI event (finding its call and queueing it on the call's lane; the lanes do the rest).
        rest_calls = Timed(bridge.rest, "_call")
        handled = Timed(bridge.tracker, "handle")
        writes = [Timed(bridge.spool, "append"), Timed(bridge.store, "save"), Timed(bridge.store, "delete")]
        bridge.events.on_event = bridge.tracker.handle
        bridge.start()
        wait_for(bridge.events.connected.is_set, timeout=15)
        pid = pbx.pid()
        cpu_pbx_before, cpu_self_before = (cpu_seconds(pid) if pid else None), sum(os.times()[:2])
        busy_before, stall_before = machine_busy_seconds(), io_stall_seconds()
        total = int(args.rate * args.duration)
        peak, held_back, worst_slip = 0, 0, 0.0
        started = time.time()
        for n in range(total):
            due = started + n / args.rate
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            with cond:
                if len(live) >= args.max_live:
                    held_back += 1
                while len(live) >= args.max_live:
                    now = time.time()
                    for number, since in list(live.items()):
                        if now - since > STUCK_AFTER:
                            stuck.append(number)
                            live.pop(number)
                    cond.wait(0.5)
                number = f"+48223{n:06d}"
                live[number] = time.time()
                peak = max(peak, len(live))
            worst_slip = max(worst_slip, time.time() - due)
            try:
                pbx.call_in(number)
                placed.append(number)
            except requests.RequestException as error:
                originate_errors.append(f"{number}: {error}")
                with cond:
                    live.pop(number, None)
        generated = time.time()
        # Every call ends on the PBX (talk, or the caller giving up), then its events reach Odoo.
        deadline = time.time() + args.talk + STEP_TIMEOUT + 60
        with cond:
            while live and time.time() < deadline:
                cond.wait(0.5)
            stuck.extend(live)

        def delivered():
            with odoo.lock:
                hangups = {e["from"] for e in odoo.events if e["event"] == "hangup"}
            return all(number in hangups for number in placed)

        deadline = time.time() + 30
        while time.time() < deadline and not (delivered() and bridge.spool.pending_count() == 0):
            time.sleep(0.2)
        time.sleep(1.0)  # late copies, if any, are counted too
        finished = time.time()
        cpu_pbx = (cpu_seconds(pid) - cpu_pbx_before) if pid else None
        cpu_self = sum(os.times()[:2]) - cpu_self_before
        cpu_machine = machine_busy_seconds() - busy_before
        io_stall = None if stall_before is None else io_stall_seconds() - stall_before
        channels_left, bridges_left = pbx.leftovers()
        pending = bridge.spool.pending_count()
        dead = len(bridge.spool.dead_letters())
        followed = sum(not c.ended for c in bridge.tracker.calls.values())
    finally:
        if bridge:
            bridge.stop()
        if watcher:
            watcher.close()
        pbx.stop()
        odoo.stop()
        logging.getLogger().removeHandler(problems)
        threading.excepthook = problems._previous_hook
        shutil.rmtree(spool, ignore_errors=True)

    # ---------------------------------------------------------------- figures
    by_number, seen_ids, duplicate_ids = {}, set(), 0
    for _arrived, event in odoo.deliveries:
        if event["event_id"] in seen_ids:
            duplicate_ids += 1
            continue
        seen_ids.add(event["event_id"])
        by_number.setdefault(event["from"], []).append((_arrived, event))
    lost, missing, not_answered, double_hangups, doubled_kinds = [], {k: 0 for k in CALL_KINDS}, 0, 0, 0
    ring_to_popup, pbx_to_watcher, event_time_off, delay_by_kind = [], [], [], {k: [] for k in CALL_KINDS}
    for number in placed:
        events = by_number.get(number, [])
        kinds = [e["event"] for _t, e in events]
        absent = [k for k in CALL_KINDS if k not in kinds]
        for kind in absent:
            missing[kind] += 1
        if absent:
            lost.append(number)
        double_hangups += kinds.count("hangup") > 1
        doubled_kinds += any(kinds.count(k) > 1 for k in CALL_KINDS)
        hangup = next((e for _t, e in events if e["event"] == "hangup"), None)
        if hangup is not None and hangup.get("reason") != "answered":
            not_answered += 1
        for arrived, event in events:
            moment = pbx_time(event.get("time"))
            if moment is not None and event["event"] in delay_by_kind:
                delay_by_kind[event["event"]].append((arrived - moment) * 1000)
        ringing = next(((t, e) for t, e in events if e["event"] == "ringing"), None)
        ring = watcher.rings.get(number)
        if ringing and ring and ring[0] is not None:
            ring_to_popup.append((ringing[0] - ring[0]) * 1000)
            pbx_to_watcher.append((ring[1] - ring[0]) * 1000)
            event_moment = pbx_time(ringing[1].get("time"))
            if event_moment is not None:
                event_time_off.append(abs(event_moment - ring[0]) * 1000)
    arrivals = sorted(t for t, _e in odoo.deliveries)
    span = (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else float("nan")
    return {
        "placed": len(placed), "offered": total, "originate_errors": originate_errors, "peak_live": peak,
        "held_back": held_back, "worst_slip": worst_slip, "generation_s": generated - started,
        "run_s": finished - started, "lost": lost, "missing": missing, "not_answered": not_answered,
        "stuck": stuck, "duplicate_ids": duplicate_ids, "double_hangups": double_hangups,
        "doubled_kinds": doubled_kinds, "unknown_calls": len(set(by_number) - set(placed)),
        "ring_to_popup": ring_to_popup, "rings_seen": len(watcher.rings), "pbx_to_watcher": pbx_to_watcher,
        "event_time_off": event_time_off, "delay_by_kind": delay_by_kind,
        "events": len(seen_ids), "deliveries": len(odoo.deliveries), "events_per_s": len(seen_ids) / span,
        "requests": odoo.attempts, "route_requests": len(odoo.route_requests),
        "no_free_agent": odoo.no_free_agent, "cpu_pbx": cpu_pbx, "cpu_self": cpu_self,
        "cpu_others": cpu_machine - cpu_self - (cpu_pbx or 0), "cpu_capacity": (finished - started) * os.cpu_count(),
        "channels_left": channels_left, "bridges_left": bridges_left, "spool_pending": pending,
        "dead_letters": dead, "still_followed": followed, "problems": problems.records,
        "rest_ms": [d * 1000 for d in rest_calls.durations], "handle_s": sum(handled.durations),
        "handled": len(handled.durations), "io_stall": io_stall,
        "write_ms": [d * 1000 for timed in writes for d in timed.durations],
        "load_before": load_before, "load_after": os.getloadavg()[0], "frames": watcher.frames,
    }


def p(values, fraction):
    return percentile(values, fraction) if values else float("nan")


def ratio(a, b):
    return f"x{a / b:.2f}" if b and a == a and b == b else "-"


def report(results, args):
    names = list(results)
    loads = ", ".join(f"{results[n]['load_before']:.2f} before the {n} run" for n in names)
    print(f"machine: {os.cpu_count()} CPUs, load {loads}; {args.rate:g} calls/s for {args.duration:g} s, "
          f"at most {args.max_live} live, "
          f"{len(args.agent_extensions)} agents ({args.agent_extensions[0]}-{args.agent_extensions[-1]}) answering "
          f"after {args.ring:g} s, callers talking {args.talk:g} s; bridge in this process, fake Odoo on loopback")
    rows = [
        ("calls placed (offered)", lambda r: f"{r['placed']} ({r['offered']})"),
        ("peak live calls on the PBX", lambda r: r["peak_live"]),
        ("calls held back by the bound", lambda r: r["held_back"]),
        ("worst start slip s", lambda r: f"{r['worst_slip']:.2f}"),
        ("calls lost (goal 0)", lambda r: len(r["lost"])),
        ("  missing ringing/answered/hangup", lambda r: "/".join(str(r["missing"][k]) for k in CALL_KINDS)),
        ("calls not ended 'answered'", lambda r: r["not_answered"]),
        ("duplicate event_ids (goal 0)", lambda r: r["duplicate_ids"]),
        ("calls with two hangups (goal 0)", lambda r: r["double_hangups"]),
        ("calls with any event twice", lambda r: r["doubled_kinds"]),
        ("ring -> popup median ms", lambda r: f"{p(r['ring_to_popup'], 0.5):.1f}"),
        ("ring -> popup p99 ms", lambda r: f"{p(r['ring_to_popup'], 0.99):.1f}"),
        ("ring -> popup worst ms", lambda r: f"{max(r['ring_to_popup'], default=float('nan')):.1f}"),
        ("  PBX -> ARI websocket median ms", lambda r: f"{p(r['pbx_to_watcher'], 0.5):.1f}"),
        ("  PBX -> ARI websocket p99 ms", lambda r: f"{p(r['pbx_to_watcher'], 0.99):.1f}"),
        ("answered -> Odoo median/p99 ms", lambda r: "{:.1f} / {:.1f}".format(
            p(r["delay_by_kind"]["answered"], 0.5), p(r["delay_by_kind"]["answered"], 0.99))),
        ("hangup -> Odoo median/p99 ms", lambda r: "{:.1f} / {:.1f}".format(
            p(r["delay_by_kind"]["hangup"], 0.5), p(r["delay_by_kind"]["hangup"], 0.99))),
        ("events/s received by Odoo", lambda r: f"{r['events_per_s']:.1f}"),
        ("ARI events to the bridge", lambda r: r["handled"]),
        ("  events thread busy %", lambda r: f"{100 * r['handle_s'] / r['run_s']:.1f}%"),
        ("bridge's REST calls to the PBX", lambda r: len(r["rest_ms"])),
        ("  REST median/p99 ms", lambda r: f"{p(r['rest_ms'], 0.5):.1f} / {p(r['rest_ms'], 0.99):.1f}"),
        ("bridge's SQLite writes (spool, calls)", lambda r: len(r["write_ms"])),
        ("  write median/p99 ms", lambda r: f"{p(r['write_ms'], 0.5):.1f} / {p(r['write_ms'], 0.99):.1f}"),
        ("events (requests)", lambda r: f"{r['events']} ({r['requests']})"),
        ("CPU s: PBX process", lambda r: "-" if r["cpu_pbx"] is None else f"{r['cpu_pbx']:.1f}"),
        ("CPU s: this process", lambda r: f"{r['cpu_self']:.1f}"),
        ("CPU s: the rest of the machine", lambda r: f"{r['cpu_others']:.1f}"),
        ("machine busy % over the run", lambda r: "{:.0f}%".format(
            100 * ((r["cpu_pbx"] or 0) + r["cpu_self"] + r["cpu_others"]) / r["cpu_capacity"])),
        ("disk stall % (PSI io some)", lambda r: "-" if r["io_stall"] is None
         else f"{100 * r['io_stall'] / r['run_s']:.0f}%"),
        ("left on the PBX: channels/bridges", lambda r: f"{r['channels_left']}/{r['bridges_left']}"),
        ("bridge: spool/dead/still followed", lambda r: f"{r['spool_pending']}/{r['dead_letters']}/"
                                                       f"{r['still_followed']}"),
        ("warnings and errors logged", lambda r: len(r["problems"])),
    ]
    print(f"{'':38}" + "".join(f"{n:>16}" for n in names))
    for label, value in rows:
        print(f"{label:38}" + "".join(f"{value(results[n])!s:>16}" for n in names))
    if len(names) == 2:
        base, real = results["simulator"], results["asterisk"]
        print("asterisk / simulator: ring -> popup median {}, p99 {}; events/s {}; CPU per call {}".format(
            ratio(p(real["ring_to_popup"], 0.5), p(base["ring_to_popup"], 0.5)),
            ratio(p(real["ring_to_popup"], 0.99), p(base["ring_to_popup"], 0.99)),
            ratio(real["events_per_s"], base["events_per_s"]),
            ratio(((real["cpu_pbx"] or 0) + real["cpu_self"]) / max(real["placed"], 1),
                  base["cpu_self"] / max(base["placed"], 1))))
    for name in names:
        r = results[name]
        if r["event_time_off"]:
            print(f"{name}: the ringing event's own time is the PBX's Dial RINGING timestamp within "
                  f"{max(r['event_time_off']):.0f} ms for {len(r['event_time_off'])} calls")
        for label, items in (("lost", r["lost"]), ("stuck on the PBX", r["stuck"]),
                             ("originate errors", r["originate_errors"]), ("logged", r["problems"])):
            if items:
                print(f"{name}: {len(items)} {label}, e.g. " + "; ".join(str(i) for i in items[:5]))
    verdict = all(not r["lost"] and not r["duplicate_ids"] and not r["double_hangups"] for r in results.values())
    print(f"goal 0 lost, 0 duplicates: {'met' if verdict else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of new calls")
    parser.add_argument("--rate", type=float, default=5, help="new calls per second")
    parser.add_argument("--max-live", type=int, default=50, help="most calls live on the PBX at once")
    parser.add_argument("--agents", type=int, default=60, help="scripted agents, extensions 200 onwards (at most 100)")
    parser.add_argument("--ring", type=float, default=1, help="seconds an agent rings before answering")
    parser.add_argument("--talk", type=float, default=8, help="seconds of talk before the caller hangs up")
    parser.add_argument("--codec", default="alaw",
                        help="the Asterisk callers' codec, as a Polish trunk's; 'all' leaves ARI's default (slin192)")
    parser.add_argument("--only", choices=("simulator", "asterisk"), help="run one PBX only")
    args = parser.parse_args()
    args.codec = None if args.codec == "all" else args.codec
    args.agent_extensions = [str(200 + n) for n in range(min(args.agents, 100))]
    results = {}
    for pbx_class in (SimulatorPbx, AsteriskPbx):
        if args.only in (None, pbx_class.name):
            print(f"- {pbx_class.name}: {args.rate:g} calls/s for {args.duration:g} s ...", flush=True)
            results[pbx_class.name] = run_side(pbx_class(args), args)
    report(results, args)


if __name__ == "__main__":
    main()
