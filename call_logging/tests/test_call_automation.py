import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallCase

FAILURE_LOGGER = "odoo.addons.call_logging.models.base_automation"


class _WebhookReceiver(BaseHTTPRequestHandler):
    """A stand-in for the system a webhook notifies: keeps every JSON body it is sent."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        """Keep the test output clean."""


@tagged("post_install", "-at_install")
class TestCallAutomation(CallCase):
    """Workflow rules on calls built from Odoo's Automation Rules screen, and reminders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_model = cls.env["ir.model"]._get("crm.call")
        cls.team_pl.user_id = cls.boss
        cls.boss.email = "maria.boss@example.com"
        cls.anna.email = "anna.nowak@example.com"
        cls.piotr.email = "piotr@example.com"
        cls.purpose_demo = cls.env["crm.call.purpose"].create({"name": "Product demo"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def make_rule(self, tag, domain=None, trigger="on_create_or_write", actions=None, **values):
        """A rule on calls as an administrator builds it; by default it records each firing under ``tag``."""
        return self.env["base.automation"].create({
            "name": f"Rule {tag}",
            "model_id": self.call_model.id,
            "trigger": trigger,
            "filter_domain": repr(domain) if domain else False,
            **values,
            "action_server_ids": [Command.create(action) for action in (actions or [self.record_firing(tag)])],
        })

    def record_firing(self, tag):
        """A "run code" action that writes down which call it ran on and for which event."""
        return self.action("code", code=(
            "env['ir.logging'].create({'name': 'test.call_rule', 'type': 'server', 'level': 'INFO', "
            f"'path': {tag!r}, 'func': str(record.call_event), 'line': str(record.id), 'message': 'fired'}})"
        ))

    def action(self, state, **values):
        return {"name": f"Action {state}", "model_id": self.call_model.id, "usage": "base_automation",
                "state": state, **values}

    def firings(self, tag):
        """(event, call id) for each time the rule tagged ``tag`` ran, oldest first."""
        logs = self.env["ir.logging"].search([("name", "=", "test.call_rule"), ("path", "=", tag)], order="id")
        return [(log.func, int(log.line)) for log in logs]

    def event_rule(self, event, extra_domain=None, tag=None):
        """The rule an administrator builds for one event: On save, Call Event = ``event``."""
        return self.make_rule(tag or event, [("call_event", "=", event)] + (extra_domain or []))

    def telephony_call(self, **values):
        """A call as the PBX integration reports it."""
        values = {"direction": "inbound", "start": self.now, "user_id": self.anna.id, "phone": "+48 22 123 45 67",
                  "partner_id": self.contact.id, **values}
        return self.Call._telephony_create(values)

    def mails_for(self, call, subject=""):
        """The emails about ``call`` whose subject contains ``subject`` (not activity assignment notices)."""
        return self.env["mail.mail"].search([("model", "=", "crm.call"), ("res_id", "=", call.id),
                                             ("subject", "ilike", subject)])

    def fired_on(self, tag, calls):
        """The firings of rule ``tag`` on ``calls`` only (the database may hold other scheduled calls)."""
        return [(event, call_id) for event, call_id in self.firings(tag) if call_id in calls.ids]

    def reminders_sent(self, call):
        self.env.cr.flush()  # bus notifications are written when the transaction is about to commit
        notifications = self.env["bus.bus"].sudo().search([("message", "like", "call_logging/reminder")])
        return [n for n in notifications if json.loads(n.message)["payload"]["call_id"] == call.id]

    # ------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------
    def test_incoming_call_rule_fires_for_inbound_calls_only(self):
        self.event_rule("incoming")
        logged = self.log_call(direction="inbound")
        ringing = self.telephony_call(state="ringing")
        outbound = self.log_call()
        scheduled = self.schedule_call()
        ringing._telephony_write({"state": "in_progress"})
        self.assertEqual(self.firings("incoming"), [("incoming", logged.id), ("incoming", ringing.id)])
        self.assertFalse({outbound.id, scheduled.id} & {call_id for _event, call_id in self.firings("incoming")})

    def test_outgoing_call_rule_fires_when_an_outbound_call_happens(self):
        self.event_rule("outgoing")
        logged = self.log_call()
        self.log_call(direction="inbound")
        scheduled = self.schedule_call()
        self.assertEqual(self.firings("outgoing"), [("outgoing", logged.id)])
        scheduled.with_user(self.anna).action_mark_done()
        self.assertEqual(self.firings("outgoing"), [("outgoing", logged.id), ("outgoing", scheduled.id)])

    def test_missed_call_rule_fires_when_the_phone_system_reports_a_missed_call(self):
        self.event_rule("missed")
        missed = self.telephony_call(state="missed")
        ringing = self.telephony_call(state="ringing", phone="+48 22 765 43 21")
        self.log_call(direction="inbound")
        self.assertEqual(self.firings("missed"), [("missed", missed.id)])
        ringing._telephony_write({"state": "missed"})
        self.assertEqual(self.firings("missed"), [("missed", missed.id), ("missed", ringing.id)])

    def test_scheduled_call_created_rule(self):
        self.event_rule("scheduled")
        scheduled = self.schedule_call()
        self.log_call()
        scheduled.with_user(self.anna).agenda = "Prices for 2025"
        self.assertEqual(self.firings("scheduled"), [("scheduled", scheduled.id)])

    def test_scheduled_call_edited_rule(self):
        self.event_rule("edited")
        scheduled = self.schedule_call()
        self.assertEqual(self.firings("edited"), [])
        scheduled.with_user(self.anna).write({"agenda": "Prices for 2025", "purpose_id": self.purpose_demo.id})
        self.assertEqual(self.firings("edited"), [("edited", scheduled.id)])
        scheduled.with_user(self.anna).action_mark_done()
        self.assertEqual(len(self.firings("edited")), 1, "completing the call is not an edit of a scheduled call")

    def test_overdue_rule_fires_once_per_call_through_the_cron(self):
        self.event_rule("overdue")
        soon = self.schedule_call(start=self.now + timedelta(minutes=30))
        later = self.schedule_call(start=self.now + timedelta(hours=3))
        self.Call._cron_flag_overdue_calls()
        self.assertEqual(self.fired_on("overdue", soon | later), [])
        with freeze_time(self.now + timedelta(minutes=31)):
            self.Call._cron_flag_overdue_calls()
            self.Call._cron_flag_overdue_calls()
        self.assertEqual(self.fired_on("overdue", soon | later), [("overdue", soon.id)])
        self.assertTrue(soon.overdue_at)
        self.assertFalse(later.overdue_at)

    def test_overdue_standard_time_trigger_fires_once_per_call(self):
        rule = self.make_rule("overdue-time", [("state", "=", "scheduled")], trigger="on_time",
                              trg_date_id=self.env["ir.model.fields"]._get("crm.call", "start").id,
                              trg_date_range=5, trg_date_range_type="minutes")
        call = self.schedule_call(start=self.now + timedelta(minutes=30))
        done = self.schedule_call(start=self.now + timedelta(minutes=30))
        done.with_user(self.anna).action_mark_done()
        with freeze_time(self.now + timedelta(minutes=20)):
            rule._check()
        self.assertEqual(self.fired_on("overdue-time", call | done), [])
        with freeze_time(self.now + timedelta(minutes=36)):
            rule._check()
        with freeze_time(self.now + timedelta(minutes=40)):
            rule._check()
        self.assertEqual([call_id for _event, call_id in self.fired_on("overdue-time", call | done)], [call.id])

    def test_rescheduled_rule_fires_on_each_new_start(self):
        self.event_rule("rescheduled")
        call = self.schedule_call()
        call.with_user(self.anna).agenda = "Bring the offer"
        self.assertEqual(self.firings("rescheduled"), [])
        call.with_user(self.anna).action_reschedule(self.now + timedelta(days=2))
        call.with_user(self.anna).action_reschedule(self.now + timedelta(days=3))
        self.assertEqual(self.firings("rescheduled"), [("rescheduled", call.id)] * 2)
        self.assertEqual(call.reschedule_count, 2)

    def test_reassigned_rule_fires_when_the_owner_changes(self):
        self.event_rule("reassigned")
        call = self.schedule_call()
        call.with_user(self.anna).agenda = "Bring the offer"
        self.assertEqual(self.firings("reassigned"), [])
        call.with_user(self.anna).user_id = self.piotr
        self.assertEqual(self.firings("reassigned"), [("reassigned", call.id)])
        self.assertEqual(call.user_id, self.piotr)

    def test_cancelled_rule_fires_when_a_scheduled_call_is_cancelled(self):
        self.event_rule("cancelled")
        state_rule = self.make_rule(
            "cancelled-state", trigger="on_state_set",
            trg_selection_field_id=self.env.ref("call_logging.selection__crm_call__state__cancelled").id,
            filter_domain="[('state', '=', 'cancelled')]",
        )
        self.assertEqual(state_rule.trigger_field_ids.mapped("name"), ["state"])
        cancelled, completed = self.schedule_call(), self.schedule_call()
        completed.with_user(self.anna).action_mark_done()
        cancelled.with_user(self.anna).action_cancel()
        self.assertEqual(self.firings("cancelled"), [("cancelled", cancelled.id)])
        self.assertEqual([call_id for _event, call_id in self.firings("cancelled-state")], [cancelled.id])

    def test_deleted_rule_fires_when_a_call_is_deleted(self):
        self.event_rule("deleted")
        self.make_rule("deleted-standard", trigger="on_unlink")
        kept, deleted = self.log_call(), self.schedule_call()
        deleted_id = deleted.id
        deleted.with_user(self.anna).unlink()
        with self.assertRaises(AccessError):
            kept.with_user(self.piotr).unlink()
        self.assertEqual(self.firings("deleted"), [("deleted", deleted_id)])
        self.assertEqual([call_id for _event, call_id in self.firings("deleted-standard")], [deleted_id])
        self.assertTrue(kept.exists())

    def test_any_event_rule_fires_once_per_event(self):
        self.make_rule("any", [("call_event", "!=", False)])
        call = self.schedule_call(reminder_minutes=10)
        call.with_user(self.anna).agenda = "Bring the offer"
        call.with_user(self.anna).action_reschedule(self.now + timedelta(minutes=5))
        call.with_user(self.anna).user_id = self.piotr
        with freeze_time(self.now + timedelta(minutes=1)):
            self.Call._cron_send_reminders()
        with freeze_time(self.now + timedelta(minutes=6)):
            self.Call._cron_flag_overdue_calls()
        call.with_user(self.piotr).action_cancel()
        call.with_user(self.piotr).unlink()
        logged = self.log_call(direction="inbound")
        missed = self.telephony_call(state="missed")
        self.assertEqual(self.fired_on("any", call | logged | missed), [
            ("scheduled", call.id), ("edited", call.id), ("rescheduled", call.id), ("reassigned", call.id),
            ("overdue", call.id), ("cancelled", call.id), ("deleted", call.id),
            ("incoming", logged.id), ("missed", missed.id),
        ])

    def test_event_is_empty_at_rest_so_a_later_save_does_not_fire_again(self):
        self.make_rule("caller", [("call_event", "=", "scheduled"), ("caller_type", "in", ["contact", "account"])])
        call = self.schedule_call()
        self.assertFalse(call.call_event)
        self.assertTrue(call.last_event_at)
        call.with_user(self.anna).partner_id = self.company
        self.assertEqual(call.caller_type, "account")
        self.assertEqual(self.firings("caller"), [("scheduled", call.id)])

    # ------------------------------------------------------------------
    # Conditions
    # ------------------------------------------------------------------
    def test_caller_kind_conditions(self):
        for kind in ("lead", "contact", "account", "unknown"):
            self.event_rule("incoming", [("caller_type", "=", kind)], tag=f"incoming-{kind}")
        calls = {
            "lead": self.log_call(direction="inbound", partner_id=False, lead_id=self.lead.copy({
                "partner_id": False}).id),
            "contact": self.log_call(direction="inbound"),
            "account": self.log_call(direction="inbound", partner_id=self.company.id),
            "unknown": self.log_call(direction="inbound", partner_id=False, phone="+48 600 000 000"),
        }
        for kind, call in calls.items():
            with self.subTest(kind=kind):
                self.assertEqual(call.caller_type, kind)
                self.assertEqual(self.firings(f"incoming-{kind}"), [("incoming", call.id)])

    def test_conditions_on_call_fields(self):
        self.event_rule("outgoing", [("duration", ">", 300), ("purpose_id", "=", self.purpose_demo.id),
                                     ("user_id", "=", self.anna.id)], tag="long-demo")
        long_demo = self.log_call(duration=420, purpose_id=self.purpose_demo.id)
        self.log_call(duration=120, purpose_id=self.purpose_demo.id)
        self.log_call(duration=420)
        self.log_call(user=self.piotr, duration=420, purpose_id=self.purpose_demo.id)
        self.assertEqual([call_id for _event, call_id in self.firings("long-demo")], [long_demo.id])

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def test_email_action_sends_the_call_template_with_its_details(self):
        result = self.env.ref("call_logging.result_interested")
        self.make_rule("email", [("call_event", "=", "incoming")], actions=[self.action(
            "mail_post", mail_post_method="email",
            template_id=self.env.ref("call_logging.mail_template_call_notification").id,
        )])
        call = self.log_call(direction="inbound", duration=754, result_id=result.id, phone="+48 22 123 45 67")
        mail = self.mails_for(call, "Call:")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.anna.partner_id)
        for text in ("Jan Kowalski", "+48 22 123 45 67", "Anna Nowak", "12:34", "Interested",
                     f"/odoo/action-call_logging.crm_call_action/{call.id}"):
            self.assertIn(text, mail.body_html)

    def test_activity_action_for_a_user_and_for_the_owners_team_leader(self):
        call_type = self.env.ref("mail.mail_activity_data_call")
        self.make_rule("activities", [("call_event", "=", "missed")], actions=[
            self.action("next_activity", activity_type_id=call_type.id, activity_summary="Call the customer back",
                        activity_user_type="specific", activity_user_id=self.piotr.id),
            self.action("next_activity", activity_type_id=call_type.id, activity_summary="Check the callback",
                        activity_user_type="generic", activity_user_field_name="team_leader_id"),
        ])
        call = self.telephony_call(state="missed")
        self.assertEqual(
            {(a.summary, a.user_id) for a in call.activity_ids},
            {("Call the customer back", self.piotr), ("Check the callback", self.boss)},
        )

    def test_update_field_action(self):
        self.make_rule("update", [("call_event", "=", "scheduled")], actions=[self.action(
            "object_write", update_path="reminder_minutes", evaluation_type="value", value="10",
        )])
        call = self.schedule_call()
        self.assertEqual(call.reminder_minutes, 10)
        self.assertEqual(self.log_call().reminder_minutes, 0)

    def test_webhook_action_posts_the_call_to_a_local_server(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookReceiver)
        server.received = []
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        fields_ = self.env["ir.model.fields"].search([("model", "=", "crm.call"),
                                                     ("name", "in", ["phone", "state", "duration", "caller_type"])])
        self.make_rule("webhook", [("call_event", "=", "missed")], actions=[self.action(
            "webhook", webhook_url=f"http://127.0.0.1:{server.server_port}/calls",
            webhook_field_ids=[Command.set(fields_.ids)],
        )])
        self.log_call()
        call = self.telephony_call(state="missed")
        self.assertEqual(len(server.received), 1)
        payload = server.received[0]
        self.assertEqual((payload["_model"], payload["_id"]), ("crm.call", call.id))
        self.assertEqual((payload["phone"], payload["state"], payload["duration"], payload["caller_type"]),
                         ("+48 22 123 45 67", "missed", 0, "contact"))

    def test_run_code_action(self):
        self.make_rule("code", [("call_event", "=", "scheduled")], actions=[self.action(
            "code", code="record.write({'agenda': 'Prepared by a rule for %s' % record.user_id.name})",
        )])
        self.assertEqual(self.schedule_call().agenda, "Prepared by a rule for Anna Nowak")

    # ------------------------------------------------------------------
    # Failing rules
    # ------------------------------------------------------------------
    @mute_logger(FAILURE_LOGGER)
    def test_a_failing_action_does_not_stop_the_call_from_being_logged(self):
        broken = self.make_rule("broken", [("call_event", "=", "scheduled")], actions=[
            self.action("code", code="record.write({'agenda': 'half done'})\n1 / 0"),
        ])
        self.event_rule("scheduled")
        call = self.schedule_call()
        self.assertTrue(call.exists())
        self.assertEqual(self.firings("scheduled"), [("scheduled", call.id)], "the other rules still run")
        self.assertFalse(call.agenda, "the failing rule's own changes are undone")
        self.assertEqual(broken.call_failure_count, 1)
        failure = self.env["ir.logging"].search(broken.action_view_call_failures()["domain"])
        self.assertEqual(failure.level, "ERROR")
        self.assertIn("ZeroDivisionError", failure.message)
        self.assertIn(call.display_name, failure.message)

    @mute_logger(FAILURE_LOGGER)
    def test_a_failing_condition_does_not_stop_the_call_from_being_logged(self):
        broken = self.make_rule("bad-condition", [("call_event", "=", "incoming")])
        broken.filter_domain = "[('call_event', '=', 'incoming'), ('no_such_field', '=', 1)]"
        missed_rule = self.make_rule("bad-pre", trigger="on_write", filter_pre_domain="[('no_such_field', '=', 1)]")
        call = self.log_call(direction="inbound", user=self.anna)
        scheduled = self.schedule_call()
        scheduled.with_user(self.anna).agenda = "Still saved"
        self.assertTrue(call.exists())
        self.assertEqual(scheduled.agenda, "Still saved")
        self.assertEqual(self.firings("bad-condition"), [])
        self.assertGreaterEqual(broken.call_failure_count, 1)
        self.assertGreaterEqual(missed_rule.call_failure_count, 1)

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    def test_reminder_is_sent_once_at_the_right_time(self):
        call = self.schedule_call(start=self.now + timedelta(hours=1), reminder_minutes=15)
        with freeze_time(self.now + timedelta(minutes=44)):
            self.Call._cron_send_reminders()
        self.assertEqual(self.reminders_sent(call), [])
        with freeze_time(self.now + timedelta(minutes=45)):
            self.Call._cron_send_reminders()
        with freeze_time(self.now + timedelta(minutes=50)):
            self.Call._cron_send_reminders()
        sent = self.reminders_sent(call)
        self.assertEqual(len(sent), 1)
        self.assertIn(str(self.anna.partner_id.id), sent[0].channel)
        payload = json.loads(sent[0].message)["payload"]
        self.assertEqual(payload["title"], "Call in 15 minutes")
        self.assertIn(call.name, payload["message"])
        self.assertTrue(call.reminder_sent_at)
        self.assertFalse(self.mails_for(call, "Reminder"), "Anna did not ask for email reminders")

    def test_reminder_by_email_when_the_owner_prefers_it(self):
        self.anna.with_user(self.anna).call_reminder_email = True
        call = self.schedule_call(start=self.now + timedelta(minutes=10), reminder_minutes=15)
        self.Call._cron_send_reminders()
        self.Call._cron_send_reminders()
        mail = self.mails_for(call, "Reminder")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.anna.partner_id)
        self.assertIn("Reminder", mail.subject)
        self.assertEqual(len(self.reminders_sent(call)), 1)

    def test_no_reminder_for_cancelled_or_completed_calls(self):
        cancelled = self.schedule_call(start=self.now + timedelta(minutes=30), reminder_minutes=15)
        completed = self.schedule_call(start=self.now + timedelta(minutes=30), reminder_minutes=15)
        cancelled.with_user(self.anna).action_cancel()
        completed.with_user(self.anna).action_mark_done()
        with freeze_time(self.now + timedelta(minutes=20)):
            self.Call._cron_send_reminders()
        self.assertEqual(self.reminders_sent(cancelled) + self.reminders_sent(completed), [])

    def test_a_rescheduled_call_is_reminded_again_for_its_new_start(self):
        call = self.schedule_call(start=self.now + timedelta(minutes=10), reminder_minutes=15)
        self.Call._cron_send_reminders()
        call.with_user(self.anna).action_reschedule(self.now + timedelta(hours=2))
        self.assertFalse(call.reminder_sent_at)
        self.Call._cron_send_reminders()
        self.assertEqual(len(self.reminders_sent(call)), 1)
        with freeze_time(self.now + timedelta(hours=2, minutes=-15)):
            self.Call._cron_send_reminders()
        self.assertEqual(len(self.reminders_sent(call)), 2)

    def alarms(self):
        """When the alarms' cron is to be woken."""
        cron = self.env.ref("call_logging.ir_cron_call_alarms")
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).mapped("call_at")

    def test_the_alarms_wake_at_the_reminder_and_the_start_and_nothing_polls(self):
        start = (self.now + timedelta(hours=1)).replace(microsecond=0)
        call = self.schedule_call(start=start, reminder_minutes=15)
        self.assertLessEqual({start - timedelta(minutes=15), start + timedelta(seconds=1)}, set(self.alarms()))
        call.with_user(self.anna).action_reschedule(start + timedelta(hours=1))
        self.assertIn(start + timedelta(hours=1, minutes=-15), self.alarms(), "a new start wakes them at its time")

        with freeze_time(start + timedelta(hours=1, minutes=-15)):
            self.env["crm.call.alarm.manager"]._run_due_alarms()
        self.assertEqual(len(self.reminders_sent(call)), 1)
        with freeze_time(start + timedelta(hours=1, seconds=1)):
            self.env["crm.call.alarm.manager"]._run_due_alarms()
        self.assertTrue(call.overdue_at, "overdue from the second after its start")

        cron = self.env.ref("call_logging.ir_cron_call_alarms")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "hours"), "an hourly safety net only")
        every_minute = self.env["ir.cron"].search([
            ("model_id.model", "in", ["crm.call", "crm.call.alarm.manager"]),
            ("interval_type", "=", "minutes"), ("interval_number", "=", 1),
        ])
        self.assertFalse(every_minute, "no cron of ours polls every minute")

    # ------------------------------------------------------------------
    # Shipped rules
    # ------------------------------------------------------------------
    def test_shipped_rules_are_inactive(self):
        for xmlid in ("automation_missed_call_team_callback", "automation_overdue_call_team_leader",
                      "automation_rescheduled_three_times"):
            self.assertFalse(self.env.ref(f"call_logging.{xmlid}").active)
        self.telephony_call(state="missed")
        self.assertFalse(self.env["mail.mail"].search([("subject", "like", "Missed call from")]))

    def test_shipped_missed_call_rule_has_the_team_call_back(self):
        self.env.ref("call_logging.automation_missed_call_team_callback").active = True
        call = self.telephony_call(state="missed")
        mail = self.mails_for(call, "Missed call from")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, (self.anna | self.piotr | self.boss).partner_id)
        self.assertIn("call back within 15 minutes", mail.subject)
        self.assertEqual(call.activity_ids.mapped("summary"), ["Call back within 15 minutes"])
        self.assertEqual(call.activity_ids.user_id, self.anna)
        self.assertFalse(self.mails_for(self.log_call(direction="inbound"), "Missed call from"))

    def test_shipped_overdue_rule_tells_the_owners_team_leader(self):
        rule = self.env.ref("call_logging.automation_overdue_call_team_leader")
        rule.active = True
        call = self.schedule_call(start=self.now + timedelta(minutes=30))
        on_time = self.schedule_call(start=self.now + timedelta(minutes=30))
        on_time.with_user(self.anna).action_mark_done()
        with freeze_time(self.now + timedelta(minutes=40)):
            rule._check()
        self.assertFalse(self.mails_for(call, "needs your attention"))
        with freeze_time(self.now + timedelta(minutes=46)):
            rule._check()
        with freeze_time(self.now + timedelta(minutes=50)):
            rule._check()
        mail = self.mails_for(call, "needs your attention")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.boss.partner_id)
        self.assertIn("is overdue", mail.body_html)
        self.assertEqual(call.activity_ids.user_id, self.boss)
        self.assertFalse(self.mails_for(on_time, "needs your attention"))
        self.assertFalse(on_time.activity_ids)

    def test_shipped_rescheduled_rule_emails_the_manager_on_the_third_time(self):
        self.env.ref("call_logging.automation_rescheduled_three_times").active = True
        call = self.schedule_call()
        for days in (2, 3):
            call.with_user(self.anna).action_reschedule(self.now + timedelta(days=days))
        self.assertFalse(self.mails_for(call, "needs your attention"))
        call.with_user(self.anna).action_reschedule(self.now + timedelta(days=4))
        mail = self.mails_for(call, "needs your attention")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.boss.partner_id)
        self.assertIn("rescheduled 3 times", mail.body_html)
        call.with_user(self.anna).action_reschedule(self.now + timedelta(days=5))
        self.assertEqual(len(self.mails_for(call, "needs your attention")), 1)
