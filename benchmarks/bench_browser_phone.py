"""The phone in Odoo beside the desk phone: how fast a call offered by the PBX rings, and how fast audio flows
once it is answered.

Everything on loopback, with a real Asterisk 22 of ``setup/asterisk.sh`` (an instance of its own, free ports,
its folder removed at the end) and two phones registered to it:

- the desk phone: Debian's baresip as extension 101 over UDP (``tests/asterisk/sip_phone.py``), answering
  at once (auto answer): the baseline;
- the browser phone: headless Chromium (fake microphone) on a page that registers ``103-browser`` over
  Asterisk's WebSocket with the addon's own JsSIP file and the options of the softphone service
  (``iceServers: []``, G.711), answering every call as soon as it rings.

Each call is an ARI originate to ``PJSIP/<phone>`` into an application of this script, which watches the
PBX's own events (``subscribeAll``) and times, for each phone:

- offer -> ringing: from the originate request to the channel's ``Ringing`` state (the phone's 180);
- offer -> answered: to the channel's ``Up`` (the phone's 200 OK), both phones answering at once: what
  answering costs the phone itself (for the browser, the microphone and ICE gathering);
- answer -> audio: from the channel's ``Up`` to the first RTP packet Asterisk received from the phone
  (``GET /channels/{id}/rtp_statistics``, polled every 5 ms);

and, for the browser, the page's own view: from the INVITE reaching JsSIP to its answer (getUserMedia and
ICE gathering come first), and from the answer to its media path being ready (WebRTC ``connected``: ICE
and DTLS done). Printed: median and p99 of each, and the browser's as
ratios to the desk phone's, measured in the same run, calls alternating between the two phones.

Run from the project root (``--calls`` per phone, 20 by default)::

    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    PYTHONPATH=. $VENV/bin/python benchmarks/bench_browser_phone.py --calls 20
"""

import argparse
import http.server
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import percentile

from tests.asterisk.conftest import AriEventWatcher, Asterisk, free_port, wait_for
from tests.asterisk.sip_phone import SipPhone

ROOT = Path(__file__).resolve().parents[1]

JSSIP = ROOT / "call_telephony_bridge" / "static" / "lib" / "jssip" / "jssip.min.js"
BROWSER_ACCOUNT, BROWSER_PASSWORD = "103-browser", "test-browser-103-secret"  # setup/asterisk/test-world
DESK_EXTENSION, DESK_PASSWORD = "101", "test-phone-101-secret"  # setup/asterisk/pjsip.conf
APP = "bench-phones"
TALK_SECONDS = 1.0

PAGE = """<!doctype html><meta charset="utf-8"><title>browser phone benchmark</title>
<script src="jssip.min.js"></script>
<script>
const report = (event, values) => fetch("/report", {method: "POST", body: JSON.stringify({event, ...values})});
const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface("WS_URL")], uri: "sip:ACCOUNT@127.0.0.1",
    password: "PASSWORD", register: true, session_timers: false,
});
ua.on("registered", () => report("registered", {}));
ua.on("newRTCSession", ({session}) => {
    if (session.direction !== "incoming") return;
    session.answer({mediaConstraints: {audio: true, video: false}, pcConfig: {iceServers: []}});
    const answered = performance.now();
    // The media path is ready when WebRTC says so: ICE connected and DTLS done (the PBX sends nothing on
    // a channel it does not bridge, so packets received would time this script, not the phone).
    const poll = setInterval(() => {
        if (session.connection && session.connection.connectionState === "connected") {
            clearInterval(poll);
            const ready = performance.now() - answered;
            report("audio", {answer_to_audio_ms: ready});
        }
    }, 5);
    session.on("ended", () => clearInterval(poll));
    session.on("failed", () => clearInterval(poll));
});
ua.start();
</script>
"""


class Page:
    """The browser phone's page and what it reports, served on loopback."""

    def __init__(self, folder, ws_url):
        self.reports = []
        (folder / "jssip.min.js").write_bytes(JSSIP.read_bytes())
        (folder / "index.html").write_text(PAGE.replace("WS_URL", ws_url).replace("ACCOUNT", BROWSER_ACCOUNT)
                                           .replace("PASSWORD", BROWSER_PASSWORD))
        page = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                page.reports.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/index.html"

    def stop(self):
        self.server.shutdown()


class States(AriEventWatcher):
    """The moments each channel of ours changed state, from the PBX's events (arrival time here)."""

    def __init__(self, asterisk):
        self.moments = {}
        super().__init__(asterisk.url, asterisk.user, asterisk.password, app=APP)

    def on_frame(self, frame):
        now = time.perf_counter()
        event = json.loads(frame)
        if event["type"] in ("ChannelStateChange", "StasisStart") and "channel" in event:
            self.moments.setdefault((event["channel"]["id"], event["channel"]["state"]), now)


