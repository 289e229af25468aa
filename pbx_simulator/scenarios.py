"""Call scenarios: who calls, how each far end behaves, who hangs up and when.

A scenario is started through the control API (``POST /sim/calls``). Inbound
scenarios put a caller on the line at once; outbound ones wait for the app to
originate the agent with ``appArgs=clicktodial-agent`` (as the bridge does)
and then play the agent's and the customer's phones. All times are seconds and
may be fractional.
"""

import asyncio
import copy
import itertools

DEFAULT_CALLER = {"name": "Jan Kowalski", "number": "+48221234567"}
DEFAULT_DID = "48221000000"

PRESETS = {
    "answered": {"agents": {"*": 1.0}, "talk": 3.0, "hangup_by": "caller"},
    "missed": {"agents": {"*": "never"}, "talk": 2.0, "hangup_by": "caller"},
    "caller_gives_up": {"agents": {"*": "never"}, "caller_gives_up_after": 3.0},
    "busy": {"direction": "outbound", "agent": 1.0, "customer": "busy"},
    "hold": {"agents": {"*": 1.0}, "talk": 4.0, "hold_at": 1.0, "hold_for": 1.5, "hangup_by": "caller"},
    "recording": {"agents": {"*": 1.0}, "talk": 3.0, "hangup_by": "caller"},
    "click_to_dial": {"direction": "outbound", "agent": 1.0, "customer": 2.0, "talk": 3.0, "hangup_by": "agent"},
}

_implicit_ids = itertools.count(1)


class ScenarioError(ValueError):
    """A scenario description that cannot be played."""


