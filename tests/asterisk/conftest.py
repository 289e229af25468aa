"""A real Asterisk 22 (built by setup/asterisk.sh), the real bridge, and a small HTTP server for Odoo.

The Asterisk runs as its own instance ("pytest", on free ports) with the repository's configuration
and its test world: callers, agents (extensions 2xx) and customers (+48 600 999 0xx) played by the
dialplan. A missing build is a failure, never a skip: setup/test.sh builds it before the tests.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
import websocket

from pbx_bridge.app import Bridge
from pbx_bridge.ari_client import close_now
from pbx_bridge.config import Settings
from tests.bridge.conftest import TOKEN, FakeOdoo, wait_for

ROOT = Path(__file__).resolve().parents[2]
ASTERISK_SH = ROOT / "setup" / "asterisk.sh"
COMPANY_NUMBER = "48221000000"
LINE_NUMBER = "+48221000000"
CUSTOMER = {"answers": "+48600999001", "busy": "+48600999002", "never": "+48600999003", "congestion": "+48600999004"}


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Asterisk:
    """The running instance: its CLI, its ARI REST, the world's knobs and the process itself."""

    def __init__(self, name=None):
        self.env = dict(os.environ, CALLS_ASTERISK_NAME=name or f"pytest-{os.getpid()}",
                        CALLS_ASTERISK_HTTP_PORT=str(free_port()), CALLS_ASTERISK_SIP_PORT=str(free_port()),
                        CALLS_ASTERISK_RTP_START=str(30000 + os.getpid() % 200 * 100))
        settings = subprocess.run([str(ASTERISK_SH), "env"], env=self.env, capture_output=True, text=True,
                                  check=True).stdout
        self.settings = dict(line.split("=", 1) for line in settings.split())
        self.url = self.settings["ARI_URL"]
        self.user, self.password = self.settings["ARI_USER"], self.settings["ARI_PASSWORD"]
        self.instance = Path(self.settings["ASTERISK_INSTANCE"])
        self.ari = requests.Session()
        self.ari.auth = (self.user, self.password)

    # -- the process
    def start(self, **extra_env):
        result = subprocess.run([str(ASTERISK_SH), "start"], env=dict(self.env, **extra_env),
                                capture_output=True, text=True)
        if result.returncode:
            pytest.fail("the real Asterisk did not start: " + result.stderr.strip(), pytrace=False)
        wait_for(lambda: self._answers(), timeout=15)

    def _answers(self):
        try:
            return self.ari.get(self.url + "/ari/asterisk/info", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self):
        subprocess.run([str(ASTERISK_SH), "stop"], env=self.env, capture_output=True)

    def pid(self):
        return int((self.instance / "run" / "asterisk.pid").read_text())

    def kill9(self):
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or "zombie" in _proc_state(pid), timeout=10)

    def cli(self, command):
        return subprocess.run([str(ASTERISK_SH), "cli", command], env=self.env, capture_output=True,
                              text=True, check=True).stdout

    # -- the world
    def set_global(self, name, value):
        self.ari.post(self.url + "/ari/asterisk/variable", params={"variable": name, "value": value},
                      timeout=5).raise_for_status()

    def agent(self, extension, mode="answer", ring=1, talk=None):
        """How extension 2xx behaves from now on: answer after ``ring`` s (and hang up after ``talk``), or not."""
        self.set_global(f"AGENT_{extension}_MODE", mode)
        self.set_global(f"AGENT_{extension}_RING", str(ring))
        self.set_global(f"AGENT_{extension}_TALK", "" if talk is None else str(talk))

    def customers(self, ring=2, talk=None):
        self.set_global("CUSTOMER_RING", str(ring))
        self.set_global("CUSTOMER_TALK", "" if talk is None else str(talk))

    def call_in(self, number="+48221234567", name="Jan Kowalski", to=COMPANY_NUMBER, talk=None,
                give_up_after=60, context="from-pstn", formats=None):
        """An outside caller dials the company; returns the id of the call's channel in Stasis.

        ``formats`` (e.g. ``alaw``) are the caller's codecs, as a trunk would offer them; without,
        ARI gives the Local channel every audio format and it runs at slin192, which the agent
        legs the bridge originates from it inherit: every call then resamples its 8 kHz voices."""
        world_id = f"world-{uuid.uuid4().hex[:12]}"
        body = {"endpoint": f"Local/{to}@{context}", "context": "world-caller", "extension": "s", "priority": 1,
                "callerId": f'"{name}" <{number}>' if name else number, "timeout": give_up_after,
                "channelId": world_id, "variables": {"TALK": "" if talk is None else str(talk)}}
        if formats:
            body["formats"] = formats
        self.ari.post(self.url + "/ari/channels", json=body, timeout=5).raise_for_status()
        return f"{world_id};2"

    def channels(self):
        return self.ari.get(self.url + "/ari/channels", timeout=5).json()

    def bridges(self):
        return self.ari.get(self.url + "/ari/bridges", timeout=5).json()

    def stored_recordings(self):
        return [r["name"] for r in self.ari.get(self.url + "/ari/recordings/stored", timeout=5).json()]

    def wait_idle(self, timeout=20):
        """Until no channel and no bridge is left on the PBX."""
        wait_for(lambda: not self.channels() and not self.bridges(), timeout=timeout)

    def hangup_all(self):
        for channel in self.channels():
            self.ari.delete(f"{self.url}/ari/channels/{channel['id']}", timeout=5)
        for bridge in self.bridges():
            self.ari.delete(f"{self.url}/ari/bridges/{bridge['id']}", timeout=5)


