"""What only Python code can say: context markers, and waivers of the rules on calls.

**Markers.** A JSON-RPC caller sends its context as JSON, which can hold strings, numbers and lists
but never one of these objects: a context value compared by identity with a marker therefore proves
that the code of these addons, not a remote caller, set it. A marker never relaxes a rule; it only
tells a hook that it is being run again by its own work (see where each one is read).

**Waivers.** The rules on calls (what a user may type, the closed-call lock, the states only the
phone system sets) are checked in ``crm.call``'s ``create``, ``write`` and ``unlink``. A narrow
method that writes what users may not - the phone system's report of a call, the bookkeeping of a
call's own machinery - first checks what it was given, then opens a waiver with ``waiving`` around
its own write. A waiver names the rule it lifts, the model, the records (none for a creation) and
the fields; the rule's check asks ``granted`` whether the fields it is about to refuse are covered.
A waiver lives in a ``contextvars.ContextVar`` for the length of the ``with`` block only: it is
never part of an environment, so no recordset carries it out of the method, and no remote caller
can open one. A creation's waiver is spent by the first creation that uses it.
"""

from contextlib import contextmanager
from contextvars import ContextVar


class Marker:
    """A context value no remote caller can forge; compared with ``is``."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<{self.name}>"


# The call activities being brought in step with their calls (crm.call.activity.mixin): the activity's
# own writes and feedback must not sync the call back.
ACTIVITY_SYNCING = Marker("call activity syncing")
# A scheduled call being completed because its activity was marked done: the activity is done already.
ACTIVITY_DONE = Marker("call activity done")
# The PBX closing many calls in one transaction: their history notes are written together at the end.
HISTORY_DEFERRED = Marker("call history deferred")
# A statistics read that already chose the monthly table (crm.call.report._read_group).
MONTHLY_TABLE = Marker("call report monthly table")

# The rules a narrow method may waive.
SYSTEM_FIELDS = "system_fields"  # the refusal of the fields a call declares read-only
MANUAL_CREATE = "manual_create"  # what may be entered by hand: states, times, owner of a current call
MANUAL_WRITE = "manual_write"    # what may be changed by hand: the lock, states, owner, start, reschedules

_WAIVERS = ContextVar("call_logging_waivers", default=())


class _Waiver:
    __slots__ = ("fields", "ids", "model", "rules", "spent")

    def __init__(self, rules, model, ids, fields):
        self.rules = frozenset(rules)
        self.model = model
        self.ids = ids
        self.fields = frozenset(fields)
        self.spent = False


@contextmanager
def waiving(rules, records, fields, create=False):
    """Lift ``rules`` for ``fields`` on ``records`` (on the next creation of their model when ``create``)
    until the block ends. Only for narrow methods that checked ``fields`` and their values first."""
    waiver = _Waiver(rules, records._name, None if create else frozenset(records.ids), fields)
    token = _WAIVERS.set((*_WAIVERS.get(), waiver))
    try:
        yield
    finally:
        _WAIVERS.reset(token)


def _open_waivers(rule, records, create):
    for waiver in _WAIVERS.get():
        if rule not in waiver.rules or waiver.model != records._name:
            continue
        if (waiver.ids is None and not waiver.spent) if create else (
                waiver.ids is not None and set(records.ids) <= waiver.ids):
            yield waiver


def waived(rule, records, fields=(), create=False):
    """Whether one open waiver of ``rule`` covers ``fields`` on every one of ``records`` (on a creation of
    their model when ``create``: the waiver is then spent)."""
    for waiver in _open_waivers(rule, records, create):
        if set(fields) <= waiver.fields:
            if create:
                waiver.spent = True
            return True
    return False


def granted(rule, records):
    """The fields the open waivers of ``rule`` cover on every one of ``records``."""
    return frozenset().union(*(waiver.fields for waiver in _open_waivers(rule, records, False)))