class Behaviour:
    """How one far end (an agent's or a customer's phone) reacts when it is dialled.

    ``kind`` is ``answer`` (after ``after`` seconds), ``never``, ``busy`` or
    ``congestion``; ``talk`` makes that phone hang up ``talk`` seconds after
    it answered. A phone that answers or never answers rings at once; a busy
    or congested line refuses at once without ringing, unless ``after`` makes
    it ring first (a phone that rings, then rejects).
    """

    KINDS = ("answer", "never", "busy", "congestion")

    def __init__(self, kind, after=0.0, talk=None):
        if kind not in self.KINDS:
            raise ScenarioError(f"unknown far-end behaviour {kind!r}")
        self.kind = kind
        self.after = float(after)
        self.talk = None if talk is None else float(talk)

    @classmethod
    def parse(cls, value):
        """Read ``2.5`` (answer after), ``"never"``, ``"busy"``, ``"reject"``,
        ``"congestion"`` or ``{"answer_after": 2}`` / ``{"busy_after": 1}``."""
        if isinstance(value, Behaviour):
            return copy.copy(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return cls("answer", after=value)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("never", "no_answer", "noanswer"):
                return cls("never")
            if word == "busy":
                return cls("busy")
            if word == "reject":
                return cls("busy", after=0.8)
            if word == "congestion":
                return cls("congestion")
            if word == "answer":
                return cls("answer", after=1.0)
        if isinstance(value, dict):
            for key, kind in (("answer_after", "answer"), ("busy_after", "busy"),
                              ("congestion_after", "congestion")):
                if key in value:
                    return cls(kind, after=value[key], talk=value.get("talk"))
            if value.get("action"):
                return cls(value["action"], after=value.get("after", 0), talk=value.get("talk"))
        raise ScenarioError(f"cannot read far-end behaviour {value!r}")

    @classmethod
    def from_variables(cls, variables):
        """The recorded dialplan's knobs: ``SIM_RING``, ``SIM_BUSY``, ``SIM_CONG``, ``SIM_TALK``."""
        ring, talk = variables.get("SIM_RING"), variables.get("SIM_TALK") or None
        if variables.get("SIM_BUSY"):
            return cls("busy", after=float(ring or 0), talk=None)
        if variables.get("SIM_CONG"):
            return cls("congestion", after=float(ring or 0), talk=None)
        if ring == "never":
            return cls("never")
        if ring:
            return cls("answer", after=float(ring), talk=talk)
        return None

    def schedule(self, engine, first):
        """Arrange this behaviour for the originated pair whose ``;1`` is ``first``."""
        if self.kind in ("answer", "never") or self.after > 0:
            engine.far_rings(first)
        if self.kind == "answer":
            engine.later(self.after, self._answer, engine, first, owner=first)
        elif self.kind in ("busy", "congestion"):
            status, cause = ("BUSY", 17) if self.kind == "busy" else ("CONGESTION", 34)
            engine.later(self.after, engine.far_reject, first, status, cause, owner=first)

    def _answer(self, engine, first):
        engine.far_answer(first)
        if self.talk is not None and first.peer.alive:
            engine.later(self.talk, engine.far_hangup, first.peer, owner=first.peer)


class Scenario:
    """One simulated call and its cast, from the control API or from ``POST /channels``."""

    def __init__(self, scenario_id, spec):
        spec = dict(spec or {})
        preset = spec.pop("preset", None)
        if preset is not None:
            if preset not in PRESETS:
                raise ScenarioError(f"unknown preset {preset!r}; known: {', '.join(sorted(PRESETS))}")
            spec = {**PRESETS[preset], **spec}
        self.id = scenario_id
        self.preset = preset
        self.direction = spec.get("direction", "inbound")
        if self.direction not in ("inbound", "outbound"):
            raise ScenarioError("direction must be inbound or outbound")
        self.caller = {
            "name": spec.get("caller_name", DEFAULT_CALLER["name"]),
            "number": spec.get("caller_number", DEFAULT_CALLER["number"]),
        }
        self.dialled = str(spec.get("dialled", DEFAULT_DID))
        self.extension = spec.get("extension")
        self.agents = {str(k): Behaviour.parse(v) for k, v in (spec.get("agents") or {}).items()}
        self.agent = Behaviour.parse(spec.get("agent", 1.0))
        self.customer = Behaviour.parse(spec.get("customer", 2.0))
        self.talk = float(spec.get("talk", 3.0))
        self.hold_at = spec.get("hold_at")
        self.hold_for = float(spec.get("hold_for", 1.0))
        default_hangup = "agent" if self.direction == "outbound" else "caller"
        self.hangup_by = spec.get("hangup_by", default_hangup)
        if self.hangup_by not in ("caller", "agent", "customer"):
            raise ScenarioError("hangup_by must be caller, agent or customer")
        self.gives_up_after = spec.get("caller_gives_up_after", 60.0)
        self.live = set()
        self.seen = False
        self.done = asyncio.Event()

    @classmethod
    def from_variables(cls, engine, caller, did, variables, timeout=None):
        """The implicit scenario of a caller created with ``POST /channels`` to ``@from-pstn``:
        he gives up when the originate times out, as the world's caller does on Asterisk."""
        scenario = cls(f"ari-{next(_implicit_ids)}", {
            "caller_name": caller["name"], "caller_number": caller["number"], "dialled": did,
            "talk": float(variables.get("SIM_TALK") or 10), "hangup_by": "caller",
            "caller_gives_up_after": float(timeout or 30),
        })
        engine.scenarios[scenario.id] = scenario
        return scenario

    # ---------------------------------------------------------------- bookkeeping

    def channel_added(self, channel_id):
        """A channel of this scenario came to life."""
        self.live.add(channel_id)
        self.seen = True

    def channel_gone(self, channel_id):
        """A channel of this scenario was destroyed; the last one ends the scenario."""
        self.live.discard(channel_id)
        if self.seen and not self.live:
            self.done.set()

    def to_json(self):
        """State for the control API."""
        return {
            "id": self.id, "preset": self.preset, "direction": self.direction,
            "done": self.done.is_set(), "started": self.seen, "live_channels": len(self.live),
        }

    # ---------------------------------------------------------------- cast

    def behaviour_for(self, first, exten):
        """How the phone behind an originated pair reacts."""
        if first.role == "clicktodial-customer":
            behaviour = Behaviour.parse(self.customer)
            behaviour.talk = self.talk if self.hangup_by == "customer" else None
        elif first.role == "clicktodial-agent":
            behaviour = Behaviour.parse(self.agent)
            behaviour.talk = None
        else:
            behaviour = Behaviour.parse(self.agents.get(exten) or self.agents.get("*") or self.agent)
            behaviour.talk = self.talk if self.hangup_by == "agent" else None
        return behaviour

    def on_caller(self, engine, trunk, leg):
        """The caller is on the line and ringing our app."""
        if self.gives_up_after is not None:
            engine.later(float(self.gives_up_after), self._give_up, engine, trunk, leg, owner=trunk)

    @staticmethod
    def _give_up(engine, trunk, leg):
        # On Asterisk the world's originate of the caller times out: cause 19, like an unanswered leg.
        if leg.alive and leg.state != "Up":
            engine.originate_timed_out(trunk)

    def on_caller_answered(self, engine, leg):
        """The app answered the caller: start talking (and holding)."""
        if self.hangup_by == "caller":
            engine.later(self.talk, engine.far_hangup, leg.peer, owner=leg.peer)
        self._schedule_hold(engine, leg)

    def on_far_answer(self, engine, first):
        """A far end answered: for click-to-dial the customer's answer starts the talk."""
        if first.role != "clicktodial-customer":
            return
        agent = engine.channels.get(first.pending_args[1]) if len(first.pending_args) > 1 else None
        if self.hangup_by == "agent" and agent is not None:
            engine.later(self.talk, engine.far_hangup, agent.peer, owner=agent.peer)
        self._schedule_hold(engine, first)

    def _schedule_hold(self, engine, channel):
        if self.hold_at is None:
            return
        engine.later(float(self.hold_at), engine.phone_hold, channel, True, owner=channel)
        engine.later(float(self.hold_at) + self.hold_for, engine.phone_hold, channel, False, owner=channel)
