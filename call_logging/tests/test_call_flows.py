from datetime import timedelta

from freezegun import freeze_time

from odoo.addons.mail.tools.discuss import Store
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallFlows(CallCase):
    """The three ways in: call now, log a call, schedule a call."""

    def test_call_now_from_a_contact_opens_a_running_call_owned_by_the_caller(self):
        action = self.contact.with_user(self.anna).action_call_now()
        call = self.Call.browse(action["res_id"])
        self.assertEqual(call.state, "in_progress")
        self.assertEqual(call.user_id, self.anna)
        self.assertEqual(call.direction, "outbound")
        self.assertEqual(call.partner_id, self.contact)
        self.assertEqual(call.phone, "+48 22 123 45 67")
        self.assertEqual(call.phone_e164, "+48221234567")
        self.assertEqual(call.call_kind, "current")

    def test_call_now_from_a_lead_links_both_the_lead_and_its_contact(self):
        action = self.lead.with_user(self.anna).action_call_now()
        call = self.Call.browse(action["res_id"])
        self.assertEqual((call.lead_id, call.partner_id), (self.lead, self.contact))

    def test_hold_time_is_recorded_apart_from_talk_time_and_end_call_offers_a_follow_up(self):
        with freeze_time(self.now):
            call = self.Call.with_user(self.anna)._start_call_with(partner=self.contact)
            call = self.Call.browse(call["res_id"]).with_user(self.anna)
            call.description = "<p>Wants 40 phones, asks for a discount.</p>"
        with freeze_time(self.now + timedelta(seconds=60)):
            call.action_hold()
            self.assertEqual(call.state, "on_hold")
        with freeze_time(self.now + timedelta(seconds=90)):
            call.action_resume()
            self.assertEqual(call.state, "in_progress")
        with freeze_time(self.now + timedelta(seconds=200)):
            wrap_up = call.action_end_call()
        self.assertEqual(call.state, "done")
        self.assertEqual(call.duration, 200)
        self.assertEqual(call.hold_duration, 30)
        self.assertEqual(call.talk_duration, 170)
        self.assertIn("discount", call.description)
        self.assertEqual(wrap_up["res_model"], "crm.call.wrap.up")
        wizard = self.env["crm.call.wrap.up"].with_user(self.anna).with_context(wrap_up["context"]).create({})
        self.assertIn("discount", wizard.description)
        wizard.result_id = self.env.ref("call_logging.result_interested")
        followup = wizard.action_save()
        self.assertEqual(call.result_id, self.env.ref("call_logging.result_interested"))
        self.assertEqual(followup["res_model"], "crm.call.followup")
        self.assertEqual(followup["context"]["default_call_id"], call.id)

    def test_the_owner_completes_the_wrap_up_later_but_not_the_times(self):
        with freeze_time(self.now):
            call = self.Call.browse(self.Call.with_user(self.anna)._start_call_with(partner=self.contact)["res_id"])
        with freeze_time(self.now + timedelta(seconds=40)):
            call.with_user(self.anna).action_end_call()
        with freeze_time(self.now + timedelta(hours=2)):
            call.with_user(self.anna).write({"result_id": self.env.ref("call_logging.result_interested").id,
                                             "result_note": "Order next week"})
            self.assertEqual(call.result_note, "Order next week")
            with self.assertRaises(UserError):
                call.with_user(self.anna).write({"duration": 400})
        with freeze_time(self.now + timedelta(hours=13)), self.assertRaises(UserError):
            call.with_user(self.anna).write({"result_note": "Too late"})

    def test_a_required_result_is_asked_in_the_wrap_up(self):
        self.env.company.call_result_required = True
        with freeze_time(self.now):
            call = self.Call.browse(self.Call.with_user(self.anna)._start_call_with(partner=self.contact)["res_id"])
        with freeze_time(self.now + timedelta(seconds=40)):
            action = call.with_user(self.anna).action_end_call()
        wizard = self.env["crm.call.wrap.up"].with_user(self.anna).with_context(action["context"]).create({})
        with self.assertRaises(UserError):
            wizard.action_save()
        wizard.result_id = self.env.ref("call_logging.result_no_answer")
        wizard.action_save()
        self.assertEqual(call.result_id, self.env.ref("call_logging.result_no_answer"))

    def test_a_call_with_nobody_cannot_be_completed(self):
        call = self.Call.with_user(self.anna).create({"state": "in_progress", "direction": "outbound"})
        with self.assertRaisesRegex(UserError, "before ending the call"):
            call.action_end_call()
        call.phone = "+48 22 600 70 80"
        call.action_end_call()
        self.assertEqual(call.state, "done")

    def test_ending_a_call_while_on_hold_closes_the_hold(self):
        with freeze_time(self.now):
            call = self.Call.browse(self.Call.with_user(self.anna)._start_call_with(partner=self.contact)["res_id"])
        with freeze_time(self.now + timedelta(seconds=10)):
            call.with_user(self.anna).action_hold()
        with freeze_time(self.now + timedelta(seconds=40)):
            call.with_user(self.anna).action_end_call()
        self.assertEqual((call.duration, call.hold_duration, call.talk_duration), (40, 30, 10))

    def test_follow_up_after_a_call_can_be_another_call_a_meeting_or_a_task(self):
        call = self.log_call(lead_id=self.lead.id)
        Followup = self.env["crm.call.followup"].with_user(self.anna)
        tomorrow = self.now + timedelta(days=1)

        action = Followup.create({"call_id": call.id, "followup_type": "call", "start": tomorrow}).action_create()
        next_call = self.Call.browse(action["res_id"])
        self.assertEqual(next_call.state, "scheduled")
        self.assertEqual((next_call.partner_id, next_call.lead_id), (self.contact, self.lead))

        action = Followup.create({"call_id": call.id, "followup_type": "meeting", "start": tomorrow}).action_create()
        meeting = self.env["calendar.event"].browse(action["res_id"])
        self.assertIn(self.contact, meeting.partner_ids)
        self.assertEqual(meeting.opportunity_id, self.lead)

        Followup.create({"call_id": call.id, "followup_type": "task", "start": tomorrow}).action_create()
        task = self.lead.activity_ids.filtered(lambda a: a.summary == "Follow up Kowalski Sp. z o.o., Jan Kowalski")
        self.assertEqual(task.user_id, self.anna)

    def test_a_call_logged_after_the_fact_keeps_its_duration_result_and_notes(self):
        result = self.env.ref("call_logging.result_interested")
        call = self.log_call(direction="inbound", duration=270, result_id=result.id,
                             description="<p>Asked for the price list.</p>")
        self.assertEqual(call.state, "done")
        self.assertEqual(call.duration_display, "04:30")
        self.assertEqual(call.result_id, result)
        self.assertEqual(call.call_kind, "completed")

    def test_the_contacts_only_open_lead_is_suggested_on_a_new_call(self):
        with Form(self.Call.with_user(self.anna)) as call:
            call.partner_id = self.contact
            self.assertEqual(call.lead_id, self.lead)
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        Lead = self.env["crm.lead"]
        Lead.create({"name": "Old deal", "partner_id": self.contact.id, "stage_id": won.id, "user_id": self.anna.id})
        with Form(self.Call.with_user(self.anna)) as call:
            call.partner_id = self.contact
            self.assertEqual(call.lead_id, self.lead, "a won deal is not open")
        Lead.create({"name": "Second deal", "partner_id": self.contact.id, "user_id": self.anna.id})
        with Form(self.Call.with_user(self.anna)) as call:
            call.partner_id = self.contact
            self.assertFalse(call.lead_id, "two open leads: the user chooses")

    def test_subjects_read_in_the_readers_language_typed_ones_as_typed(self):
        for lang in ("pl_PL", "ja_JP"):
            self.env["res.lang"]._activate_lang(lang)
        self.anna.lang = "pl_PL"
        who = self.contact.display_name
        made = self.log_call()
        proposed = Form(self.Call.with_user(self.anna).with_context(lang="pl_PL", default_state="done"))
        proposed.partner_id = self.contact
        proposed.duration = 60
        self.assertEqual(proposed.name, f"Połączenie do: {who}", "the form proposes the subject in Polish")
        proposed = proposed.save()
        for call in (made, proposed):
            self.assertEqual(call.with_context(lang="en_US").name, f"Call to {who}")
            self.assertEqual(call.with_context(lang="pl_PL").name, f"Połączenie do: {who}")
            self.assertEqual(call.with_context(lang="ja_JP").name, f"{who} への発信")
        typed = self.log_call(name="Rozmowa o cenach")
        renamed = self.schedule_call()
        renamed.with_user(self.anna).with_context(lang="ja_JP").name = "価格の相談"
        for lang in ("en_US", "pl_PL", "ja_JP"):
            self.assertEqual(typed.with_context(lang=lang).name, "Rozmowa o cenach")
            self.assertEqual(renamed.with_context(lang=lang).name, "価格の相談")

    def test_subjects_of_older_calls_are_translated_when_the_addons_terms_load(self):
        self.env["res.lang"]._activate_lang("pl_PL")
        who = self.contact.display_name
        polish, typed, english = self.log_call(), self.log_call(), self.log_call()
        # As calls logged before subjects were translated: the subject of the moment, in one language only.
        for call, subject in [(polish, f"Połączenie do: {who}"), (typed, "Rozmowa o cenach"),
                              (english, f"Call to {who}")]:
            self.env.cr.execute("UPDATE crm_call SET name = jsonb_build_object('en_US', %s::text) WHERE id = %s",
                                (subject, call.id))
        self.env["crm.call"].invalidate_model(["name"])
        # What an upgrade of the addon and the installation of a language do.
        self.env["ir.module.module"]._load_module_terms(["call_logging"], ["pl_PL"])
        self.assertEqual(polish.with_context(lang="en_US").name, f"Call to {who}", "an upgrade translates")
        self.env["res.lang"]._activate_lang("ja_JP")
        self.env["ir.module.module"]._load_module_terms(["call_logging"], ["ja_JP"])
        for call in (polish, english):
            self.assertEqual(call.with_context(lang="en_US").name, f"Call to {who}")
            self.assertEqual(call.with_context(lang="pl_PL").name, f"Połączenie do: {who}")
            self.assertEqual(call.with_context(lang="ja_JP").name, f"{who} への発信")
        for lang in ("en_US", "pl_PL", "ja_JP"):
            self.assertEqual(typed.with_context(lang=lang).name, "Rozmowa o cenach", "typed: kept as typed")
        self.assertEqual(self.env["crm.call"]._translate_generated_subjects(), 0, "nothing left to translate")

    def test_lists_beside_the_contact_show_what_the_call_is_about(self):
        purpose = self.env.ref("call_logging.purpose_demo")
        planned = self.schedule_call(purpose_id=purpose.id, agenda="Go through the offer")
        self.assertEqual(planned.name, f"Call to {self.contact.display_name}")
        self.assertEqual(planned.headline, f"{purpose.name} · Go through the offer")
        self.assertEqual(self.schedule_call(agenda="Prices").headline, "Prices")
        self.assertEqual(self.schedule_call().headline, planned.name, "nothing else to say: the subject")
        typed = self.schedule_call(name="Quarterly review", purpose_id=purpose.id)
        self.assertEqual(typed.headline, "Quarterly review", "a typed subject says it best")

    def test_the_timeline_summary_is_written_in_the_language_of_who_talked(self):
        self.env["res.lang"]._activate_lang("pl_PL")
        self.env["ir.module.module"]._load_module_terms(["call_logging"], ["pl_PL"])
        self.anna.lang = "pl_PL"
        goal = dict(self.Call.with_context(lang="pl_PL")._fields["goal_status"]._description_selection(
            self.env(context={"lang": "pl_PL"})))["success"]
        # Closed by the system (an English-speaking superuser), written for Anna.
        call = self.Call.with_context(lang="en_US").create({
            "state": "done", "direction": "outbound", "start": self.now - timedelta(minutes=5), "duration": 75,
            "user_id": self.anna.id, "partner_id": self.contact.id, "goal_status": "success",
        })
        body = self.contact.message_ids.filtered(lambda m: f"/{call.id}\"" in (m.body or ""))[:1].body
        self.assertIn("Połączenie wychodzące", body)
        self.assertIn("Czas trwania:", body)
        self.assertIn(goal, body)
        self.assertNotIn("Outbound call", body)

    def test_the_chatter_shows_a_calls_note_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("pl_PL")
        self.env["ir.module.module"]._load_module_terms(["call_logging"], ["pl_PL"])
        call = self.log_call(goal_status="success")  # Anna talks in English
        note = self.contact.message_ids.filtered("call_summary_id")
        self.assertEqual(note.call_summary_id, call)
        self.assertIn("Outbound call", note.body, "stored in the language of who talked")

        def shown_to(user):
            store = Store()
            note.with_user(user).with_context(lang=user.lang)._to_store(store, for_current_user=True)
            return str(store.get_result()["mail.message"][0]["body"])

        self.piotr.lang = "pl_PL"
        self.assertIn("Połączenie wychodzące", shown_to(self.piotr))
        self.assertNotIn("Outbound call", shown_to(self.piotr))
        self.assertIn("Outbound call", shown_to(self.anna))
        call.with_user(self.boss).unlink()
        self.assertIn("Outbound call", shown_to(self.piotr), "the call gone, the stored note remains")

    def test_durations_read_mm_ss_and_stay_blank_on_calls_never_talked(self):
        self.assertEqual(self.log_call(duration=3725).duration_display, "1:02:05")
        self.assertEqual(self.log_call(duration=0).duration_display, "00:00")
        self.assertEqual(self.schedule_call().duration_display, "")
        missed = self.Call._telephony_create({
            "state": "missed", "direction": "inbound", "start": self.now - timedelta(minutes=3),
            "user_id": self.anna.id, "partner_id": self.contact.id,
        })
        self.assertEqual(missed.duration_display, "")

    def test_a_call_can_be_scheduled_for_a_colleague_with_purpose_agenda_and_reminder(self):
        call = self.schedule_call(
            user_id=self.piotr.id, purpose_id=self.env.ref("call_logging.purpose_demo").id,
            agenda="Show the CRM integration", reminder_minutes=15,
        )
        self.assertEqual(call.state, "scheduled")
        self.assertEqual(call.user_id, self.piotr)
        self.assertEqual(call.call_kind, "scheduled")
        self.assertEqual(call.stop - call.start, timedelta(minutes=15))

    def test_the_kind_of_a_new_call_follows_its_start(self):
        past = self.Call.with_user(self.anna).create({"start": self.now - timedelta(hours=2), "duration": 60})
        future = self.Call.with_user(self.anna).create({"start": self.now + timedelta(hours=2)})
        current = self.Call.with_user(self.anna).create({"start": self.now})
        self.assertEqual((past.state, future.state, current.state), ("done", "scheduled", "in_progress"))

    def test_a_scheduled_call_can_be_started_completed_rescheduled_or_cancelled(self):
        started = self.schedule_call()
        started.with_user(self.anna).action_start_call()
        self.assertEqual(started.state, "in_progress")
        self.assertEqual(started.reschedule_count, 0)

        completed = self.schedule_call(duration=120)
        completed.with_user(self.anna).action_mark_done()
        self.assertEqual((completed.state, completed.duration), ("done", 120))

        moved = self.schedule_call()
        moved.with_user(self.anna).action_reschedule(self.now + timedelta(days=3))
        moved.with_user(self.anna).action_reschedule(self.now + timedelta(days=4))
        self.assertEqual(moved.start, self.now + timedelta(days=4))
        self.assertEqual(moved.reschedule_count, 2)

        cancelled = self.schedule_call()
        cancelled.with_user(self.anna).action_cancel()
        self.assertEqual(cancelled.state, "cancelled")

    def test_several_scheduled_calls_are_handled_at_once_from_the_list(self):
        calls = self.schedule_call() | self.schedule_call() | self.schedule_call()
        wizard_action = calls.with_user(self.anna).action_reschedule()
        wizard = self.env["crm.call.reschedule"].with_user(self.anna).with_context(
            wizard_action["context"]).create({"start": self.now + timedelta(days=7)})
        wizard.action_reschedule()
        self.assertEqual(set(calls.mapped("start")), {self.now + timedelta(days=7)})
        calls.with_user(self.anna).action_mark_done()
        self.assertEqual(set(calls.mapped("state")), {"done"})

    def test_every_way_of_calling_about_a_lead_dials_the_leads_own_number_first(self):
        lead = self.lead.copy({"phone": "+48 22 765 43 21", "partner_id": self.contact.id})
        as_anna = lead.with_user(self.anna)
        running = self.Call.browse(as_anna.action_call_now()["res_id"])
        started = self.env["crm.call.start"].with_user(self.anna).create({"lead_id": lead.id})
        call_back = self.log_call(lead_id=lead.id, phone=False)
        again = self.Call.browse(call_back.with_user(self.anna).action_call_back()["res_id"])
        dialled = {
            "Call Now": running.phone,
            "Log a Call": as_anna.action_log_call()["context"]["default_phone"],
            "Schedule a Call": as_anna.action_schedule_call()["context"]["default_phone"],
            "the Calls page": as_anna.action_view_calls()["context"]["default_phone"],
            "Call Someone": started.number,
            "Call Back": again.phone,
        }
        self.assertEqual(dialled, dict.fromkeys(dialled, "+48 22 765 43 21"),
                         "the lead's number, not its contact's, whichever button")
        lead.phone = False
        self.assertEqual(self.Call.browse(as_anna.action_call_now()["res_id"]).phone, self.contact.phone,
                         "a lead without a number of its own: its contact's")

    def test_calling_a_contact_without_a_number_asks_for_one_and_keeps_it(self):
        silent = self.env["res.partner"].create({"name": "Yuki Tanaka"})
        action = silent.with_user(self.anna).action_call_now()
        self.assertEqual(action["res_model"], "crm.call.ask.number")
        wizard = self.env["crm.call.ask.number"].with_user(self.anna).with_context(action["context"]).create(
            {"number": "+81 3-1234-5678"})
        call_action = wizard.action_confirm()
        self.assertEqual(silent.phone, "+81 3-1234-5678")
        call = self.Call.browse(call_action["res_id"])
        self.assertEqual((call.state, call.partner_id, call.phone), ("in_progress", silent, "+81 3-1234-5678"))

    def test_log_and_schedule_buttons_open_prefilled_forms(self):
        log = self.contact.with_user(self.anna).action_log_call()
        self.assertEqual(log["context"]["default_state"], "done")
        self.assertEqual(log["context"]["default_partner_id"], self.contact.id)
        schedule = self.lead.with_user(self.anna).action_schedule_call()
        self.assertEqual(schedule["context"]["default_state"], "scheduled")
        self.assertEqual(schedule["context"]["default_lead_id"], self.lead.id)
        call = self.Call.with_user(self.anna).with_context(schedule["context"]).create({})
        self.assertEqual((call.state, call.lead_id, call.partner_id), ("scheduled", self.lead, self.contact))

    def test_contact_and_lead_count_and_list_their_calls(self):
        done = self.log_call(lead_id=self.lead.id)
        planned = self.schedule_call(lead_id=self.lead.id)
        self.assertEqual(self.contact.call_count, 2)
        self.assertEqual(self.lead.call_count, 2)
        self.assertEqual(self.contact.open_call_ids, planned)
        self.assertEqual(self.lead.closed_call_ids, done)

    def test_day_plan_sorts_my_calls_into_overdue_today_upcoming_missed_and_done(self):
        self.env.user.tz = "UTC"
        self.anna.tz = "UTC"
        with freeze_time(self.now.replace(hour=10, minute=0, second=0)):
            base = self.now.replace(hour=10, minute=0, second=0)
            overdue = self.schedule_call(start=base + timedelta(hours=1))
            today = self.schedule_call(start=base + timedelta(hours=3))
            upcoming = self.schedule_call(start=base + timedelta(days=2))
            done = self.log_call(start=base - timedelta(hours=1))
            missed = self.Call._telephony_create({
                "state": "missed", "direction": "inbound", "start": base - timedelta(minutes=30),
                "user_id": self.anna.id, "phone": "+48221234567",
            })
            self.schedule_call(user=self.piotr)
        with freeze_time(base + timedelta(hours=2)):
            plan = self.Call.with_user(self.anna).get_day_plan()
        ids = {section: [r["id"] for r in plan[section]["records"]] for section in plan}
        self.assertEqual(ids["overdue"], overdue.ids)
        self.assertEqual(ids["today"], today.ids)
        self.assertEqual(ids["upcoming"], upcoming.ids)
        self.assertEqual(ids["missed"], missed.ids)
        self.assertEqual(ids["done_today"], done.ids)
        self.assertEqual(plan["overdue"]["count"], 1)

    def test_a_missed_call_leaves_the_day_plan_once_someone_called_the_customer_back(self):
        returned = self.Call._telephony_create({"state": "missed", "direction": "inbound", "user_id": self.anna.id,
                                     "start": self.now - timedelta(hours=2), "phone": "+48 22 123 45 67"})
        waiting = self.Call._telephony_create({"state": "missed", "direction": "inbound", "user_id": self.anna.id,
                                    "start": self.now - timedelta(hours=1), "phone": "+81 3-1234-5678"})
        self.log_call(user=self.piotr, partner_id=False, phone="0048 22 123 45 67",
                      start=self.now - timedelta(minutes=30))
        plan = self.Call.with_user(self.anna).get_day_plan()
        self.assertEqual([r["id"] for r in plan["missed"]["records"]], waiting.ids)
        self.assertNotIn(returned.id, [r["id"] for r in plan["missed"]["records"]])

    def test_a_manager_opens_the_day_plan_of_a_salesperson_or_a_team_he_may_see(self):
        annas = self.schedule_call(start=self.now + timedelta(days=2))
        piotrs = self.schedule_call(user=self.piotr, start=self.now + timedelta(days=2))
        kenjis = self.schedule_call(user=self.kenji, start=self.now + timedelta(days=2))
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        hidden = self.env["crm.team"].create({"name": "Hidden team", "company_id": other_company.id})
        boss_calls = self.Call.with_user(self.boss)
        teams = {team["name"]: team for team in boss_calls.get_day_plan_choices()["teams"]}
        self.assertIn("Warsaw", teams)
        self.assertNotIn(hidden.name, teams, "a team of a company he is not in stays out of sight")
        self.assertIn(self.anna.id, [u["id"] for u in teams["Warsaw"]["users"]])

        def upcoming(**owner):
            return {r["id"] for r in boss_calls.get_day_plan(**owner)["upcoming"]["records"]}

        self.assertEqual(upcoming(user_id=self.anna.id), set(annas.ids))
        self.assertEqual(upcoming(team_id=self.team_pl.id) & set((annas | piotrs | kenjis).ids),
                         set((annas | piotrs).ids))
        with self.assertRaises(UserError):
            boss_calls.get_day_plan(team_id=hidden.id)
        self.assertEqual(self.Call.with_user(self.anna).get_day_plan_choices(), {"teams": []})
        with self.assertRaises(AccessError):
            self.Call.with_user(self.anna).get_day_plan(user_id=self.piotr.id)

    def test_a_call_going_on_is_listed_with_the_open_calls_of_its_contact(self):
        call = self.Call.browse(self.contact.with_user(self.anna).action_call_now()["res_id"])
        self.assertIn(call, self.contact.open_call_ids)
