import base64
import uuid
from datetime import UTC, datetime, timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

from ..tools.event_schema import parse_event
from .common import CUSTOMER_NUMBER, TelephonyWorldMixin

UNKNOWN_NUMBER = "+48 61 999 88 77"


@tagged("post_install", "-at_install")
class TestRouting(TelephonyWorldMixin, TransactionCase):
    """The route plan of inbound calls: owner, queues, manager, voicemail, and bad configuration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.agent
        cls.line.write({"default_extensions": False, "ring_seconds": 5, "owner_rings": 4,
                        "skip_busy_users": False})
        salesman = cls.env.ref("sales_team.group_sale_salesman")

        def user(name, extension):
            return cls.env["res.users"].create({
                "name": name, "login": name.lower(), "telephony_extension": extension,
                "groups_id": [Command.link(salesman.id)],
            })

        cls.ala, cls.bartek, cls.celina = user("Ala", "301"), user("Bartek", "302"), user("Celina", "303")
        cls.boss = user("Boss", "401")
        cls.team = cls.env["crm.team"].create({
            "name": "Warsaw desk", "user_id": cls.boss.id, "member_ids": [Command.link(cls.owner.id)],
        })
        cls.queue = cls.make_queue("Sales desk", cls.ala | cls.bartek | cls.celina)

    @classmethod
    def make_queue(cls, name, users, **values):
        return cls.env["telephony.queue"].create({
            "name": name, "rings_per_member": 2,
            "member_ids": [Command.create({"user_id": user.id, "sequence": n}) for n, user in enumerate(users)],
            **values,
        })

    def route(self, number=CUSTOMER_NUMBER):
        return self.env["telephony.router"]._route(self.line, number, "+48 22 100 00 00")

    def extensions(self, plan):
        return [step["extensions"] for step in plan["steps"]]

    # ------------------------------------------------------------------ the owner and the line's fallbacks
    def test_known_caller_rings_their_owner_then_goes_to_voicemail(self):
        plan = self.route()
        self.assertEqual(plan["steps"], [{"extensions": ["201"], "timeout": 20, "rings": 4, "target": "owner"}])
        self.assertEqual((plan["fallback"], plan["skip"], plan["caller_type"], plan["notices"]),
                         ("voicemail", False, "contact", []))

    def test_rings_become_seconds_with_the_line_length_of_a_ring(self):
        self.line.write({"owner_rings": 2, "ring_seconds": 1})
        self.assertEqual(self.route()["steps"][0]["timeout"], 2)

    def test_owner_not_answering_goes_to_the_queue_members_in_order(self):
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        plan = self.route()
        self.assertEqual(self.extensions(plan), [["201"], ["301"], ["302"], ["303"]])
        self.assertEqual([s["timeout"] for s in plan["steps"]], [20, 10, 10, 10])
        self.assertEqual(plan["steps"][1]["target"], f"queue:{self.queue.id}")

    def test_ring_all_queue_rings_every_member_at_once(self):
        self.queue.distribution = "ring_all"
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        self.assertEqual(self.extensions(self.route()), [["201"], ["301", "302", "303"]])

    def test_round_robin_queue_starts_each_call_with_the_next_member(self):
        self.queue.distribution = "round_robin"
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        firsts = [self.extensions(self.route())[1:] for _call in range(4)]
        self.assertEqual(firsts, [
            [["301"], ["302"], ["303"]],
            [["302"], ["303"], ["301"]],
            [["303"], ["301"], ["302"]],
            [["301"], ["302"], ["303"]],
        ])

    def test_longest_idle_queue_rings_first_whoever_waited_longest(self):
        self.queue.distribution = "longest_idle"
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        now = fields.Datetime.now()
        Call = self.env["crm.call"]
        Call._telephony_create({"user_id": self.ala.id, "direction": "inbound", "state": "done",
                     "start": now - timedelta(minutes=10), "duration": 60})
        Call._telephony_create({"user_id": self.bartek.id, "direction": "inbound", "state": "done",
                     "start": now - timedelta(hours=2), "duration": 60})
        # Celina took no call lately: she has been idle the longest.
        self.assertEqual(self.extensions(self.route())[1:], [["303"], ["302"], ["301"]])
        Call._telephony_create({"user_id": self.celina.id, "direction": "inbound", "state": "in_progress",
                                "start": now - timedelta(minutes=1)})
        self.assertEqual(self.extensions(self.route())[1:], [["302"], ["301"], ["303"]])

    def test_owner_not_answering_goes_to_their_sales_team_leader(self):
        self.line.owner_fallback = "manager"
        plan = self.route()
        self.assertEqual(self.extensions(plan), [["201"], ["401"]])
        self.assertEqual(plan["steps"][1]["target"], "manager")

    def test_with_employees_installed_the_employee_manager_comes_first(self):
        if "employee_id" not in self.env["res.users"]._fields:
            self.skipTest("Employees (hr) is not installed")
        director = self.env["res.users"].create({"name": "Dyrektor", "login": "dyrektor",
                                                 "telephony_extension": "501"})
        boss_employee = self.env["hr.employee"].create({"name": "Dyrektor", "user_id": director.id})
        employee = self.env["hr.employee"].create({"name": self.owner.name, "user_id": self.owner.id,
                                                   "parent_id": boss_employee.id})
        self.line.owner_fallback = "manager"
        self.assertEqual(self.extensions(self.route()), [["201"], ["501"]])
        # An employee without a manager falls back to the sales team's leader, as without Employees.
        employee.parent_id = False
        self.assertEqual(self.extensions(self.route()), [["201"], ["401"]])

    def test_queue_then_manager_and_manager_then_queue(self):
        self.line.write({"owner_fallback": "queue_manager", "fallback_queue_id": self.queue.id})
        self.assertEqual(self.extensions(self.route()), [["201"], ["301"], ["302"], ["303"], ["401"]])
        self.line.owner_fallback = "manager_queue"
        self.assertEqual(self.extensions(self.route()), [["201"], ["401"], ["301"], ["302"], ["303"]])

    def test_owner_who_leads_their_team_has_no_manager_to_fall_back_to(self):
        self.team.user_id = self.owner
        self.line.owner_fallback = "manager"
        plan = self.route()
        self.assertEqual(self.extensions(plan), [["201"]])
        self.assertEqual(plan["fallback"], "voicemail")
        self.assertIn("has no manager", plan["notices"][0])

    def test_default_extensions_ring_last_before_voicemail(self):
        self.line.write({"owner_fallback": "manager", "default_extensions": "100, 101"})
        self.assertEqual(self.extensions(self.route()), [["201"], ["401"], ["100", "101"]])

    def test_nobody_rings_twice(self):
        self.queue.member_ids = [Command.create({"user_id": self.owner.id, "sequence": -1})]
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        self.assertEqual(self.extensions(self.route()), [["201"], ["301"], ["302"], ["303"]])

    # ------------------------------------------------------------------ unknown callers
    def test_unknown_caller_rings_the_line_queue_then_default_extensions(self):
        self.line.write({"default_queue_id": self.queue.id, "default_extensions": "100"})
        plan = self.route(UNKNOWN_NUMBER)
        self.assertEqual(plan["caller_type"], "unknown")
        self.assertEqual(self.extensions(plan), [["301"], ["302"], ["303"], ["100"]])
        self.assertEqual(plan["fallback"], "voicemail")

    def test_caller_nobody_is_responsible_for_rings_like_an_unknown_caller(self):
        self.partner.user_id = False
        self.line.default_queue_id = self.queue
        self.assertEqual(self.extensions(self.route()), [["301"], ["302"], ["303"]])

    def test_hidden_number_goes_to_the_line_queue(self):
        self.line.default_queue_id = self.queue
        self.assertEqual(self.extensions(self.route("")), [["301"], ["302"], ["303"]])

    # ------------------------------------------------------------------ availability
    def test_users_away_or_offline_are_skipped_when_the_line_says_so(self):
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        Presence = self.env["bus.presence"]
        Presence.create({"user_id": self.owner.id, "status": "online"})
        Presence.create({"user_id": self.ala.id, "status": "away"})
        Presence.create({"user_id": self.celina.id, "status": "online"})
        self.assertEqual(self.extensions(self.route()), [["201"], ["301"], ["302"], ["303"]])
        self.line.skip_absent_users = True
        self.assertEqual(self.extensions(self.route()), [["201"], ["303"]])

    def test_users_on_a_call_are_skipped_when_the_line_says_so(self):
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        Call = self.env["crm.call"]
        Call._telephony_create({"user_id": self.owner.id, "direction": "outbound", "state": "in_progress",
                                "start": fields.Datetime.now()})
        Call._telephony_create({"user_id": self.bartek.id, "direction": "inbound", "state": "on_hold",
                                "start": fields.Datetime.now()})
        # A call that lost its hangup days ago does not keep Celina busy for ever.
        Call._telephony_create({"user_id": self.celina.id, "direction": "inbound", "state": "in_progress",
                                "start": fields.Datetime.now() - timedelta(days=2)})
        self.assertEqual(len(self.route()["steps"]), 4)
        self.line.skip_busy_users = True
        self.assertEqual(self.extensions(self.route()), [["301"], ["303"]])

    def test_everyone_unavailable_still_ends_in_voicemail(self):
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id, "skip_absent_users": True})
        plan = self.route()
        self.assertEqual((plan["steps"], plan["fallback"]), ([], "voicemail"))

    # ------------------------------------------------------------------ bad input: safe route, clear message
    def test_queue_without_members_is_skipped_and_the_admin_is_told(self):
        empty = self.make_queue("Night desk", self.env["res.users"], fallback="queue", fallback_queue_id=self.queue.id)
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": empty.id})
        with self.assertLogs("odoo.addons.call_telephony_bridge.models.telephony_router", "WARNING") as logs:
            plan = self.route()
        self.assertEqual(self.extensions(plan), [["201"], ["301"], ["302"], ["303"]])
        self.assertEqual(plan["fallback"], "voicemail")
        self.assertIn("“Night desk” has no members", plan["notices"][0])
        self.assertIn("has no members", logs.output[0])
        self.assertIn("“Night desk” has no members", empty.routing_warning)
        self.assertIn("“Night desk” has no members", self.line.routing_warning)

    def test_user_without_extension_is_skipped_and_the_admin_is_told(self):
        self.owner.telephony_extension = False
        self.bartek.telephony_extension = False
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        plan = self.route()
        self.assertEqual(self.extensions(plan), [["301"], ["303"]])
        self.assertEqual(plan["notices"], ["Agnieszka Agent, Bartek have no phone extension: they cannot ring."])
        self.assertIn("Bartek in the queue “Sales desk” have no phone extension", self.queue.routing_warning)

    def test_queues_falling_back_to_each_other_ring_once_each(self):
        support = self.make_queue("Support", self.boss, fallback="queue", fallback_queue_id=self.queue.id)
        self.queue.write({"fallback": "queue", "fallback_queue_id": support.id})
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        plan = self.route()
        self.assertEqual(self.extensions(plan), [["201"], ["301"], ["302"], ["303"], ["401"]])
        self.assertEqual(plan["fallback"], "voicemail")
        self.assertIn("in a loop (back to “Sales desk”)", plan["notices"][0])
        self.assertIn("in a loop", support.routing_warning)
        self.assertIn("in a loop", self.line.routing_warning)

    def test_archived_queue_no_longer_rings_but_its_next_queue_does(self):
        support = self.make_queue("Support", self.boss)
        self.queue.write({"fallback": "queue", "fallback_queue_id": support.id, "active": False})
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id})
        self.assertEqual(self.extensions(self.route()), [["201"], ["401"]])

    def test_fallback_queue_not_chosen_is_skipped_and_shown(self):
        self.line.write({"owner_fallback": "queue_manager"})
        plan = self.route()
        self.assertEqual(self.extensions(plan), [["201"], ["401"]])
        self.assertIn("none is chosen", plan["notices"][0])
        self.assertIn("No fallback queue is chosen", self.line.routing_warning)

    def test_exception_number_rings_like_an_unknown_caller_and_leaves_no_trace(self):
        self.line.write({"exception_numbers": CUSTOMER_NUMBER, "default_queue_id": self.queue.id})
        plan = self.route("0048221234567")
        self.assertTrue(plan["skip"])
        self.assertEqual(self.extensions(plan), [["301"], ["302"], ["303"]])
        self.assertEqual((plan["fallback"], plan["caller_type"]), ("hangup", "unknown"))
        self.assertIn("exception list", plan["notices"][0])

    def test_a_number_listed_with_its_extension_is_the_same_number_as_everywhere_else(self):
        """The exception list matches numbers by the rule the phone index matches callers by."""
        self.line.write({"exception_numbers": "+48 22 123 45 67 ext. 12\n# our notary",
                         "default_queue_id": self.queue.id})
        self.assertTrue(self.route("+48221234567")["skip"], "an extension is not part of the number")
        self.assertTrue(self.route("０２２　１２３　４５　６７")["skip"], "typed full-width, read as the same digits")
        self.assertFalse(self.route("+48 22 123 45 12")["skip"], "the extension's digits make no other number")

    def test_a_well_configured_line_shows_no_warning(self):
        self.line.write({"owner_fallback": "queue", "fallback_queue_id": self.queue.id,
                         "default_queue_id": self.queue.id})
        self.assertFalse(self.line.routing_warning)
        self.assertFalse(self.queue.routing_warning)

    # ------------------------------------------------------------------ voicemail
    def test_voicemail_after_the_queue_asks_the_responsible_person_to_call_back(self):
        """The owner was offline: only a queue member rang, yet the call-back is the owner's."""
        env = self.env  # superuser, as the events endpoint runs the lifecycle
        call_ref = "vm-" + uuid.uuid4().hex
        start = datetime.now(UTC).replace(microsecond=0)
        audio = {"name": "voicemail.wav", "content_type": "audio/wav",
                 "data_base64": base64.b64encode(b"RIFF....WAVEfmt ").decode()}
        events = ((0, "ringing", "301", {}), (20, "hangup", None, {"reason": "no_answer"}),
                  (40, "voicemail", None, {"recording": audio}))
        for second, event, extension, extra in events:
            env["telephony.call.lifecycle"]._apply_event(self.line, parse_event({
                "event": event, "event_id": f"{call_ref}-{event}", "call_id": call_ref, "direction": "inbound",
                "from": CUSTOMER_NUMBER, "to": "+48 22 100 00 00", "extension": extension,
                "time": (start + timedelta(seconds=second)).isoformat(), **extra,
            }))
        call = self.env["crm.call"].search([("external_ref", "=", call_ref)])
        self.assertEqual((call.state, call.user_id), ("missed", self.ala))
        activity = self.partner.activity_ids.filtered(lambda a: "voicemail" in (a.summary or ""))
        self.assertEqual(activity.user_id, self.owner)

    # ------------------------------------------------------------------ access
    def test_queues_of_another_company_are_invisible(self):
        other = self.env["res.company"].create({"name": "Other Sp. z o.o."})
        foreign = self.env["telephony.queue"].create({"name": "Foreign desk", "company_id": other.id})
        manager = self.env["res.users"].create({
            "name": "Call Manager", "login": "callmanager",
            "groups_id": [Command.link(self.env.ref("call_logging.group_call_manager").id)],
        })
        visible = self.env["telephony.queue"].with_user(manager).search([])
        self.assertIn(self.queue, visible)
        self.assertNotIn(foreign, visible)
