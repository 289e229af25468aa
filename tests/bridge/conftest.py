"""Fixtures: a real simulated PBX, a tiny real HTTP server standing in for Odoo, real bridges."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from pbx_bridge.app import Bridge
from pbx_bridge.config import Settings
from pbx_simulator.runner import SimulatorThread

ARI_USER = "odoo-ari"
ARI_PASSWORD = "ari-Pa55-word-xyz"
TOKEN = "tok-SECRET-0123456789"


def wait_for(predicate, timeout=10.0, interval=0.05):
    """Poll ``predicate`` until it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


class FakeOdoo:
    """Odoo's events, route and dial-order endpoints, recording what they receive.

    ``mode``: ``ok`` (2xx), ``error`` (500), ``reject`` (400), ``hang`` (never
    answers within the bridge's time-out), ``no_batches`` (an Odoo that refuses
    a JSON array with 400). ``route``: the JSON plan, an int status to answer
    instead, or a function of the request's query (a dict) returning either. In
    a batch, events whose id is in ``refuse_ids`` answer 400 and in ``fail_ids``
    500; ``batch_sizes`` lists the size of every batch received. ``order_dial`` leaves a click-to-dial
    order for the next claim, as a user's *Call* does; ``claims`` keeps what each claim said of the bridge,
    ``dial_failures`` the failures reported (answered ``failure_status``); claims answer ``claim_status``, and
    with ``lose_next_claim_answer`` the next claim that takes orders answers too late (after the bridge's
    time-out); a claim asked again under its id gets what it took, as Odoo does. ``browser_phones``: the
    SIP accounts of the phones in Odoo it answers.
    """

    def __init__(self):
        self.events = []
        self.seen_ids = set()
        self.attempts = 0
        self.route_requests = []
        self.mode = "ok"
        self.refuse_ids, self.fail_ids, self.batch_sizes = set(), set(), []
        self.route = {"steps": [{"extensions": ["101"], "timeout": 5}], "fallback": "hangup", "skip": False}
        self.orders, self.claims, self.dial_failures, self.failure_status = [], [], [], 200
        self.claim_status, self.lose_next_claim_answer, self.claimed = 200, False, {}
        self.browser_phones = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # An answer the bridge gave up waiting for (a test of lost answers) goes nowhere.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._reply(401, {"error": "bad token"})
                if url.path == "/telephony/v1/browser_phones":
                    return self._reply(200, {"phones": list(fake.browser_phones)})
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.route_requests.append(query)
                route = fake.route(query) if callable(fake.route) else fake.route
                if isinstance(route, int):
                    return self._reply(route, {"error": "route failed"})
                return self._reply(200, route)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._reply(401, {"error": "bad token"})
                if self.path.startswith("/telephony/v1/dial_orders/"):
                    return self._reply(*fake.dial_orders(self.path, json.loads(body or b"{}")))
                with fake.lock:
                    fake.attempts += 1
                    mode = fake.mode
                if mode == "error":
                    return self._reply(500, {"error": "server error"})
                if mode == "reject":
                    return self._reply(400, {"error": "malformed"})
                if mode == "hang":
                    time.sleep(3)
                    return self._reply(500, {"error": "too late"})
                events = json.loads(body)
                if not isinstance(events, list):
                    status, answer = fake.take(events)
                    return self._reply(status, answer)
                if mode == "no_batches":
                    return self._reply(400, {"error": "the body must be a JSON object"})
                with fake.lock:
                    fake.batch_sizes.append(len(events))
                results = []
                for event in events:
                    status, answer = fake.take(event)
                    results.append({"status": status, **answer})
                return self._reply(200, {"results": results})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def order_dial(self, call_id, number="+48221234567", extension="101", caller_id=None):
        """What Odoo does for click-to-dial: leave an order that the bridge's next claim takes."""
        with self.lock:
            self.orders.append({"call_id": call_id, "extension": extension, "number": number, "caller_id": caller_id})
        return call_id

    def dial_orders(self, path, body):
        """Answer a claim (the orders waiting, handed out once) or a failure report: (status, body)."""
        with self.lock:
            if not path.endswith("/claim"):
                self.dial_failures.append(body)
                return self.failure_status, {"call_id": body.get("call_id")}
            self.claims.append(body)
            if self.claim_status != 200:
                return self.claim_status, {"error": "Odoo is being upgraded"}
            taken = self.claimed.setdefault(body.get("claim_id"), [])
            taken += self.orders
            self.orders = []
            late = self.lose_next_claim_answer and taken
            if late:
                self.lose_next_claim_answer = False
        if late:
            time.sleep(3)  # the bridge has given up waiting: this answer is lost
        return 200, {"orders": list(taken)}

    def take(self, event):
        """Answer one event as Odoo would: (status, body)."""
        with self.lock:
            if event["event_id"] in self.refuse_ids:
                return 400, {"error": "refused"}
            if event["event_id"] in self.fail_ids:
                return 500, {"error": "the event could not be applied"}
            if event["event_id"] in self.seen_ids:
                return 200, {"duplicate": True, "call_id": 1}
            self.seen_ids.add(event["event_id"])
            self.events.append(event)
            return 200, {"call_id": len(self.events)}

    def of(self, call_id):
        """The events received for one call, in arrival order."""
        with self.lock:
            return [e for e in self.events if e["call_id"] == call_id]

    def kinds(self, call_id):
        """The event names received for one call."""
        return [e["event"] for e in self.of(call_id)]

    def wait_event(self, call_id, kind, timeout=10.0):
        """Wait for an event of that kind for that call and return it."""
        return wait_for(lambda: next((e for e in self.of(call_id) if e["event"] == kind), None), timeout)

    def stop(self):
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


