from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools import trust
from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallNarrowWrites(CallCase):
    """What users may not write is written by narrow methods that check first: each refuses any other field and
    any caller it is not for, and what it lifts stays inside it. Context keys relax nothing."""

    def missed_call(self):
        return self.Call._telephony_create({
            "state": "missed", "direction": "inbound", "start": self.now - timedelta(minutes=3),
            "user_id": self.anna.id, "partner_id": self.contact.id,
        })

    # ------------------------------------------------------------------ the phone system's writes
    def test_the_phone_system_writes_only_what_the_pbx_reports(self):
        call = self.missed_call()
        for values in ({"description": "<p>Typed by nobody</p>"}, {"is_billable": False}, {"name": "Renamed"},
                       {"reschedule_count": 3}, {"state": "done", "agenda": "Sneaked in"}):
            with self.assertRaisesRegex(AccessError, "phone system does not write"):
                call._telephony_write(values)
        with self.assertRaisesRegex(AccessError, "phone system does not write"):
            self.Call._telephony_create({"state": "missed", "start": self.now, "goal_status": "success"})
        self.assertRecordValues(call, [{"state": "missed", "is_billable": True, "reschedule_count": 0}])
        call._telephony_write({"state": "done", "duration": 42})
        self.assertRecordValues(call, [{"state": "done", "duration": 42}])

    def test_the_phone_system_methods_refuse_a_users_environment(self):
        call = self.missed_call().with_user(self.anna)
        with self.assertRaisesRegex(AccessError, "Only the phone system"):
            call._telephony_write({"state": "done"})
        with self.assertRaisesRegex(AccessError, "Only the phone system"):
            self.Call.with_user(self.anna)._telephony_create({"state": "missed", "start": self.now})
        self.assertEqual(call.state, "missed")

    def test_nothing_carries_the_phone_systems_rights_out_of_its_methods(self):
        call = self.missed_call()
        # The call it returns is an ordinary record: the rules hold again for the next write, superuser or not.
        with self.assertRaisesRegex(UserError, "can no longer be edited"):
            call.write({"duration": 60})
        with self.assertRaisesRegex(UserError, "phone system only"):
            self.Call.create({"state": "missed", "direction": "inbound", "start": self.now})
        ringing = self.Call._telephony_create({"state": "ringing", "start": self.now, "user_id": self.anna.id})
        with self.assertRaisesRegex(UserError, "still going on"):
            ringing.unlink()

    # ------------------------------------------------------------------ bookkeeping, actions, wrap-up
    def test_bookkeeping_is_written_as_such_and_nothing_else(self):
        call = self.log_call()
        for values in ({"duration": 10}, {"state": "scheduled"}, {"recording_id": False}, {"hold_duration": 3}):
            with self.assertRaisesRegex(AccessError, "Only the bookkeeping"):
                call.with_user(self.anna)._write_system_fields(values)
        # On a completed call too: it is the machinery's, not an edit.
        call.with_user(self.anna)._write_system_fields({"reminder_sent_at": self.now})
        self.assertRecordValues(call, [{"reminder_sent_at": self.now, "duration": 150, "state": "done"}])
        # The same field written the ordinary way stays refused.
        with self.assertRaisesRegex(AccessError, "set by the system"):
            call.with_user(self.anna).write({"reminder_sent_at": False})

    def test_an_action_writes_its_hold_times_and_no_other_read_only_field(self):
        call = self.Call.browse(self.contact.with_user(self.anna).action_call_now()["res_id"]).with_user(self.anna)
        with self.assertRaisesRegex(AccessError, "set by the system"):
            call._write_from_action({"state": "on_hold", "hold_started_at": self.now, "reschedule_count": 2})
        call._write_from_action({"state": "on_hold", "hold_started_at": self.now})
        self.assertRecordValues(call, [{"state": "on_hold", "hold_started_at": self.now, "reschedule_count": 0}])
        # The rules of what a user may change still hold: a call's action does not change its owner.
        with self.assertRaisesRegex(UserError, "keeps its owner"):
            call._write_from_action({"user_id": self.piotr.id})

    def test_the_wrap_up_writes_the_wrap_up_only_and_only_for_its_owner(self):
        call = self.log_call()
        with self.assertRaisesRegex(UserError, "wrap-up cannot change"):
            call.with_user(self.anna)._write_wrap_up({"result_note": "Interested", "duration": 10})
        with self.assertRaisesRegex(UserError, "can no longer be edited"):
            call.with_user(self.boss)._write_wrap_up({"result_note": "Not interested"})
        call.with_user(self.anna)._write_wrap_up({"result_note": "Interested"})
        self.assertRecordValues(call, [{"result_note": "Interested", "duration": 150}])

    # ------------------------------------------------------------------ context keys
    def test_context_keys_alone_give_a_salesperson_no_more_rights(self):
        call = self.log_call()
        scheduled = self.schedule_call()
        recording = self.env["ir.attachment"].create({"name": "call.wav", "raw": b"RIFF", "res_model": "crm.call",
                                                      "res_id": call.id})
        for context in ({"telephony_event": True}, {"telephony_event": "<phone system>"},
                        {"call_logging_action": True}, {"call_state_transition": True},
                        {"call_history_deferred": True}, {"call_activity_syncing": True}):
            Call = self.Call.with_user(self.anna).with_context(**context)
            with self.assertRaisesRegex(UserError, "phone system only"):
                Call.create({"state": "missed", "direction": "inbound", "start": self.now})
            with self.assertRaisesRegex(UserError, "phone system only"):
                scheduled.with_user(self.anna).with_context(**context).write({"state": "missed"})
            with self.assertRaisesRegex(UserError, "can no longer be edited"):
                call.with_user(self.anna).with_context(**context).write({"duration": 10})
            with self.assertRaisesRegex(AccessError, "set by the system"):
                call.with_user(self.anna).with_context(**context).write({"recording_id": recording.id})
            with self.assertRaisesRegex(AccessError, "set by the system"):
                scheduled.with_user(self.anna).with_context(**context).write({"reschedule_count": 7})
        self.assertRecordValues(call | scheduled, [
            {"state": "done", "duration": 150, "recording_id": False, "reschedule_count": 0},
            {"state": "scheduled", "duration": 0, "recording_id": False, "reschedule_count": 0},
        ])
        # Nor does a superuser's: superuser mode alone does not make the phone system.
        with self.assertRaisesRegex(UserError, "phone system only"):
            self.Call.with_context(telephony_event=True).create({"state": "missed", "start": self.now})

    def test_the_monthly_table_of_the_statistics_is_chosen_by_the_read_not_by_the_caller(self):
        self.log_call()
        Report = self.env["crm.call.report"].with_user(self.anna)
        asked = Report.with_context(call_report_monthly=True)._read_group([], ["date:day"], ["__count"])
        self.assertEqual(asked, Report._read_group([], ["date:day"], ["__count"]),
                         "a grouping by day is read from the daily table whatever the context says")

    # ------------------------------------------------------------------ waivers
    def test_a_waiver_covers_its_records_and_fields_and_ends_with_its_block(self):
        one, other = self.log_call(), self.log_call()
        with trust.waiving((trust.MANUAL_WRITE,), one, {"duration"}):
            self.assertTrue(trust.waived(trust.MANUAL_WRITE, one, {"duration"}))
            self.assertFalse(trust.waived(trust.MANUAL_WRITE, one, {"duration", "state"}))
            self.assertFalse(trust.waived(trust.MANUAL_WRITE, one | other, {"duration"}))
            self.assertFalse(trust.waived(trust.MANUAL_CREATE, one, {"duration"}))
        self.assertFalse(trust.waived(trust.MANUAL_WRITE, one, {"duration"}))

    def test_a_creation_waiver_is_spent_by_one_creation(self):
        with trust.waiving((trust.MANUAL_CREATE,), self.Call, {"state", "start"}, create=True):
            self.assertTrue(trust.waived(trust.MANUAL_CREATE, self.Call, {"state"}, create=True))
            self.assertFalse(trust.waived(trust.MANUAL_CREATE, self.Call, {"state"}, create=True))
