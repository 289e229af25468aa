"""A real SIP phone for the tests: Debian's baresip, registered to the test Asterisk over UDP.

It answers by itself and is driven through its TCP control interface (netstring JSON commands
such as ``hold``, ``resume``, ``hangup``), which is what only a handset can show: its own hold.
"""

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .conftest import free_port, wait_for


class SipPhone:
    def __init__(self, folder, extension, password, asterisk_sip_port, voice):
        self.folder = Path(folder)
        self.extension = extension
        self.control_port = free_port()
        self.sip_port = free_port(socket.SOCK_DGRAM)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "config").write_text("\n".join([
            "poll_method epoll",
            f"sip_listen 127.0.0.1:{self.sip_port}",
            "audio_player aufile,/dev/null",
            f"audio_source aufile,{voice}",
            "audio_alert aufile,/dev/null",
            "module_path /usr/lib/baresip/modules",
            "module g711.so", "module aufile.so",
            "module_app account.so", "module_app menu.so", "module_app ctrl_tcp.so",
            f"ctrl_tcp_listen 127.0.0.1:{self.control_port}",
            "",
        ]))
        (self.folder / "accounts").write_text(
            f"<sip:{extension}@127.0.0.1:{asterisk_sip_port};transport=udp>;auth_pass={password};"
            "answermode=auto;regint=300;audio_codecs=PCMU\n")
        self.process = None
        self.output = self.folder / "baresip.log"

    def start(self, pbx):
        if not shutil.which("baresip"):
            raise AssertionError("baresip is not installed: setup/asterisk.sh start installs it")
        self.process = subprocess.Popen(["baresip", "-f", str(self.folder)], stdin=subprocess.DEVNULL,
                                        stdout=self.output.open("w"), stderr=subprocess.STDOUT)
        wait_for(lambda: "Avail" in pbx.cli(f"pjsip show contacts {self.extension}")
                 or "NonQual" in pbx.cli(f"pjsip show contacts {self.extension}"), timeout=15)

    def command(self, name, params=""):
        payload = json.dumps({"command": name, "params": params, "token": name}).encode()
        with socket.create_connection(("127.0.0.1", self.control_port), timeout=5) as sock:
            sock.sendall(str(len(payload)).encode() + b":" + payload + b",")
            time.sleep(0.2)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
