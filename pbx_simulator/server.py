"""The simulated PBX's HTTP face: ARI's REST and events WebSocket, plus a control API.

Everything lives on one aiohttp application and one port, like Asterisk's
``http.conf`` port 8088: ``/ari/...`` speaks ARI, ``/sim/...`` starts and
watches scenarios.
"""

import asyncio
import base64
import binascii
import contextlib
import json
import logging

from aiohttp import WSMsgType, web

from .engine import AriError
from .scenarios import ScenarioError

_logger = logging.getLogger(__name__)

ENGINE = web.AppKey("engine", object)
CREDENTIALS = web.AppKey("credentials", tuple)
REFUSE_UNTIL = web.AppKey("refuse_until", list)


def _json(data, status=200):
    return web.json_response(data, status=status)


def _no_content():
    return web.Response(status=204)


def _error(status, message):
    return _json({"message": message}, status=status)


async def _params(request):
    """ARI takes parameters in the query string or in a JSON body; merge both."""
    params = dict(request.query)
    if request.can_read_body:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise AriError(400, "Request body is not valid JSON") from None
        if isinstance(body, dict):
            params.update(body)
    return params


def _authorized(request):
    user, password = request.app[CREDENTIALS]
    api_key = request.query.get("api_key")
    if api_key is not None:
        return api_key == f"{user}:{password}"
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    return decoded == f"{user}:{password}"


@web.middleware
async def ari_middleware(request, handler):
    """Authenticate ARI requests and turn AriError into ARI's JSON errors."""
    if request.path.startswith("/ari/") and not _authorized(request):
        return _error(401, "Authentication required")
    try:
        return await handler(request)
    except AriError as error:
        return _error(error.status, error.message)
    except ScenarioError as error:
        return _error(400, str(error))
    except web.HTTPNotFound:
        return _error(404, "Resource not found")
    except web.HTTPMethodNotAllowed:
        return _error(405, "Method not allowed")


def _engine(request):
    return request.app[ENGINE]


def _ids(value):
    if not value:
        raise AriError(400, "Parameter channel is required")
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in str(value).split(",") if v]


# ---------------------------------------------------------------------- asterisk

async def asterisk_info(request):
    """``GET /ari/asterisk/info``."""
    return _json({
        "build": {"os": "Linux", "kernel": "simulated", "machine": "x86_64", "options": "",
                  "date": "2026-01-01 00:00:00 UTC", "user": "pbx_simulator"},
        "system": {"version": "22.10.1", "entity_id": "02:fc:00:00:00:01"},
        "config": {"name": "pbx_simulator", "default_language": "en",
                   "setid": {"user": "", "group": ""}},
        "status": {"startup_time": "2026-01-01T00:00:00.000+0000",
                   "last_reload_time": "2026-01-01T00:00:00.000+0000"},
    })


# ---------------------------------------------------------------------- channels

async def list_channels(request):
    """``GET /ari/channels``."""
    return _json([c.to_json() for c in _engine(request).channels.values()])


async def originate(request):
    """``POST /ari/channels``."""
    return _json(_engine(request).originate(await _params(request)))


async def get_channel(request):
    """``GET /ari/channels/{id}``."""
    return _json(_engine(request).channel(request.match_info["id"]).to_json())


async def hangup_channel(request):
    """``DELETE /ari/channels/{id}``."""
    engine = _engine(request)
    channel = engine.channel(request.match_info["id"])
    engine.hangup(channel, (await _params(request)).get("reason", "normal"))
    return _no_content()


async def answer_channel(request):
    """``POST /ari/channels/{id}/answer``."""
    engine = _engine(request)
    engine.answer(engine.stasis_channel(request.match_info["id"]))
    return _no_content()


async def ring_channel(request):
    """``POST /ari/channels/{id}/ring``."""
    engine = _engine(request)
    engine.ring(engine.stasis_channel(request.match_info["id"]))
    return _no_content()


async def stop_ringing(request):
    """``DELETE /ari/channels/{id}/ring``."""
    _engine(request).stasis_channel(request.match_info["id"])
    return _no_content()


async def hold_channel(request):
    """``POST /ari/channels/{id}/hold`` and ``DELETE`` to resume."""
    engine = _engine(request)
    engine.hold(engine.stasis_channel(request.match_info["id"]), request.method == "POST")
    return _no_content()


async def set_variable(request):
    """``POST /ari/channels/{id}/variable``."""
    engine = _engine(request)
    channel = engine.stasis_channel(request.match_info["id"])
    params = await _params(request)
    if not params.get("variable"):
        raise AriError(400, "Variable name is required")
    engine.set_variable(channel, params["variable"], params.get("value", ""))
    return _no_content()


async def get_variable(request):
    """``GET /ari/channels/{id}/variable``."""
    channel = _engine(request).channel(request.match_info["id"])
    name = request.query.get("variable")
    if not name:
        raise AriError(400, "Variable name is required")
    if name not in channel.variables:
        raise AriError(404, "Provided variable was not found")
    return _json({"value": channel.variables[name]})


