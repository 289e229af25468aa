from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallAccess(CallCase):
    """Users see their own and their team's calls and change only their own; managers see all."""

    def test_salespeople_get_the_calls_user_group(self):
        self.assertTrue(self.anna.has_group("call_logging.group_call_user"))
        self.assertFalse(self.anna.has_group("call_logging.group_call_manager"))
        self.assertTrue(self.boss.has_group("call_logging.group_call_manager"))

    def test_a_user_reads_own_and_team_calls_but_not_other_teams(self):
        mine = self.log_call()
        teammate = self.log_call(user=self.piotr)
        other_team = self.log_call(user=self.kenji)
        visible = self.Call.with_user(self.anna).search([("id", "in", (mine | teammate | other_team).ids)])
        self.assertEqual(visible, mine | teammate)
        with self.assertRaises(AccessError):
            other_team.with_user(self.anna).read(["name"])

    def test_a_user_cannot_change_or_delete_a_teammates_call(self):
        teammate = self.schedule_call(user=self.piotr)
        with self.assertRaises(AccessError):
            teammate.with_user(self.anna).write({"agenda": "Hijacked"})
        with self.assertRaises(AccessError):
            teammate.with_user(self.anna).unlink()

    def test_a_user_deletes_own_calls(self):
        call = self.schedule_call()
        call.with_user(self.anna).unlink()
        self.assertFalse(call.exists())

    def test_a_salesperson_cannot_wipe_a_held_or_missed_call_a_manager_can(self):
        held = self.log_call()
        missed = self.Call._telephony_create({
            "state": "missed", "direction": "inbound", "start": self.now - timedelta(minutes=3),
            "user_id": self.anna.id, "partner_id": self.contact.id,
        })
        for call in (held, missed):
            with self.assertRaisesRegex(AccessError, "Only call managers can delete a completed or missed call"):
                call.with_user(self.anna).unlink()
            # The record rules refuse it too, whatever the code path.
            with self.assertRaises(AccessError):
                call.with_user(self.anna).check_access("unlink")
        cancelled = self.schedule_call()
        cancelled.with_user(self.anna).action_cancel()
        cancelled.with_user(self.anna).unlink()
        (held | missed).with_user(self.boss).unlink()
        self.assertFalse((held | missed | cancelled).exists())

    def test_a_user_schedules_a_call_for_a_colleague_but_cannot_log_one_in_their_name(self):
        planned = self.schedule_call(user_id=self.piotr.id)
        planned.with_user(self.anna).write({"agenda": "Bring the offer"})
        self.assertEqual(planned.agenda, "Bring the offer")
        with self.assertRaises(AccessError):
            self.log_call(user_id=self.kenji.id)

    def test_a_manager_sees_and_edits_every_call(self):
        calls = self.log_call() | self.log_call(user=self.kenji) | self.schedule_call(user=self.piotr)
        self.assertEqual(self.Call.with_user(self.boss).search([("id", "in", calls.ids)]), calls)
        calls.filtered(lambda c: c.state == "scheduled").with_user(self.boss).write(
            {"start": self.now + timedelta(days=3)})

    def test_calls_of_another_company_stay_out_of_sight(self):
        other_company = self.env["res.company"].create({"name": "Tokyo K.K."})
        outsider_call = self.Call.create({"state": "done", "start": self.now - timedelta(hours=1),
                                          "company_id": other_company.id, "user_id": self.boss.id})
        self.assertFalse(self.Call.with_user(self.boss).search([("id", "=", outsider_call.id)]))

    def test_users_read_purposes_and_results_but_only_managers_change_them(self):
        purpose = self.env.ref("call_logging.purpose_demo")
        self.assertTrue(purpose.with_user(self.anna).name)
        with self.assertRaises(AccessError):
            purpose.with_user(self.anna).name = "Renamed"
        purpose.with_user(self.boss).name = "Live demo"

    def test_people_without_the_calls_group_see_no_calls(self):
        portal_like = new_test_user(self.env, "intern", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Call.with_user(portal_like).search([])
