"""Start the real simulated PBX and bridge as subprocesses on loopback, for the end-to-end tests."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests
import websocket

REPO_ROOT = Path(__file__).resolve().parents[2]
ARI_USER, ARI_PASSWORD = "odoo", "simulated-secret"


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def components_available():
    """True when the repository holds the simulated PBX and the bridge."""
    return all((REPO_ROOT / package / "__main__.py").exists() for package in ("pbx_simulator", "pbx_bridge"))


class PbxProcess:
    """One ``python -m <module>`` child process, stopped (by its own pid) when the test ends."""

    def __init__(self, module, args=(), env=None):
        self.log = tempfile.NamedTemporaryFile(prefix=f"{module}-", suffix=".log", delete=False)  # noqa: SIM115
        environ = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **(env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *args], cwd=str(REPO_ROOT), env=environ,
            stdout=self.log, stderr=subprocess.STDOUT,
        )

    def output(self):
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        os.unlink(self.log.name)


def start_simulator(port):
    """The simulated Asterisk ARI on ``port``, ready to answer."""
    simulator = PbxProcess("pbx_simulator", ["--port", str(port), "--user", ARI_USER, "--password", ARI_PASSWORD])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/ari/asterisk/info", auth=(ARI_USER, ARI_PASSWORD), timeout=1).ok:
                return simulator, url
        except requests.ConnectionError:
            time.sleep(0.1)
    output = simulator.output()
    simulator.stop()
    raise RuntimeError("the simulated PBX did not start:\n" + output)


def start_bridge(ari_url, odoo_url, token, spool_dir, extra_env=None):
    """The real bridge between the simulator and Odoo."""
    env = {
        "ARI_URL": ari_url, "ARI_USER": ARI_USER, "ARI_PASSWORD": ARI_PASSWORD, "ARI_APP": "odoo",
        "ODOO_URL": odoo_url, "TELEPHONY_TOKEN": token, "BRIDGE_SPOOL_DIR": spool_dir,
        **(extra_env or {}),
    }
    return PbxProcess("pbx_bridge", env=env)


# A bridge asks this Odoo for dial orders twice a second, and its requests share the test's one database
# connection: a test that dials holds the connection's lock for its own database work (``registry.test_lock``);
# the others start bridges that place no calls, and so call Odoo only about their calls.
NO_DIAL_ORDERS = {"BRIDGE_DIAL_POLL_SECONDS": "0"}


def start_pbx_for(test_class, token, extra_env=None, dials=False):
    """Start the simulated PBX and a bridge posting to ``test_class``'s Odoo server, stopped with the class;
    with ``dials``, the bridge places the click-to-dial calls of the tests too.

    Sets ``simulator``, ``ari_url``, ``spool`` and ``bridge`` on the class."""
    test_class.simulator, test_class.ari_url = start_simulator(free_port())
    test_class.addClassCleanup(test_class.simulator.stop)
    test_class.spool = tempfile.TemporaryDirectory(prefix="bridge-spool-")
    test_class.addClassCleanup(test_class.spool.cleanup)
    odoo_url = f"http://127.0.0.1:{test_class.http_port()}"
    extra_env = {**({} if dials else NO_DIAL_ORDERS), **(extra_env or {})}
    test_class.bridge = start_bridge(test_class.ari_url, odoo_url, token, test_class.spool.name, extra_env)
    test_class.addClassCleanup(test_class.bridge.stop)


ASTERISK_SH = REPO_ROOT / "setup" / "asterisk.sh"


def asterisk_built():
    """True when setup/asterisk.sh has built the real Asterisk into its cache."""
    if not ASTERISK_SH.exists():
        return False
    settings = subprocess.run(["bash", str(ASTERISK_SH), "env"], capture_output=True, text=True).stdout
    binary = dict(line.split("=", 1) for line in settings.split()).get("ASTERISK_BIN", "")
    return bool(binary) and Path(binary).exists()


class RealAsterisk:
    """A real Asterisk instance of setup/asterisk.sh on free loopback ports, with the test world."""

    def __init__(self):
        self.env = dict(os.environ, CALLS_ASTERISK_NAME=f"odoo-tests-{os.getpid()}",
                        CALLS_ASTERISK_HTTP_PORT=str(free_port()), CALLS_ASTERISK_SIP_PORT=str(free_port()),
                        CALLS_ASTERISK_RTP_START=str(40000 + os.getpid() % 100 * 100))
        result = subprocess.run(["bash", str(ASTERISK_SH), "start"], env=self.env, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError("the real Asterisk did not start: " + result.stderr)
        settings = subprocess.run(["bash", str(ASTERISK_SH), "env"], env=self.env, capture_output=True,
                                  text=True, check=True).stdout
        self.settings = dict(line.split("=", 1) for line in settings.split())
        self.url, self.password = self.settings["ARI_URL"], self.settings["ARI_PASSWORD"]
        self.sounds = Path(self.settings["ASTERISK_INSTANCE"]) / "sounds"
        self.ari = requests.Session()
        self.ari.auth = ("odoo", self.password)

    def set_global(self, name, value):
        self.ari.post(self.url + "/ari/asterisk/variable", params={"variable": name, "value": value},
                      timeout=5).raise_for_status()

    def agent(self, extension, mode="answer", ring=1, talk=""):
        for key, value in (("MODE", mode), ("RING", ring), ("TALK", talk)):
            self.set_global(f"AGENT_{extension}_{key}", str(value))

    def call_in(self, number, to, talk):
        """An outside caller dials ``to``; the call's id in Stasis is returned."""
        channel_id = "world-" + os.urandom(6).hex()
        self.ari.post(self.url + "/ari/channels", timeout=5, json={
            "endpoint": f"Local/{to}@from-pstn", "context": "world-caller", "extension": "s", "priority": 1,
            "callerId": number, "timeout": 60, "channelId": channel_id, "variables": {"TALK": str(talk)},
        }).raise_for_status()
        return channel_id + ";2"

    @contextmanager
    def events(self, types):
        """What Asterisk says of every channel (a listening ARI application subscribed to all) while the block
        runs: the list, filled in the background, of the events of ``types``."""
        url = self.url.replace("http://", "ws://") + "/ari/events"
        socket_ = websocket.create_connection(
            f"{url}?app=tests-listener&subscribeAll=true&api_key=odoo:{self.password}", timeout=10)
        heard = []

        def listen():
            while True:
                try:
                    event = json.loads(socket_.recv() or "{}")
                except (OSError, ValueError, websocket.WebSocketException):
                    return
                if event.get("type") in types:
                    heard.append(event)

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        try:
            yield heard
        finally:
            socket_.close()
            listener.join(5)

    def cli(self, command):
        """What the Asterisk CLI prints for ``command``."""
        return subprocess.run(["bash", str(ASTERISK_SH), "cli", command], env=self.env, capture_output=True,
                              text=True).stdout

    def restart(self):
        """Stop Asterisk and start it again on the same ports, as a PBX restarted by its administrator."""
        subprocess.run(["bash", str(ASTERISK_SH), "stop"], env=self.env, capture_output=True)
        result = subprocess.run(["bash", str(ASTERISK_SH), "start"], env=self.env, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError("the real Asterisk did not start again: " + result.stderr)

    def stop(self):
        subprocess.run(["bash", str(ASTERISK_SH), "stop"], env=self.env, capture_output=True)
        shutil.rmtree(self.settings["ASTERISK_INSTANCE"], ignore_errors=True)
        Path(self.settings["ASTERISK_INSTANCE"] + ".ari-password").unlink(missing_ok=True)


def start_asterisk_for(test_class, token, dials=False, browser_phones=False):
    """Start a real Asterisk and a bridge posting to ``test_class``'s Odoo server, stopped with the class;
    with ``dials``, the bridge places the click-to-dial calls of the tests too; with ``browser_phones``, it
    writes the phones in Odoo into Asterisk's configuration when it starts (then hourly: the tests' one
    database connection is not asked meanwhile; tests/asterisk/test_browser_phones.py follows changes).

    Sets ``asterisk``, ``spool`` and ``bridge`` on the class."""
    test_class.asterisk = RealAsterisk()
    test_class.addClassCleanup(test_class.asterisk.stop)
    test_class.spool = tempfile.TemporaryDirectory(prefix="bridge-spool-")
    test_class.addClassCleanup(test_class.spool.cleanup)
    sounds = test_class.asterisk.sounds
    env = {
        "ARI_URL": test_class.asterisk.url, "ARI_USER": "odoo", "ARI_PASSWORD": test_class.asterisk.password,
        "ARI_APP": "odoo", "ODOO_URL": f"http://127.0.0.1:{test_class.http_port()}", "TELEPHONY_TOKEN": token,
        "BRIDGE_SPOOL_DIR": test_class.spool.name, "BRIDGE_RECORD_CALLS": "1",
        # Only the beep: the greeting is heard in the Asterisk tier; here the caller's words matter.
        "BRIDGE_VOICEMAIL_PROMPT": f"sound:{sounds}/beep",
        **({} if dials else NO_DIAL_ORDERS),
    }
    if browser_phones:
        env["BRIDGE_BROWSER_PHONES_FILE"] = str(Path(test_class.asterisk.settings["ASTERISK_CONF"]).parent
                                                / "pjsip_browser_phones.conf")
        env["BRIDGE_BROWSER_PHONES_SECONDS"] = "3600"
    test_class.bridge = PbxProcess("pbx_bridge", env=env)
    test_class.addClassCleanup(test_class.bridge.stop)
    deadline = time.monotonic() + 20
    # Calls placed before the bridge listens would ring reception, not the bridge: wait for it.
    while "connected to ARI events" not in test_class.bridge.output():
        if time.monotonic() > deadline:
            raise RuntimeError("the bridge never connected to the real Asterisk:\n" + test_class.bridge.output())
        time.sleep(0.1)