async def record_channel(request):
    """``POST /ari/channels/{id}/record``."""
    engine = _engine(request)
    channel = engine.stasis_channel(request.match_info["id"])
    return _json(engine.record(f"channel:{channel.id}", await _params(request)), status=201)


async def play_channel(request):
    """``POST /ari/channels/{id}/play`` (or ``/play/{playbackId}`` to choose the id): 201 and the playback."""
    engine = _engine(request)
    channel = engine.stasis_channel(request.match_info["id"])
    media = (await _params(request)).get("media")
    media = media if isinstance(media, list) else [m for m in str(media or "").split(",") if m]
    playback = engine.play(channel, media, request.match_info.get("playback_id"))
    return web.json_response(playback, status=201, headers={"Location": f"/ari/playbacks/{playback['id']}"})


async def get_playback(request):
    """``GET /ari/playbacks/{id}``: a playback still in progress."""
    return _json(_engine(request).playback(request.match_info["id"]).to_json())


# ---------------------------------------------------------------------- bridges

async def list_bridges(request):
    """``GET /ari/bridges``."""
    return _json([b.to_json() for b in _engine(request).bridges.values()])


async def create_bridge(request):
    """``POST /ari/bridges`` (or ``/ari/bridges/{id}`` to choose the id)."""
    params = await _params(request)
    bridge = _engine(request).create_bridge(
        request.match_info.get("id") or params.get("bridgeId"), params.get("name", ""), params.get("type", "mixing"),
    )
    return _json(bridge.to_json())


async def get_bridge(request):
    """``GET /ari/bridges/{id}``."""
    return _json(_engine(request).bridge(request.match_info["id"]).to_json())


async def destroy_bridge(request):
    """``DELETE /ari/bridges/{id}``."""
    engine = _engine(request)
    engine.destroy_bridge(engine.bridge(request.match_info["id"]))
    return _no_content()


async def add_channel(request):
    """``POST /ari/bridges/{id}/addChannel``."""
    engine = _engine(request)
    bridge = engine.bridge(request.match_info["id"])
    engine.add_channels(bridge, _ids((await _params(request)).get("channel")))
    return _no_content()


async def remove_channel(request):
    """``POST /ari/bridges/{id}/removeChannel``."""
    engine = _engine(request)
    bridge = engine.bridge(request.match_info["id"])
    engine.remove_channels(bridge, _ids((await _params(request)).get("channel")))
    return _no_content()


async def record_bridge(request):
    """``POST /ari/bridges/{id}/record``."""
    engine = _engine(request)
    bridge = engine.bridge(request.match_info["id"])
    return _json(engine.record(f"bridge:{bridge.id}", await _params(request)), status=201)


# ---------------------------------------------------------------------- recordings

def _live(request):
    recording = _engine(request).live_recordings.get(request.match_info["name"])
    if recording is None:
        raise AriError(404, "Recording not found")
    return recording


async def get_live_recording(request):
    """``GET /ari/recordings/live/{name}``."""
    return _json(_live(request).to_json())


async def stop_live_recording(request):
    """``POST /ari/recordings/live/{name}/stop``."""
    _engine(request).stop_recording(_live(request))
    return _no_content()


async def list_stored(request):
    """``GET /ari/recordings/stored``."""
    stored = _engine(request).stored_recordings
    return _json([{"name": name, "format": data["format"]} for name, data in stored.items()])


def _stored(request):
    name = request.match_info["name"]
    stored = _engine(request).stored_recordings.get(name)
    if stored is None:
        raise AriError(404, "Recording not found")
    return name, stored


async def get_stored(request):
    """``GET /ari/recordings/stored/{name}``."""
    name, stored = _stored(request)
    return _json({"name": name, "format": stored["format"]})


async def delete_stored(request):
    """``DELETE /ari/recordings/stored/{name}``."""
    name, _stored_data = _stored(request)
    del _engine(request).stored_recordings[name]
    return _no_content()


async def stored_file(request):
    """``GET /ari/recordings/stored/{name}/file``: the audio itself."""
    return web.Response(body=_engine(request).recording_file(request.match_info["name"]), content_type="audio/wav")


# ---------------------------------------------------------------------- events

async def events(request):
    """``GET /ari/events?app=...&subscribeAll=...``: the events WebSocket."""
    apps = [a for a in request.query.get("app", "").split(",") if a]
    if asyncio.get_running_loop().time() < request.app[REFUSE_UNTIL][0]:
        return _error(503, "Events are refused for a while (simulated outage)")
    if not apps:
        return _error(400, "Missing parameter app")
    socket = web.WebSocketResponse(heartbeat=20)
    await socket.prepare(request)
    engine = _engine(request)
    subscriber = engine.subscribe(apps, request.query.get("subscribeAll", "").lower() in ("true", "1", "yes"))

    async def pump():
        while True:
            event = await subscriber.queue.get()
            if event is None:
                await socket.close()
                return
            await socket.send_str(event if isinstance(event, str) else json.dumps(event, separators=(",", ":")))

    sender = asyncio.create_task(pump())
    try:
        async for message in socket:
            if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        engine.unsubscribe(subscriber)
        sender.cancel()
    return socket


