from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.addons.call_logging.tests.common import CallCase
from odoo.tests import HttpCase, tagged
from odoo.tools import date_utils

from .common import EventPoster, setup_telephony_world


@tagged("post_install", "-at_install")
class TestWaitBeforeAnswer(CallCase):
    """The wait before answer in the call statistics and on the dashboard, checked against a hand count.

    Last month, on its 3rd and 4th (D1, D2), in UTC:
      c1 Anna, D1 10:00, outbound, done 125 s, picked up after 10 s
      c2 Anna, D1 11:00, outbound, done 300 s, no pick-up time known
      c3 Piotr, D2 10:00, inbound, done 60 s, picked up after 4 s
      c4 Kenji, D1 20:00, outbound, done 61 s, no pick-up time known
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["crm.call.report"]
        (cls.anna | cls.piotr | cls.kenji).write({"tz": "UTC"})
        cls.users = cls.anna | cls.piotr | cls.kenji
        first_of_last_month = date_utils.start_of(fields.Date.today(), "month") - relativedelta(months=1)
        cls.d1 = first_of_last_month + timedelta(days=2)
        cls.d2 = cls.d1 + timedelta(days=1)

        def log(user, start, duration, wait=None, direction="outbound"):
            call = cls.env["crm.call"].with_user(user).create({
                "state": "done", "direction": direction, "partner_id": cls.contact.id, "start": start,
                "duration": duration,
            })
            if wait is not None:
                # sudo: only the PBX knows, and the phone system is superuser code
                call.sudo()._telephony_write({"answered_at": start + timedelta(seconds=wait)})
            return call

        cls.c1 = log(cls.anna, datetime.combine(cls.d1, time(10)), 125, wait=10)
        cls.c2 = log(cls.anna, datetime.combine(cls.d1, time(11)), 300)
        cls.c3 = log(cls.piotr, datetime.combine(cls.d2, time(10)), 60, wait=4, direction="inbound")
        cls.c4 = log(cls.kenji, datetime.combine(cls.d1, time(20)), 61)

    def figures(self, groupby, aggregates):
        return self.Report.with_user(self.boss)._read_group([("user_id", "in", self.users.ids)], groupby, aggregates)

    def test_wait_per_rep(self):
        waits = dict(self.figures(["user_id"], ["wait_avg:avg"]))
        self.assertEqual((waits[self.anna], waits[self.piotr]), (10.0, 4.0))
        self.assertFalse(waits[self.kenji], "no pick-up time is known for Kenji's call")

    def test_wait_of_the_whole_team_is_weighted_by_calls_picked_up(self):
        [(wait, picked_up)] = self.figures([], ["wait_avg:avg", "wait_count:sum"])
        self.assertEqual(picked_up, 2)
        self.assertAlmostEqual(wait, (10 + 4) / 2)

    def test_wait_per_month_is_read_from_the_daily_figures(self):
        self.assertFalse(self.Report._monthly_table_answers([], ["user_id", "date:month"], ["wait_avg:avg"], (), None))
        month = date_utils.start_of(self.d1, "month")
        rows = self.figures(["user_id", "date:month"], ["wait_avg:avg"])
        self.assertEqual({(user, day): wait for user, day, wait in rows if wait},
                         {(self.anna, month): 10.0, (self.piotr, month): 4.0})

    def test_a_new_pick_up_time_moves_the_wait(self):
        self.c2.sudo()._telephony_write({"answered_at": self.c2.start + timedelta(seconds=16)})  # sudo: as the PBX
        waits = dict(self.figures(["user_id"], ["wait_avg:avg"]))
        self.assertEqual(waits[self.anna], (10 + 16) / 2)

    def test_dashboard_shows_the_average_wait(self):
        data = self.Report.with_user(self.anna).get_dashboard_data(months=2)
        self.assertAlmostEqual(data["totals"]["avg_wait"], 7.0)


@tagged("post_install", "-at_install")
class TestWaitOfPbxCalls(HttpCase):
    """A call the PBX reports starts when it is answered: its wait is the ringing time the PBX measured."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = setup_telephony_world(cls.env)["agent"]

    def test_the_ringing_before_the_answer_is_the_wait(self):
        pbx = EventPoster(self)
        pbx.post("ringing", 0, "201")
        pbx.post("answered", 6, "201")
        pbx.post("hangup", 66, "201", reason="answered")
        call = pbx.call()
        self.assertEqual((call.state, call.start), ("done", call.answered_at), "the call's time starts at the answer")
        [(wait, picked_up)] = self.env["crm.call.report"]._read_group(
            [("user_id", "=", self.agent.id)], [], ["wait_avg:avg", "wait_count:sum"])
        self.assertEqual((wait, picked_up), (6.0, 1))
