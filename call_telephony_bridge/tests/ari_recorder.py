"""An HTTP server on loopback in place of Asterisk's ARI that accepts every request and keeps it: what Odoo
asked the PBX, read back by the tests of click-to-dial. It places no call; the tests post the call's events."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class AriRecorder:
    """``url`` is ARI's base (``http://127.0.0.1:<port>``); ``originates()`` the parameters of each
    ``POST /ari/channels``, in order. ``stop()`` closes the server."""

    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                url = urlsplit(self.path)
                params = dict(parse_qsl(url.query))
                recorder.requests.append((self.command, url.path, params))
                body = json.dumps({"id": params.get("channelId", ""), "state": "Down"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def originates(self):
        return [params for method, path, params in self.requests if (method, path) == ("POST", "/ari/channels")]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