def place(asterisk, states, endpoint):
    """One call to ``endpoint``: (offer -> ringing, offer -> answered, answer -> audio) in ms, None for what did
    not happen."""
    channel_id = f"bench-{time.time_ns()}"
    session = requests.Session()
    session.auth = (asterisk.user, asterisk.password)
    offered = time.perf_counter()
    session.post(f"{asterisk.url}/ari/channels", json={
        "endpoint": endpoint, "app": APP, "channelId": channel_id, "timeout": 15}, timeout=5).raise_for_status()
    up = wait_for(lambda: states.moments.get((channel_id, "Up")), timeout=15)
    first_audio = None
    deadline = time.perf_counter() + 5
    while first_audio is None and time.perf_counter() < deadline:
        stats = session.get(f"{asterisk.url}/ari/channels/{channel_id}/rtp_statistics", timeout=5)
        if stats.ok and stats.json().get("rxcount", 0) > 0:
            first_audio = time.perf_counter()
        else:
            time.sleep(0.005)
    time.sleep(TALK_SECONDS)
    session.delete(f"{asterisk.url}/ari/channels/{channel_id}", timeout=5)
    wait_for(lambda: not session.get(f"{asterisk.url}/ari/channels/{channel_id}", timeout=5).ok, timeout=10)
    ringing = states.moments.get((channel_id, "Ringing"))
    return ((ringing - offered) * 1000 if ringing else None, (up - offered) * 1000,
            (first_audio - up) * 1000 if first_audio else None)


def figures(values):
    values = [value for value in values if value is not None]
    if not values:
        return None, None, 0
    return percentile(values, 0.5), percentile(values, 0.99), len(values)


def line(label, values, baseline=None):
    median, p99, count = figures(values)
    if median is None:
        return f"  {label:<34} no measurement"
    text = f"  {label:<34} median {median:7.1f} ms   p99 {p99:7.1f} ms   (n={count})"
    base_median, base_p99, _count = figures(baseline) if baseline is not None else (None, None, 0)
    if base_median:
        text += f"   x{median / base_median:.2f} median, x{p99 / base_p99:.2f} p99 of the desk phone"
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20, help="calls per phone")
    args = parser.parse_args()
    for tool in ("chromium", "baresip"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool}")

    work = Path(tempfile.mkdtemp(prefix="bench-phones-"))
    asterisk = Asterisk(name=f"bench-phones-{time.time_ns()}")
    asterisk.start()
    states = desk_phone = chromium = page = None
    try:
        states = States(asterisk)
        voice = asterisk.instance / "sounds" / "agent-voice.wav"
        desk_phone = SipPhone(work / "desk", DESK_EXTENSION, DESK_PASSWORD, asterisk.settings["ASTERISK_SIP_PORT"],
                              voice)
        desk_phone.start(asterisk)
        page = Page(work, asterisk.url.replace("http://", "ws://") + "/ws")
        chromium = subprocess.Popen([
            "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required",
            f"--user-data-dir={work / 'profile'}", f"--remote-debugging-port={free_port()}", page.url,
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: any(report["event"] == "registered" for report in page.reports), timeout=30)

        measured = {"desk": [], "browser": []}
        for _ in range(args.calls):
            measured["desk"].append(place(asterisk, states, f"PJSIP/{DESK_EXTENSION}"))
            measured["browser"].append(place(asterisk, states, f"PJSIP/{BROWSER_ACCOUNT}"))
        in_page = [report["answer_to_audio_ms"] for report in page.reports if report["event"] == "audio"]

        print(f"Browser phone beside the desk phone: {args.calls} calls each, real Asterisk 22 on loopback")
        for index, title in enumerate((
                "Offer -> ringing (originate to the phone's 180, PBX side)",
                "Offer -> answered (to the phone's 200 OK; both answer at once: the browser's getUserMedia and ICE)",
                "Answer -> audio (the phone's 200 OK to its first RTP packet at the PBX)")):
            desk, browser = ([call[index] for call in measured[phone]] for phone in ("desk", "browser"))
            print(title)
            print(line("desk phone (baresip, UDP)", desk))
            print(line("browser phone (JsSIP, WebRTC)", browser, desk))
        print("The browser's own view")
        print(line("answer -> media path ready", in_page))
    finally:
        if chromium:
            chromium.terminate()
            chromium.wait(10)
        if page:
            page.stop()
        if desk_phone:
            desk_phone.stop()
        if states:
            states.close()
        asterisk.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
