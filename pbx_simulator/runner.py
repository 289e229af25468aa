"""Run the simulated PBX on its own asyncio loop, in the foreground or in a thread."""

import asyncio
import threading

from aiohttp import web

from .engine import Engine
from .server import build_app


class SimulatorServer:
    """The simulator's aiohttp server bound to ``host:port`` (port 0 picks a free one)."""

    def __init__(self, host="127.0.0.1", port=8088, user="odoo", password="odoo", app="odoo"):
        self.host = host
        self.port = port
        self.engine = Engine(default_app=app)
        self.user = user
        self.password = password
        self._runner = None

    async def start(self):
        """Bind and start serving; sets ``self.port`` to the real port."""
        app = build_app(self.engine, self.user, self.password)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self):
        """Close every connection and stop serving."""
        self.engine.close_subscribers()
        await self._runner.cleanup()

    @property
    def url(self):
        """The HTTP base, as ``ARI_URL`` wants it."""
        return f"http://{self.host}:{self.port}"


class SimulatorThread:
    """A simulator running in a background thread (used by the tests)."""

    def __init__(self, **kwargs):
        self.server = SimulatorServer(port=kwargs.pop("port", 0), **kwargs)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="pbx-simulator", daemon=True)

    def start(self):
        """Start the loop thread and wait until the port is bound."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def call(self, function, *args):
        """Run ``function(*args)`` on the simulator's loop and return its result."""
        async def run():
            return function(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def stop(self):
        """Stop serving and end the thread."""
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    @property
    def url(self):
        """The HTTP base of the running simulator."""
        return self.server.url