# ---------------------------------------------------------------------- control API

async def start_call(request):
    """``POST /sim/calls``: start a scenario (JSON body, see scenarios.py)."""
    try:
        spec = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError:
        return _error(400, "body must be JSON")
    scenario = _engine(request).start_scenario(spec if isinstance(spec, dict) else {})
    return _json(scenario.to_json(), status=201)


async def get_call(request):
    """``GET /sim/calls/{id}?wait=<seconds>``: a scenario's state, waiting for its end."""
    scenario = _engine(request).scenarios.get(request.match_info["id"])
    if scenario is None:
        return _error(404, "Scenario not found")
    wait = float(request.query.get("wait", 0) or 0)
    if wait > 0 and not scenario.done.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(scenario.done.wait(), wait)
    return _json(scenario.to_json())


async def status(request):
    """``GET /sim/status``: what is alive now."""
    return _json(_engine(request).snapshot())


async def disconnect_clients(request):
    """``POST /sim/disconnect?refuse=<seconds>``: close every events WebSocket and refuse
    new ones for a while (a simulated network outage)."""
    engine = _engine(request)
    refuse = float(request.query.get("refuse", 0) or 0)
    request.app[REFUSE_UNTIL][0] = asyncio.get_running_loop().time() + refuse
    return _json({"closed": engine.close_subscribers()})


async def inject_frames(request):
    """``POST /sim/inject``: send raw frames (JSON list of strings) to every events WebSocket."""
    frames = await request.json()
    if not isinstance(frames, list):
        return _error(400, "body must be a JSON list of strings")
    for subscriber in list(_engine(request).subscribers):
        for frame in frames:
            subscriber.queue.put_nowait(frame if isinstance(frame, str) else json.dumps(frame))
    return _json({"sent": len(frames)})


def build_app(engine, user, password):
    """The aiohttp application serving ``engine`` with those ARI credentials."""
    app = web.Application(middlewares=[ari_middleware])
    app[ENGINE] = engine
    app[CREDENTIALS] = (user, password)
    app[REFUSE_UNTIL] = [0.0]
    r = app.router
    r.add_get("/ari/asterisk/info", asterisk_info)
    r.add_get("/ari/channels", list_channels)
    r.add_post("/ari/channels", originate)
    r.add_get("/ari/channels/{id}", get_channel)
    r.add_delete("/ari/channels/{id}", hangup_channel)
    r.add_post("/ari/channels/{id}/answer", answer_channel)
    r.add_post("/ari/channels/{id}/ring", ring_channel)
    r.add_delete("/ari/channels/{id}/ring", stop_ringing)
    r.add_post("/ari/channels/{id}/hold", hold_channel)
    r.add_delete("/ari/channels/{id}/hold", hold_channel)
    r.add_post("/ari/channels/{id}/variable", set_variable)
    r.add_get("/ari/channels/{id}/variable", get_variable)
    r.add_post("/ari/channels/{id}/record", record_channel)
    r.add_post("/ari/channels/{id}/play", play_channel)
    r.add_post("/ari/channels/{id}/play/{playback_id}", play_channel)
    r.add_get("/ari/playbacks/{id}", get_playback)
    r.add_get("/ari/bridges", list_bridges)
    r.add_post("/ari/bridges", create_bridge)
    r.add_get("/ari/bridges/{id}", get_bridge)
    r.add_post("/ari/bridges/{id}", create_bridge)
    r.add_delete("/ari/bridges/{id}", destroy_bridge)
    r.add_post("/ari/bridges/{id}/addChannel", add_channel)
    r.add_post("/ari/bridges/{id}/removeChannel", remove_channel)
    r.add_post("/ari/bridges/{id}/record", record_bridge)
    r.add_get("/ari/recordings/live/{name}", get_live_recording)
    r.add_post("/ari/recordings/live/{name}/stop", stop_live_recording)
    r.add_get("/ari/recordings/stored", list_stored)
    r.add_get("/ari/recordings/stored/{name}", get_stored)
    r.add_delete("/ari/recordings/stored/{name}", delete_stored)
    r.add_get("/ari/recordings/stored/{name}/file", stored_file)
    r.add_get("/ari/events", events)
    r.add_post("/sim/calls", start_call)
    r.add_get("/sim/calls/{id}", get_call)
    r.add_get("/sim/status", status)
    r.add_post("/sim/disconnect", disconnect_clients)
    r.add_post("/sim/inject", inject_frames)
    return app
