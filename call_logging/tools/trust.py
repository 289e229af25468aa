"""Context markers that only Python code can set.

A JSON-RPC caller sends its context as JSON, which can hold strings, numbers and lists but never
one of these objects: a context value compared by identity with a marker therefore proves that
the code of these addons, not a remote caller, asked for what it relaxes.
"""


class Marker:
    """A context value no remote caller can forge; compared with ``is``."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<{self.name}>"


# The PBX's events, applied by the telephony lifecycle service (always in superuser mode).
PHONE_SYSTEM = Marker("phone system")
# A call's own actions (hold, resume, end, dial) writing the times and ids no user may type.
CALL_ACTION = Marker("call action")
