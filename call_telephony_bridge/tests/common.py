import json
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest.mock import Mock

from odoo import Command, http
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

LINE_TOKEN = "line-token-for-tests-0123456789abcdef"
CUSTOMER_NUMBER = "+48 22 123 45 67"
LINE_NUMBER = "+48 22 100 00 00"


def setup_telephony_world(env):
    """A line, an agent with extension 201 who looks after Anna Kowalska of Kowalski Sp. z o.o."""
    world = {}
    world["line"] = env["telephony.line"].create({
        "name": "Sales line",
        "number": LINE_NUMBER,
        "default_extensions": "100",
    })
    world["line"]._set_token(LINE_TOKEN)
    world["agent"] = env["res.users"].create({
        "name": "Agnieszka Agent",
        "login": "agent201",
        "email": "agent201@example.com",
        "telephony_extension": "201",
        "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
    })
    world["colleague"] = env["res.users"].create({
        "name": "Cezary Colleague",
        "login": "colleague202",
        "telephony_extension": "202",
        "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
    })
    company = env["res.partner"].create({"name": "Kowalski Sp. z o.o.", "is_company": True})
    world["partner"] = env["res.partner"].create({
        "name": "Anna Kowalska",
        "parent_id": company.id,
        "phone": CUSTOMER_NUMBER,
        "user_id": world["agent"].id,
    })
    return world


class TelephonyWorldMixin:
    """For test classes: the telephony world of ``setup_telephony_world`` on the class, as ``line``, ``agent``
    (extension 201), ``colleague`` (202) and ``partner`` (Anna Kowalska, the agent's customer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        world = setup_telephony_world(cls.env)
        cls.line, cls.agent, cls.colleague, cls.partner = (
            world["line"], world["agent"], world["colleague"], world["partner"])


def bus_payloads(env, user, kind):
    """What ``user``'s browser receives of the bus notifications of ``kind``, in order."""
    env.cr.precommit.run()  # the bus writes its rows when the transaction commits
    rows = env["bus.bus"].sudo().search(
        [("channel", "like", f'"res.partner",{user.partner_id.id}]'), ("message", "like", kind)], order="id")
    messages = [json.loads(row.message) for row in rows]
    return [message["payload"] for message in messages if message["type"] == kind]


def connect_bridge(line, version="22.10.1"):
    """The line's bridge has just said it follows its Asterisk, as it does with each claim of dial orders."""
    line.sudo()._note_bridge_health(True, version)


class DialsThroughTheBridgeMixin:
    """For test classes whose real bridge places their click-to-dial calls. That bridge asks this Odoo for dial
    orders twice a second, and the server's requests share the test's one database connection: the test holds
    the connection's lock while it runs, and lets the bridge in only while it waits (``bridge_turn``)."""

    def setUp(self):
        super().setUp()
        self.registry.test_lock.acquire()
        # Runs first of the clean-ups: the server's remaining requests are waited for after it.
        self.addCleanup(self.registry.test_lock.release)


class ToursWithTheBridgeMixin:
    """For test classes running browser tours while their real bridge calls the server: a tour makes the server
    refuse requests without the tour's test cookie, and the bridge, another process, has none."""

    def check_test_cursor(self, operation):
        request = http.request
        if request and not isinstance(request, Mock) and request.httprequest.path.startswith("/telephony/v1/") \
                and not request.httprequest.cookies.get(TEST_CURSOR_COOKIE_NAME):
            return
        super().check_test_cursor(operation)


@contextmanager
def bridge_turn(case):
    """Let the server's requests in (the bridge's), however many times this thread holds the connection's lock."""
    lock = case.registry.test_lock
    depth = 0
    while lock._is_owned():  # an RLock says so only privately; the count is restored below
        lock.release()
        depth += 1
    try:
        yield
    finally:
        for _ in range(depth):
            lock.acquire()


def wait_for_bridge_health(case, line, timeout=20):
    """Wait until the real bridge of ``case`` said over HTTP that it follows its PBX (its first claims)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # The server's requests share the test's connection: read only between them.
        with case.registry.test_lock:
            line.invalidate_recordset()
            if line._bridge_connected():
                return
        with bridge_turn(case):
            time.sleep(0.2)
    case.fail("the bridge never said it follows its PBX:\n" + case.bridge.output()[-3000:])


class EventPoster:
    """Builds and posts events of one call the way the bridge does."""

    def __init__(self, case, call_id=None, direction="inbound", number=CUSTOMER_NUMBER, token=LINE_TOKEN):
        self.case = case
        self.call_id = call_id or "pbx-" + uuid.uuid4().hex
        self.direction = direction
        self.number = number
        self.token = token
        self.t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)

    def body(self, event, second=0, extension=None, event_id=True, **extra):
        parties = (self.number, LINE_NUMBER) if self.direction == "inbound" else (LINE_NUMBER, self.number)
        body = {
            "event": event,
            "call_id": self.call_id,
            "direction": self.direction,
            "from": parties[0],
            "to": parties[1],
            "extension": extension,
            "time": (self.t0 + timedelta(seconds=second)).isoformat(),
        }
        if event_id is True:
            body["event_id"] = f"{self.call_id}-{event}-{second}-{extension}"
        elif event_id:
            body["event_id"] = event_id
        body.update(extra)
        return body

    def post(self, event, second=0, extension=None, expect=200, **kwargs):
        return self.post_body(self.body(event, second, extension, **kwargs), expect=expect)

    def post_body(self, body, expect=200, token=None):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        headers = {"Content-Type": "application/json"}
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.case.url_open("/telephony/v1/events", data=data, headers=headers)
        self.case.assertEqual(response.status_code, expect, response.text)
        return response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None

    def call(self):
        self.case.env.invalidate_all()
        return self.case.env["crm.call"].search([("external_ref", "=", self.call_id)])
