"""The routing plan of an inbound call, as Odoo's ``/telephony/v1/route`` answers it.

A plan is a list of steps; each step rings all its extensions at once for
``timeout`` seconds (or, when Odoo gives only ``rings``, that many rings of
BRIDGE_RING_SECONDS each); after the last step the ``fallback`` takes the call
(``voicemail`` or ``hangup``). The whole answer is kept with the call: why each
step rings (``target``), its ``rings``, the ``caller_type`` Odoo found and its
``notices`` for the admin. When Odoo cannot answer, the plan falls back to
BRIDGE_DEFAULT_EXTENSIONS so that no call is ever dropped.
"""

from dataclasses import dataclass, field

FALLBACKS = ("voicemail", "hangup")
CALLER_TYPES = ("contact", "account", "lead", "unknown")
# Odoo's notices are short sentences for the admin; a broken answer must not flood the log.
MAX_NOTICES = 20
MAX_NOTICE_LENGTH = 500


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class Step:
    """Extensions rung together, for how long, how many rings that is and why they ring."""

    extensions: tuple
    timeout: int
    rings: int | None = None
    target: str = ""


@dataclass(frozen=True)
class RoutePlan:
    """Where an inbound call goes: steps, then a fallback; ``skip`` silences the call's events.

    ``caller_type`` is Odoo's identification of the caller (``None`` when Odoo did not answer),
    ``notices`` what did not go as configured on its side."""

    steps: tuple = field(default_factory=tuple)
    fallback: str = "voicemail"
    skip: bool = False
    caller_type: str | None = None
    notices: tuple = field(default_factory=tuple)

    @classmethod
    def default(cls, extensions, timeout=20):
        """The plan used when Odoo is unreachable or answers nonsense."""
        steps = (Step(tuple(extensions), timeout, target="default"),) if extensions else ()
        return cls(steps=steps, fallback="voicemail", skip=False)

    @classmethod
    def from_answer(cls, answer, default_extensions=(), default_timeout=20, ring_seconds=5):
        """Read Odoo's JSON answer, tolerating missing or malformed parts."""
        if not isinstance(answer, dict):
            return cls.default(default_extensions, default_timeout)
        steps = []
        for raw in answer.get("steps") or []:
            if not isinstance(raw, dict):
                continue
            extensions = tuple(str(e) for e in raw.get("extensions") or [] if str(e).strip())
            rings = _positive_int(raw.get("rings"))
            # The seconds Odoo gives win; an answer in rings only rings that many rings.
            unset = rings * ring_seconds if rings else default_timeout
            try:
                timeout = int(raw.get("timeout") or unset)
            except (TypeError, ValueError):
                timeout = unset
            target = raw.get("target") if isinstance(raw.get("target"), str) else ""
            if extensions:
                steps.append(Step(extensions, max(timeout, 1), rings, target))
        if not steps and not answer.get("skip") and default_extensions and answer.get("fallback") is None:
            return cls.default(default_extensions, default_timeout)
        fallback = answer.get("fallback") if answer.get("fallback") in FALLBACKS else "voicemail"
        caller_type = answer.get("caller_type") if answer.get("caller_type") in CALLER_TYPES else None
        notices = answer.get("notices") if isinstance(answer.get("notices"), list) else []
        notices = tuple(n[:MAX_NOTICE_LENGTH] for n in notices if isinstance(n, str) and n.strip())[:MAX_NOTICES]
        return cls(steps=tuple(steps), fallback=fallback, skip=bool(answer.get("skip")), caller_type=caller_type,
                   notices=notices)

    def snapshot(self):
        """The plan as JSON-able values, for the calls kept across a restart."""
        return {"steps": [{"extensions": list(s.extensions), "timeout": s.timeout, "rings": s.rings,
                           "target": s.target} for s in self.steps],
                "fallback": self.fallback, "skip": self.skip, "caller_type": self.caller_type,
                "notices": list(self.notices)}

    @classmethod
    def from_snapshot(cls, data):
        # A snapshot written by an older bridge has no rings, target, caller type nor notices.
        steps = tuple(Step(tuple(s["extensions"]), s["timeout"], s.get("rings"), s.get("target") or "")
                      for s in data["steps"])
        return cls(steps=steps, fallback=data["fallback"], skip=data["skip"], caller_type=data.get("caller_type"),
                   notices=tuple(data.get("notices") or ()))
