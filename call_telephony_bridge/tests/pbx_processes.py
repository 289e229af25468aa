"""Start the real simulated PBX and bridge as subprocesses on loopback, for the end-to-end tests."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

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


def start_pbx_for(test_class, token, extra_env=None):
    """Start the simulated PBX and a bridge posting to ``test_class``'s Odoo server, stopped with the class.

    Sets ``simulator``, ``ari_url``, ``spool`` and ``bridge`` on the class."""
    test_class.simulator, test_class.ari_url = start_simulator(free_port())
    test_class.addClassCleanup(test_class.simulator.stop)
    test_class.spool = tempfile.TemporaryDirectory(prefix="bridge-spool-")
    test_class.addClassCleanup(test_class.spool.cleanup)
    odoo_url = f"http://127.0.0.1:{test_class.http_port()}"
    test_class.bridge = start_bridge(test_class.ari_url, odoo_url, token, test_class.spool.name, extra_env)
    test_class.addClassCleanup(test_class.bridge.stop)
