import threading
import uuid
from collections import Counter

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

CALLS = 12
MEMBERS = 3


@tagged("post_install", "-at_install")
class TestRoundRobinConcurrency(BaseCase):
    """Calls routed at the same moment by different workers, in real transactions, share a round robin fairly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:6]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.user_ids = [env["res.users"].create({
                "name": f"Round Robin {n}", "login": f"rr-{tag}-{n}", "telephony_extension": f"8{tag[:3]}{n}",
            }).id for n in range(MEMBERS)]
            cls.queue_id = env["telephony.queue"].create({
                "name": f"Round robin {tag}", "distribution": "round_robin",
                "member_ids": [Command.create({"user_id": uid, "sequence": n}) for n, uid in enumerate(cls.user_ids)],
            }).id
            cls.line_id = env["telephony.line"].create({
                "name": f"Round robin {tag}", "default_queue_id": cls.queue_id, "skip_busy_users": False,
            }).id

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["telephony.line"].browse(cls.line_id).unlink()
            env["telephony.queue"].browse(cls.queue_id).unlink()
            env["res.users"].browse(cls.user_ids).unlink()
        super().tearDownClass()

    def test_simultaneous_calls_each_start_with_a_different_member(self):
        barrier = threading.Barrier(CALLS)
        firsts = [None] * CALLS

        def worker(index):
            with self.registry.cursor() as cr:
                # The test runner's thread holds the registries' lock: give the cursor its registry directly.
                cr.transaction = api.Transaction(self.registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                line = env["telephony.line"].browse(self.line_id)
                line.default_queue_id.member_ids.user_id.mapped("telephony_extension")
                barrier.wait(timeout=10)
                plan = env["telephony.router"]._route(line, "", "100")
                firsts[index] = plan["steps"][0]["extensions"][0]

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(CALLS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(sorted(Counter(firsts).values()), [CALLS // MEMBERS] * MEMBERS, firsts)
        with self.registry.cursor() as cr:
            cr.execute("SELECT round_robin_turn FROM telephony_queue WHERE id = %s", (self.queue_id,))
            self.assertEqual(cr.fetchone()[0], CALLS)
