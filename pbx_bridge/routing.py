"""The routing plan of an inbound call, as Odoo's ``/telephony/v1/route`` answers it.

A plan is a list of steps; each step rings all its extensions at once for
``timeout`` seconds; after the last step the ``fallback`` takes the call
(``voicemail`` or ``hangup``). When Odoo cannot answer, the plan falls back
to BRIDGE_DEFAULT_EXTENSIONS so that no call is ever dropped.
"""

from dataclasses import dataclass, field

FALLBACKS = ("voicemail", "hangup")


@dataclass(frozen=True)
class Step:
    """Extensions rung together, and for how long."""

    extensions: tuple
    timeout: int


@dataclass(frozen=True)
class RoutePlan:
    """Where an inbound call goes: steps, then a fallback; ``skip`` silences the call's events."""

    steps: tuple = field(default_factory=tuple)
    fallback: str = "voicemail"
    skip: bool = False

    @classmethod
    def default(cls, extensions, timeout=20):
        """The plan used when Odoo is unreachable or answers nonsense."""
        steps = (Step(tuple(extensions), timeout),) if extensions else ()
        return cls(steps=steps, fallback="voicemail", skip=False)

    @classmethod
    def from_answer(cls, answer, default_extensions=(), default_timeout=20):
        """Read Odoo's JSON answer, tolerating missing or malformed parts."""
        if not isinstance(answer, dict):
            return cls.default(default_extensions, default_timeout)
        steps = []
        for raw in answer.get("steps") or []:
            if not isinstance(raw, dict):
                continue
            extensions = tuple(str(e) for e in raw.get("extensions") or [] if str(e).strip())
            try:
                timeout = int(raw.get("timeout") or default_timeout)
            except (TypeError, ValueError):
                timeout = default_timeout
            if extensions:
                steps.append(Step(extensions, max(timeout, 1)))
        if not steps and not answer.get("skip") and default_extensions and answer.get("fallback") is None:
            return cls.default(default_extensions, default_timeout)
        fallback = answer.get("fallback") if answer.get("fallback") in FALLBACKS else "voicemail"
        return cls(steps=tuple(steps), fallback=fallback, skip=bool(answer.get("skip")))

    def snapshot(self):
        """The plan as JSON-able values, for the calls kept across a restart."""
        return {"steps": [{"extensions": list(s.extensions), "timeout": s.timeout} for s in self.steps],
                "fallback": self.fallback, "skip": self.skip}

    @classmethod
    def from_snapshot(cls, data):
        steps = tuple(Step(tuple(s["extensions"]), s["timeout"]) for s in data["steps"])
        return cls(steps=steps, fallback=data["fallback"], skip=data["skip"])
