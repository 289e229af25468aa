"""``python -m pbx_simulator``: serve a simulated Asterisk ARI on loopback."""

import argparse
import asyncio
import logging
import os
import signal

from .demo import run_demo
from .runner import SimulatorServer

_logger = logging.getLogger("pbx_simulator")


def parse_args(argv=None):
    """Command-line flags; defaults come from the same variables the bridge reads."""
    parser = argparse.ArgumentParser(prog="python -m pbx_simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIM_PORT", "8088")))
    parser.add_argument("--user", default=os.environ.get("ARI_USER", "odoo"))
    parser.add_argument("--password", default=os.environ.get("ARI_PASSWORD", "odoo"))
    parser.add_argument("--app", default=os.environ.get("ARI_APP", "odoo"))
    parser.add_argument("--demo", action="store_true", help="play a mix of calls every few seconds")
    parser.add_argument("--numbers", default="+48221234567,+81312345678,+390612345678,+12125550123",
                        help="comma list of caller numbers for --demo")
    parser.add_argument("--extensions", default="101", help="comma list of agent extensions for outbound demo calls")
    parser.add_argument("--interval", type=float, default=8.0, help="seconds between demo calls")
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    return parser.parse_args(argv)


async def serve(args):
    """Run until SIGINT or SIGTERM."""
    server = SimulatorServer(args.host, args.port, args.user, args.password, args.app)
    await server.start()
    _logger.info("simulated Asterisk ARI on %s/ari (app %s)%s", server.url, args.app, ", demo on" if args.demo else "")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    demo = None
    if args.demo:
        numbers = [n.strip() for n in args.numbers.split(",") if n.strip()]
        extensions = [e.strip() for e in args.extensions.split(",") if e.strip()]
        demo = asyncio.create_task(run_demo(server, numbers, extensions, args.interval))
    await stop.wait()
    if demo:
        demo.cancel()
    await server.stop()


def main(argv=None):
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
