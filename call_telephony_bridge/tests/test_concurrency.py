import threading
import uuid
from datetime import UTC, datetime, timedelta

from odoo import SUPERUSER_ID, api
from odoo.addons.call_logging.models.crm_call_base import LIVE_STATES
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from ..tools.event_schema import parse_event

ROUNDS = 8


@tagged("post_install", "-at_install")
class TestConcurrentEvents(BaseCase):
    """Two workers receiving events of one new call at the same moment, in two real transactions, give one call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.line_id = env["telephony.line"].create({"name": f"Concurrency {cls.tag}"}).id
            cls.user_id = env["res.users"].create({
                "name": "Concurrent Agent", "login": f"concurrent-{cls.tag}", "telephony_extension": f"9{cls.tag[:4]}",
            }).id

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            calls = env["crm.call"].search([("external_ref", "like", f"conc-{cls.tag}-%")])
            env["telephony.call.event"].search([("call_ref", "like", f"conc-{cls.tag}-%")]).unlink()
            calls.filtered(lambda call: call.state in LIVE_STATES)._telephony_write({"state": "missed"})
            calls.unlink()
            env["telephony.line"].browse(cls.line_id).unlink()
            env["res.users"].browse(cls.user_id).unlink()
        super().tearDownClass()

    def _event(self, call_ref, event, second, event_id=None):
        body = {
            "event": event, "call_id": call_ref, "direction": "inbound", "from": "+48 61 555 00 11",
            "to": "100", "extension": f"9{self.tag[:4]}",
            "time": (datetime(2024, 5, 6, 9, 0, tzinfo=UTC) + timedelta(seconds=second)).isoformat(),
            "event_id": event_id or f"{call_ref}-{event}",
        }
        return parse_event(body)

    def _receive_together(self, events):
        """Each event (or batch: a list of events) in its own thread and transaction, all released at once by a
        barrier."""
        barrier = threading.Barrier(len(events))
        answers = [None] * len(events)

        def worker(index, event):
            with self.registry.cursor() as cr:
                # The test runner's thread holds the registries' lock: give the cursor its registry directly.
                cr.transaction = api.Transaction(self.registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                line = env["telephony.line"].browse(self.line_id)
                line.company_id  # noqa: B018 - the snapshot is taken before the race, as a request would do
                barrier.wait(timeout=10)
                lifecycle = env["telephony.call.lifecycle"]
                if isinstance(event, list):
                    answers[index] = lifecycle._receive_batch(line, event)
                else:
                    answers[index] = lifecycle._receive(line, event)

        threads = [threading.Thread(target=worker, args=(i, e)) for i, e in enumerate(events)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return answers

    def _calls(self, call_ref):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            calls = env["crm.call"].search([("external_ref", "=", call_ref)])
            events = env["telephony.call.event"].search([("call_ref", "=", call_ref)])
            return [(c.state, c.user_id.id) for c in calls], len(events)

    def test_ringing_and_answer_of_a_new_call_at_once_give_one_call(self):
        for round_ in range(ROUNDS):
            call_ref = f"conc-{self.tag}-{round_}"
            both = [self._event(call_ref, "ringing", 0), self._event(call_ref, "answered", 3)]
            answers = self._receive_together(both)
            self.assertEqual([status for status, _body in answers], [200, 200], answers)
            self.assertEqual(answers[0][1]["call_id"], answers[1][1]["call_id"])
            calls, event_count = self._calls(call_ref)
            self.assertEqual(calls, [("in_progress", self.user_id)])
            self.assertEqual(event_count, 2)

    def test_the_same_event_delivered_twice_at_once_is_applied_once(self):
        for round_ in range(ROUNDS):
            call_ref = f"conc-{self.tag}-dup-{round_}"
            answers = self._receive_together([self._event(call_ref, "ringing", 0)] * 2)
            self.assertEqual(sorted(bool(body.get("duplicate")) for _status, body in answers), [False, True])
            calls, event_count = self._calls(call_ref)
            self.assertEqual((len(calls), event_count), (1, 1))

    def test_two_batches_with_the_same_calls_in_opposite_orders_neither_wait_crosswise_nor_split_a_call(self):
        for round_ in range(ROUNDS):
            first, second = f"conc-{self.tag}-b1-{round_}", f"conc-{self.tag}-b2-{round_}"
            batches = [
                [self._event(first, "ringing", 0), self._event(second, "ringing", 0)],
                [self._event(second, "answered", 3), self._event(first, "answered", 3)],
            ]
            answers = self._receive_together(batches)
            self.assertEqual([[status for status, _body in batch] for batch in answers], [[200, 200], [200, 200]])
            for call_ref in (first, second):
                calls, event_count = self._calls(call_ref)
                self.assertEqual((calls, event_count), ([("in_progress", self.user_id)], 2))
