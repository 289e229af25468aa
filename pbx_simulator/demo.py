"""Demo mode: a realistic mix of calls, one every few seconds, until stopped."""

import asyncio
import logging
import random
import uuid

from .engine import AriError
from .scenarios import ScenarioError

_logger = logging.getLogger(__name__)

CALLER_NAMES = ["Jan Kowalski", "Yuki Tanaka", "Maria Rossi", "John Smith", "Ana Souza", ""]


def demo_spec(rng, numbers, extensions):
    """Pick the next demo call: mostly answered calls, some missed, held or outbound."""
    kind = rng.choices(
        ["answered", "missed", "caller_gives_up", "hold", "click_to_dial", "busy"],
        weights=[45, 15, 10, 15, 10, 5],
    )[0]
    number = rng.choice(numbers)
    spec = {"preset": kind, "caller_number": number, "caller_name": rng.choice(CALLER_NAMES)}
    if kind in ("answered", "hold"):
        spec.update(agents={"*": round(rng.uniform(2, 8), 1)}, talk=round(rng.uniform(8, 25), 1))
    elif kind == "missed":
        spec.update(talk=round(rng.uniform(4, 10), 1))
    elif kind == "caller_gives_up":
        spec.update(caller_gives_up_after=round(rng.uniform(4, 12), 1))
    else:
        spec.update(extension=rng.choice(extensions), customer="busy" if kind == "busy" else rng.uniform(2, 6),
                    talk=round(rng.uniform(8, 20), 1))
    return spec


async def run_demo(server, numbers, extensions, interval=8.0, seed=None):
    """Start one call every ``interval`` seconds (jittered) on ``server``'s engine."""
    rng = random.Random(seed)
    engine = server.engine
    while True:
        spec = demo_spec(rng, numbers, extensions)
        try:
            scenario = engine.start_scenario(spec)
            if scenario.direction == "outbound":
                # Nobody clicked "dial" in Odoo: place the click-to-dial the way Odoo would.
                engine.originate({
                    "endpoint": f"Local/{spec['extension']}@agents", "app": engine.default_app,
                    "appArgs": f"clicktodial-agent,{spec['caller_number']}",
                    "channelId": f"odoo-c2d-{uuid.uuid4().hex}",
                    "callerId": spec["caller_number"], "timeout": 30,
                })
            _logger.info("demo call %s: %s %s", scenario.id, spec["preset"], spec["caller_number"])
        except (AriError, ScenarioError) as error:
            _logger.warning("demo call not started: %s", error)
        await asyncio.sleep(interval * rng.uniform(0.6, 1.4))