class Sim:
    """The running simulator and a client for its control API."""

    def __init__(self, thread):
        self.thread = thread
        self.url = thread.url
        self.engine = thread.server.engine
        self.ari = requests.Session()
        self.ari.auth = (ARI_USER, ARI_PASSWORD)

    def start_call(self, **spec):
        """Start a scenario; returns its JSON."""
        response = requests.post(f"{self.url}/sim/calls", json=spec, timeout=5)
        response.raise_for_status()
        return response.json()

    def wait_call(self, scenario_id, timeout=15.0):
        """Wait until every channel of the scenario is gone."""
        url = f"{self.url}/sim/calls/{scenario_id}"
        state = requests.get(url, params={"wait": timeout}, timeout=timeout + 5).json()
        assert state["done"], f"scenario {scenario_id} did not finish: {state}"
        return state

    def caller_channel(self, scenario_id):
        """The id of the caller's Stasis channel of a started inbound scenario."""
        scenario = self.engine.scenarios[scenario_id]
        return wait_for(lambda: next((c.id for c in list(self.engine.channels.values())
                                      if c.scenario is scenario and c.role == "caller"), None))


@pytest.fixture
def sim():
    thread = SimulatorThread(user=ARI_USER, password=ARI_PASSWORD).start()
    yield Sim(thread)
    thread.stop()


@pytest.fixture
def odoo():
    fake = FakeOdoo()
    yield fake
    fake.stop()


@pytest.fixture
def make_bridge(sim, odoo, tmp_path):
    """Start bridges against the simulator and the fake Odoo; all are stopped at the end."""
    started = []

    def make(**overrides):
        values = {
            "ari_url": sim.url, "ari_user": ARI_USER, "ari_password": ARI_PASSWORD, "ari_app": "odoo",
            "odoo_url": odoo.url, "telephony_token": TOKEN, "spool_dir": str(tmp_path / "spool"),
            "max_backoff": 0.5, "http_timeout": 1.0,
        }
        values.update(overrides)
        bridge = Bridge(Settings(**values)).start()
        started.append(bridge)
        wait_for(bridge.events.connected.is_set)
        return bridge

    yield make
    for bridge in started:
        bridge.stop()
