"""The few Asterisk ARI calls Odoo makes itself (connection test, click-to-dial): plain ``requests``, no ORM."""

import requests

TIMEOUT = 5


class AriError(Exception):
    """ARI could not be reached or refused the request; the message says which, without credentials."""


class AriClient:
    """A client for Asterisk's REST Interface at ``url`` (e.g. ``http://127.0.0.1:8088``)."""

    def __init__(self, url, user, password, timeout=TIMEOUT):
        self.base = url.rstrip("/") + "/ari"
        self.auth = (user or "", password or "")
        self.timeout = timeout

    def asterisk_info(self):
        """``GET /ari/asterisk/info``: the PBX's build and status."""
        return self._request("GET", "/asterisk/info")

    def originate(self, endpoint, app, app_args, channel_id, caller_id, timeout=30):
        """``POST /ari/channels``: ring ``endpoint`` and hand the channel to the Stasis ``app``."""
        return self._request("POST", "/channels", params={
            "endpoint": endpoint,
            "app": app,
            "appArgs": app_args,
            "channelId": channel_id,
            "callerId": caller_id,
            "timeout": timeout,
            # A channel originated from nothing would otherwise talk signed linear at 192 kHz, and every
            # leg bridged to it would be resampled: the phones' own codecs keep a call cheap for the PBX.
            "formats": "ulaw,alaw",
        })

    def _request(self, method, path, params=None):
        try:
            response = requests.request(method, self.base + path, params=params, auth=self.auth, timeout=self.timeout)
        except requests.Timeout:
            raise AriError(f"no answer from {self.base} within {self.timeout} seconds")
        except requests.RequestException as exc:
            raise AriError(f"cannot reach {self.base}: {type(exc).__name__}")
        if response.status_code == 401:
            raise AriError("the PBX refused the ARI user name or password")
        if response.status_code >= 400:
            try:
                message = response.json().get("message") or response.reason
            except ValueError:
                message = response.reason
            raise AriError(f"the PBX answered {response.status_code}: {message}")
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise AriError("the PBX answered with something that is not JSON")
