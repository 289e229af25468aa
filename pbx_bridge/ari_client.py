"""Talking to Asterisk: ARI's REST API (requests) and its events WebSocket (websocket-client)."""

import contextlib
import datetime
import json
import logging
import socket
import threading
from urllib.parse import quote, urlencode

import requests
import websocket

from .backoff import Backoff

_logger = logging.getLogger(__name__)


class AriError(Exception):
    """ARI answered with an error status."""

    def __init__(self, status, message):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class AriRest:
    """The few ARI REST calls the bridge makes, authenticated with HTTP basic auth."""

    def __init__(self, base_url, user, password, app, timeout=10.0):
        self.base = base_url.rstrip("/") + "/ari"
        self.app = app
        self.timeout = timeout
        self.session = requests.Session()
        self.session.auth = (user, password)

    def _call(self, method, path, params=None, body=None, raw=False, missing_ok=False):
        response = self.session.request(method, self.base + path, params=params, json=body, timeout=self.timeout)
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code >= 400:
            try:
                message = response.json().get("message", "")
            except ValueError:
                message = response.text[:200]
            raise AriError(response.status_code, message)
        if raw:
            return response
        return response.json() if response.content else None

    def originate(self, endpoint, app_args, caller_id=None, timeout=30, originator=None, channel_id=None,
                  formats=None):
        """``POST /channels``: dial an endpoint that enters our Stasis app when it answers."""
        body = {"endpoint": endpoint, "app": self.app, "appArgs": app_args, "timeout": timeout}
        for key, value in (("callerId", caller_id), ("originator", originator), ("channelId", channel_id),
                           ("formats", formats)):
            if value:
                body[key] = value
        return self._call("POST", "/channels", body=body)

    def hangup(self, channel_id, reason="normal"):
        """``DELETE /channels/{id}``; a channel already gone is not an error."""
        self._call("DELETE", f"/channels/{quote(channel_id)}", params={"reason": reason}, missing_ok=True)

    def answer(self, channel_id):
        """``POST /channels/{id}/answer``."""
        self._call("POST", f"/channels/{quote(channel_id)}/answer")

    def ring(self, channel_id):
        """``POST /channels/{id}/ring``: ringback to the caller."""
        self._call("POST", f"/channels/{quote(channel_id)}/ring")

    def create_bridge(self, name):
        """``POST /bridges`` (mixing)."""
        return self._call("POST", "/bridges", params={"type": "mixing", "name": name})

    def add_channels(self, bridge_id, channel_ids):
        """``POST /bridges/{id}/addChannel``."""
        self._call("POST", f"/bridges/{quote(bridge_id)}/addChannel", params={"channel": ",".join(channel_ids)})

    def destroy_bridge(self, bridge_id):
        """``DELETE /bridges/{id}``; a bridge already gone is not an error."""
        self._call("DELETE", f"/bridges/{quote(bridge_id)}", missing_ok=True)

    def record(self, kind, target_id, name, max_seconds=0):
        """``POST /{bridges|channels}/{id}/record`` in WAV, overwriting a stale file of that name."""
        params = {"name": name, "format": "wav", "ifExists": "overwrite", "beep": "false",
                  "terminateOn": "none", "maxDurationSeconds": max_seconds}
        return self._call("POST", f"/{kind}/{quote(target_id)}/record", params=params)

    def stored_recording(self, name):
        """``GET /recordings/stored/{name}/file``: ``(bytes, content type)``."""
        response = self._call("GET", f"/recordings/stored/{quote(name)}/file", raw=True)
        return response.content, response.headers.get("Content-Type", "audio/wav").split(";")[0]

    def delete_stored_recording(self, name):
        """``DELETE /recordings/stored/{name}``; a recording already gone is not an error."""
        self._call("DELETE", f"/recordings/stored/{quote(name)}", missing_ok=True)

    def play(self, channel_id, media, playback_id):
        """``POST /channels/{id}/play/{playbackId}``: play media URIs in turn (``PlaybackFinished`` after the last)."""
        self._call("POST", f"/channels/{quote(channel_id)}/play/{quote(playback_id)}",
                   params={"media": ",".join(media)})

    def asterisk_info(self):
        """``GET /asterisk/info``: the PBX's build and status."""
        return self._call("GET", "/asterisk/info")

    def reload_module(self, module):
        """``PUT /asterisk/modules/{module}``: Asterisk reads that module's configuration again."""
        return self._call("PUT", f"/asterisk/modules/{quote(module)}")

    def channel(self, channel_id):
        """``GET /channels/{id}``; None when the channel is gone."""
        return self._call("GET", f"/channels/{quote(channel_id)}", missing_ok=True)

    def channels(self):
        """``GET /channels``."""
        return self._call("GET", "/channels")

    def bridges(self):
        """``GET /bridges``."""
        return self._call("GET", "/bridges")


