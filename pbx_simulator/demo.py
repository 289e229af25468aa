"""Demo mode: a realistic mix of calls, one every few seconds, until stopped."""

import asyncio
import logging
import random

from .engine import AriError
from .scenarios import PRESETS, ScenarioError

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
            if PRESETS[spec["preset"]].get("direction") == "outbound":
                # Outbound calls are the demo users' own clicks on Call (Odoo orders them from the bridge):
                # one cast waits for the next click, its phones played as this preset.
                if not engine.pending_outbound:
                    engine.start_scenario(spec)
                    _logger.info("demo: the next click-to-dial is played as %s to %s", spec["preset"],
                                 spec["caller_number"])
            else:
                scenario = engine.start_scenario(spec)
                _logger.info("demo call %s: %s %s", scenario.id, spec["preset"], spec["caller_number"])
        except (AriError, ScenarioError) as error:
            _logger.warning("demo call not started: %s", error)
        await asyncio.sleep(interval * rng.uniform(0.6, 1.4))