def _proc_state(pid):
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "zombie"


class AriEventWatcher:
    """A second ARI application with subscribeAll: every event of the PBX, read in a thread of its own.

    ``on_frame`` gets each raw frame; the default keeps them all, parsed, in ``events``."""

    def __init__(self, url, user, password, app="watcher"):
        ws = url.replace("http://", "ws://") + "/ari/events"
        self.socket = websocket.create_connection(
            f"{ws}?app={app}&subscribeAll=true&api_key={user}:{password}", timeout=10)
        self.socket.settimeout(None)
        self.events = []
        self.thread = threading.Thread(target=self._read, name=f"ari-{app}", daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            try:
                frame = self.socket.recv()
            except (OSError, websocket.WebSocketException):
                return
            if frame:
                self.on_frame(frame)

    def on_frame(self, frame):
        self.events.append(json.loads(frame))

    def close(self):
        close_now(self.socket)


class Watcher(AriEventWatcher):
    """Every ARI event of the test's Asterisk, with the questions the tests ask of them."""

    def __init__(self, asterisk):
        super().__init__(asterisk.url, asterisk.user, asterisk.password)

    def answered_extensions(self):
        """The extensions whose Local leg into [agents] was answered, in order."""
        return [e["peer"]["name"].split("@")[0].removeprefix("Local/") for e in list(self.events)
                if e["type"] == "Dial" and e.get("dialstatus") == "ANSWER"
                and e["peer"]["name"].startswith("Local/") and "@agents" in e["peer"]["name"]]

    def of_channel(self, predicate):
        return [e for e in list(self.events) if predicate(e.get("channel") or e.get("peer") or {})]


@pytest.fixture(scope="session")
def asterisk():
    instance = Asterisk()
    if not Path(instance.settings["ASTERISK_BIN"]).exists():
        pytest.fail("Asterisk is not built: run setup/asterisk.sh build (setup/test.sh does it).", pytrace=False)
    instance.start()
    yield instance
    instance.stop()
    if os.environ.get("CALLS_KEEP_ASTERISK"):  # to read its logs after a failure
        return
    shutil.rmtree(instance.instance, ignore_errors=True)
    Path(f"{instance.instance}.ari-password").unlink(missing_ok=True)


@pytest.fixture
def pbx(asterisk):
    """The Asterisk, alive and with a clean world at the start of every test."""
    if not asterisk._answers():
        asterisk.start()
    asterisk.hangup_all()
    for extension in ("201", "202", "203", "299"):
        asterisk.agent(extension)
    asterisk.customers()
    yield asterisk
    if asterisk._answers():
        asterisk.hangup_all()


@pytest.fixture
def odoo():
    fake = FakeOdoo()
    yield fake
    fake.stop()


@pytest.fixture
def watcher(pbx):
    watch = Watcher(pbx)
    yield watch
    watch.close()


def bridge_settings(pbx, odoo, spool_dir, **overrides):
    sounds = pbx.instance / "sounds"
    values = {
        "ari_url": pbx.url, "ari_user": pbx.user, "ari_password": pbx.password, "ari_app": "odoo",
        "odoo_url": odoo.url, "telephony_token": TOKEN, "spool_dir": str(spool_dir),
        "max_backoff": 0.5, "http_timeout": 2.0, "record_calls": False,
        "agent_endpoint": "Local/{extension}@agents", "outbound_endpoint": "Local/{number}@pstn-out",
        "voicemail_prompt": f"sound:{sounds}/voicemail-greeting,sound:{sounds}/beep",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_bridge(pbx, odoo, tmp_path):
    """Start in-process bridges against the real Asterisk and the fake Odoo; all are stopped at the end."""
    started = []

    def make(**overrides):
        bridge = Bridge(bridge_settings(pbx, odoo, tmp_path / "spool", **overrides)).start()
        started.append(bridge)
        wait_for(bridge.events.connected.is_set, timeout=15)
        return bridge

    yield make
    for bridge in started:
        bridge.stop()


class BridgeProcess:
    """The bridge as its own process (``python -m pbx_bridge``), to be killed and started again."""

    def __init__(self, settings, log_path):
        self.settings, self.log_path = settings, log_path
        self.process = None

    def start(self):
        s = self.settings
        env = dict(os.environ, PYTHONPATH=str(ROOT), ARI_URL=s.ari_url, ARI_USER=s.ari_user,
                   ARI_PASSWORD=s.ari_password, ARI_APP=s.ari_app, ODOO_URL=s.odoo_url,
                   TELEPHONY_TOKEN=s.telephony_token, BRIDGE_SPOOL_DIR=s.spool_dir,
                   ARI_AGENT_ENDPOINT=s.agent_endpoint, ARI_OUTBOUND_ENDPOINT=s.outbound_endpoint,
                   BRIDGE_RECORD_CALLS="1" if s.record_calls else "0", BRIDGE_VOICEMAIL_PROMPT=s.voicemail_prompt,
                   BRIDGE_MAX_BACKOFF="0.5")
        log = open(self.log_path, "a")  # noqa: SIM115 - kept open for the child's life
        self.process = subprocess.Popen([sys.executable, "-m", "pbx_bridge"], cwd=str(ROOT), env=env,
                                        stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: "ARI events at" in self.output(), timeout=15)

    def output(self):
        return Path(self.log_path).read_text(errors="replace") if Path(self.log_path).exists() else ""

    def kill(self, sig=signal.SIGKILL):
        self.process.send_signal(sig)
        self.process.wait(timeout=15)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill(signal.SIGTERM)


@pytest.fixture
def bridge_process(pbx, odoo, tmp_path):
    process = BridgeProcess(bridge_settings(pbx, odoo, tmp_path / "spool"), tmp_path / "bridge.log")
    yield process
    process.stop()


def click_to_dial(odoo, extension, number, caller_id=LINE_NUMBER):
    """What Odoo does for click-to-dial: leave a dial order, which the bridge claims and places; the call's id."""
    return odoo.order_dial(f"odoo-c2d-{uuid.uuid4().hex}", number, extension, caller_id)


def wait_hangup(odoo, call_id, timeout=30, bridge=None):
    """The call's hangup as Odoo got it; without it in time, the failure shows what the bridge's log said."""
    try:
        return odoo.wait_event(call_id, "hangup", timeout=timeout)
    except AssertionError as error:
        if bridge is None:
            raise
        raise AssertionError(f"{error}: no hangup of {call_id}; the bridge's log:\n{bridge.output()[-4000:]}") from None