class EventStream:
    """The events WebSocket, kept open for ever: reconnects with back-off.

    ``on_event(dict)`` gets every well-formed event in arrival order (never
    sorted); ``on_connect(first, lost_at)`` runs after each (re)connection, before
    the first event, so that the caller can reconcile what it missed; ``lost_at``
    is when the previous connection broke (ISO-8601 UTC), ``None`` on the first.
    """

    def __init__(self, base_url, user, password, app, on_event, on_connect, max_backoff=30.0):
        ws_base = base_url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        query = urlencode({"app": app, "subscribeAll": "true", "api_key": f"{user}:{password}"})
        self._url = f"{ws_base}/ari/events?{query}"
        self.display_url = f"{ws_base}/ari/events?app={app}&subscribeAll=true"
        self.on_event = on_event
        self.on_connect = on_connect
        self.backoff = Backoff(cap=max_backoff)
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._socket = None
        self._thread = threading.Thread(target=self._run, name="ari-events", daemon=True)

    def start(self):
        """Connect and read in the background."""
        self._thread.start()

    def stop(self):
        """Close the socket and end the thread."""
        self._stop.set()
        if self._socket is not None:
            close_now(self._socket)
        self._thread.join(10)

    def _run(self):
        first = True
        lost_at = None
        while not self._stop.is_set():
            try:
                self._socket = websocket.create_connection(self._url, timeout=10)
            except (OSError, websocket.WebSocketException) as error:
                delay = self.backoff.next_delay()
                _logger.warning("cannot reach ARI events at %s (%s); retrying in %.1f s",
                                self.display_url, type(error).__name__, delay)
                self._stop.wait(delay)
                continue
            _logger.info("%s ARI events at %s", "connected to" if first else "reconnected to", self.display_url)
            self.backoff.reset()
            self._socket.settimeout(None)
            try:
                self.on_connect(first, lost_at)
            except Exception:
                _logger.exception("reconciliation after connecting failed")
            first = False
            self.connected.set()
            self._read()
            lost_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
            self.connected.clear()
            if not self._stop.is_set():
                _logger.warning("ARI events connection lost; reconnecting")

    def _read(self):
        while not self._stop.is_set():
            try:
                frame = self._socket.recv()
            except (OSError, websocket.WebSocketException):
                return
            if not frame:
                if not self._socket.connected:
                    return
                continue
            event = parse_event(frame)
            if event is None:
                continue
            try:
                self.on_event(event)
            except Exception:
                _logger.exception("handling ARI event %s failed; skipped", event.get("type"))


def close_now(events_socket):
    """Close a WebSocket that another thread is reading. No closing handshake: it would wait for the read lock
    the reader holds while it blocks. Shutting the socket down wakes the reader; closing it would not."""
    with contextlib.suppress(OSError, AttributeError):
        events_socket.sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError, websocket.WebSocketException):
        events_socket.shutdown()


def parse_event(frame):
    """A WebSocket frame as an event dict, or None (logged) when it is not a usable event."""
    if isinstance(frame, bytes):
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            _logger.warning("skipped a binary ARI frame that is not UTF-8")
            return None
    try:
        event = json.loads(frame)
    except ValueError:
        _logger.warning("skipped an ARI frame that is not JSON: %.80r", frame)
        return None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        _logger.warning("skipped an ARI frame without an event type: %.80r", frame)
        return None
    return event
