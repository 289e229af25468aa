import io
from datetime import datetime, time, timedelta

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, date_utils

from .common import CallCase


@tagged("post_install", "-at_install")
class TestCallReports(CallCase):
    """Every figure of the call statistics, the dashboard and the billing, checked against a hand count.

    Last month, on its 3rd and 4th (D1, D2):
      c1 Anna, D1 10:00, outbound, done 125 s (20 s on hold), Interested, Prospecting, lead 1
      c2 Anna, D1 11:00, outbound, done 300 s, No Answer (not reached), lead 1
      c3 Anna, D2 09:00, inbound, missed
      c4 Piotr, D2 10:00, inbound, done 60 s, lead 2
      c5 Kenji (Tokyo), D1 20:00 UTC = D2 05:00 in Tokyo, outbound, done 61 s, lead 3, with another customer
      c6 Anna, tomorrow, scheduled then cancelled
    Anna and Piotr are in the Warsaw team, Kenji in Tokyo; Anna and Piotr work in UTC.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["crm.call.report"]
        cls.LeadReport = cls.env["crm.call.lead.report"]
        (cls.anna | cls.piotr).write({"tz": "UTC"})
        cls.kenji.tz = "Asia/Tokyo"
        cls.users = cls.anna | cls.piotr | cls.kenji
        first_of_last_month = date_utils.start_of(fields.Date.today(), "month") - relativedelta(months=1)
        cls.d1 = first_of_last_month + timedelta(days=2)
        cls.d2 = cls.d1 + timedelta(days=1)
        cls.other_customer = cls.env["res.partner"].create({"name": "Yamada K.K.", "is_company": True})
        cls.other_contact = cls.env["res.partner"].create({"name": "Taro Yamada", "parent_id": cls.other_customer.id})
        cls.lead_2 = cls.env["crm.lead"].create({"name": "Office move", "user_id": cls.piotr.id})
        cls.lead_3 = cls.env["crm.lead"].create({"name": "POS terminals", "user_id": cls.kenji.id})
        interested = cls.env.ref("call_logging.result_interested")
        no_answer = cls.env.ref("call_logging.result_no_answer")
        cls.prospecting = cls.env.ref("call_logging.purpose_prospecting")

        def at(day, hour):
            return datetime.combine(day, time(hour))

        def log(user, **values):
            values = {"state": "done", "direction": "outbound", "partner_id": cls.contact.id, **values}
            reported = {name: values.pop(name) for name in ("hold_duration",) if name in values}
            call = cls.env["crm.call"].with_user(user).create(values)
            if reported:
                call.sudo()._telephony_write(reported)  # sudo: what only the PBX reports, as superuser code
            return call

        cls.c1 = log(cls.anna, start=at(cls.d1, 10), duration=125, hold_duration=20, result_id=interested.id,
                     purpose_id=cls.prospecting.id, lead_id=cls.lead.id)
        cls.c2 = log(cls.anna, start=at(cls.d1, 11), duration=300, result_id=no_answer.id, lead_id=cls.lead.id)
        cls.c3 = cls.env["crm.call"]._telephony_create({
            "state": "missed", "direction": "inbound", "start": at(cls.d2, 9), "user_id": cls.anna.id,
            "partner_id": cls.contact.id,
        })
        cls.c4 = log(cls.piotr, direction="inbound", start=at(cls.d2, 10), duration=60, lead_id=cls.lead_2.id)
        cls.c5 = log(cls.kenji, start=at(cls.d1, 20), duration=61, lead_id=cls.lead_3.id,
                     partner_id=cls.other_contact.id)
        cls.c6 = cls.env["crm.call"].with_user(cls.anna).create({
            "state": "scheduled", "start": cls.now + timedelta(days=1), "partner_id": cls.contact.id,
        })
        cls.c6.with_user(cls.anna).action_cancel()

    def figures(self, groupby, aggregates, user=None, model="crm.call.report", domain=()):
        report = self.env[model].with_user(user or self.boss)
        rows = report._read_group([("user_id", "in", self.users.ids), *domain], groupby, aggregates)
        if len(groupby) == 1 and len(aggregates) == 1:
            return dict(rows)
        return rows

    # ------------------------------------------------------------------
    # The figures
    # ------------------------------------------------------------------
    def test_average_duration_per_rep_per_month_counts_completed_calls_only(self):
        # Anna's cancelled call of tomorrow has no duration to average: the dashboard keeps completed calls.
        rows = self.figures(["user_id", "date:month"], ["duration_avg:avg"], domain=[("state", "=", "done")])
        month = date_utils.start_of(self.d1, "month")
        self.assertEqual(
            {(user, day): round(value, 2) for user, day, value in rows},
            {(self.anna, month): 212.5, (self.piotr, month): 60.0, (self.kenji, month): 61.0},
        )

    def test_calls_per_day_in_the_reps_time_zone(self):
        held = [("state", "not in", ("scheduled", "cancelled"))]
        per_day = self.figures(["date:day"], ["call_count:sum"], domain=held)
        # Kenji's call at 20:00 UTC is 05:00 the next morning in Tokyo: a call of D2.
        self.assertEqual(per_day, {self.d1: 2, self.d2: 3})

    def test_status_breakdown(self):
        self.assertEqual(self.figures(["state"], ["call_count:sum"]), {"done": 4, "missed": 1, "cancelled": 1})

    def test_talk_time_answered_rate_and_missed_per_rep(self):
        rows = {
            user: (talk, round(rate, 2), missed)
            for user, talk, rate, missed in self.figures(
                ["user_id"], ["talk_total:sum", "answered_rate:avg", "missed_count:sum"])
        }
        # Anna: talk 105 + 300; answered c1 only (c2 reached nobody) out of 2 completed + 1 missed.
        self.assertEqual(rows[self.anna], (405, 33.33, 1))
        self.assertEqual(rows[self.piotr], (60, 100.0, 0))
        self.assertEqual(rows[self.kenji], (61, 100.0, 0))

    def test_totals_of_the_whole_team_are_weighted_by_calls(self):
        [(count, total, average, rate)] = self.figures(
            [], ["call_count:sum", "duration_total:sum", "duration_avg:avg", "answered_rate:avg"])
        self.assertEqual((count, total), (6, 546))
        self.assertAlmostEqual(average, 546 / 4)
        self.assertAlmostEqual(rate, 100 * 3 / 5)

    def test_figures_by_direction_purpose_and_result(self):
        self.assertEqual(self.figures(["direction"], ["call_count:sum"]), {"outbound": 4, "inbound": 2})
        self.assertEqual(self.figures(["purpose_id"], ["call_count:sum"])[self.prospecting], 1)
        results = self.figures(["result_id"], ["call_count:sum"])
        self.assertEqual(results[self.env.ref("call_logging.result_no_answer")], 1)

    def test_distinct_leads_contacted_per_team_and_month(self):
        rows = self.figures(["team_id", "date:month"], ["lead_id:count_distinct", "call_count:sum"],
                            model="crm.call.lead.report")
        month = date_utils.start_of(self.d1, "month")
        # Anna called lead 1 twice: one lead; Piotr lead 2; Kenji lead 3. Missed calls contact nobody.
        self.assertEqual(set(rows), {(self.team_pl, month, 2, 3), (self.team_jp, month, 1, 1)})

    def test_groupings_without_day_purpose_or_result_are_read_per_month(self):
        answers = self.Report._monthly_table_answers
        self.assertTrue(answers([("state", "=", "done")], ["user_id", "date:month"], ["duration_avg:avg"], (), None))
        self.assertTrue(answers([("team_id.is_presales", "=", True)], ["state"], ["call_count:sum"], (), None))
        self.assertFalse(answers([], ["date:day"], ["call_count:sum"], (), None))
        self.assertFalse(answers([], ["purpose_id"], ["call_count:sum"], (), None))
        self.assertFalse(answers([("date", ">=", self.d1)], ["user_id"], ["call_count:sum"], (), None))
        first_of_month = date_utils.start_of(self.d1, "month")
        self.assertTrue(answers([("date", ">=", first_of_month)], ["user_id"], ["call_count:sum"], (), None))
        self.assertFalse(answers([("result_id", "=", False)], ["user_id"], ["call_count:sum"], (), None))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_a_salesperson_sees_own_and_team_figures_a_manager_all(self):
        by_user = self.figures(["user_id"], ["call_count:sum"], user=self.anna)
        self.assertEqual(by_user, {self.anna: 4, self.piotr: 1})
        self.assertEqual(self.figures(["user_id"], ["call_count:sum"], user=self.kenji), {self.kenji: 1})
        self.assertEqual(sum(self.figures(["user_id"], ["call_count:sum"]).values()), 6)
        leads = self.figures(["team_id"], ["lead_id:count_distinct"], user=self.anna, model="crm.call.lead.report")
        self.assertEqual(leads, {self.team_pl: 2})

    def test_people_without_the_calls_group_see_no_figures(self):
        intern = new_test_user(self.env, "intern", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Report.with_user(intern).search([])
        with self.assertRaises(AccessError):
            self.LeadReport.with_user(intern).search([])

    # ------------------------------------------------------------------
    # Kept up to date
    # ------------------------------------------------------------------
    def test_rescheduling_reassigning_and_deleting_a_call_move_its_figures(self):
        call = self.schedule_call(start=self.now + timedelta(days=1))
        tomorrow = (self.now + timedelta(days=1)).date()
        scheduled = [("state", "=", "scheduled")]
        self.assertEqual(self.figures(["date:day"], ["call_count:sum"], domain=scheduled), {tomorrow: 1})
        call.with_user(self.anna).action_reschedule(self.now + timedelta(days=3))
        self.assertEqual(self.figures(["date:day"], ["call_count:sum"], domain=scheduled),
                         {(self.now + timedelta(days=3)).date(): 1})
        call.with_user(self.anna).write({"user_id": self.piotr.id})
        self.assertEqual(self.figures(["user_id"], ["call_count:sum"], domain=scheduled), {self.piotr: 1})
        call.unlink()
        self.assertFalse(self.figures(["user_id"], ["call_count:sum"], domain=scheduled))

    def test_a_call_ended_live_is_counted_with_its_duration(self):
        call = self.Call.with_user(self.anna).create({"state": "in_progress", "partner_id": self.contact.id})
        live = self.figures(["state"], ["call_count:sum"], domain=[("date", ">", self.d2)])
        self.assertEqual(live, {"cancelled": 1, "in_progress": 1})
        call.with_user(self.anna).write({"state": "done", "duration": 42})
        done = self.figures(["state"], ["call_count:sum", "duration_total:sum"], domain=[("date", ">", self.d2)])
        self.assertEqual(set(done), {("cancelled", 1, 0), ("done", 1, 42)})

    def test_a_change_is_queued_at_commit_and_summed_by_the_cron(self):
        def queued():
            self.env.cr.execute("SELECT user_id, day FROM crm_call_statistics_queue")
            return set(self.env.cr.fetchall())

        def piotr_rows():
            self.env.cr.execute("SELECT SUM(call_count) FROM crm_call_report WHERE user_id = %s AND date = %s",
                                (self.piotr.id, self.d2))
            return self.env.cr.fetchone()[0]

        self.env["crm.call"]._apply_pending_call_statistics()
        self.assertFalse(queued())
        self.Call.with_user(self.piotr).create({"state": "done", "direction": "outbound", "duration": 30,
                                                "partner_id": self.contact.id, "start": self.c4.start})
        # Writing the call only remembers it; its bucket is queued just before the commit.
        self.env.cr.precommit.run()
        self.assertEqual(queued(), {(self.piotr.id, self.d2)})
        self.assertEqual(piotr_rows(), 1)
        self.env["crm.call"]._cron_apply_call_statistics()
        self.assertFalse(queued())
        self.assertEqual(piotr_rows(), 2)

    def test_reports_dashboard_and_day_plan_read_exact_figures_on_a_read_only_transaction(self):
        def queued():
            self.env.cr.execute("SELECT COUNT(*) FROM crm_call_statistics_queue")
            return self.env.cr.fetchone()[0]

        self.env["crm.call"]._apply_pending_call_statistics()
        self.Call.with_user(self.piotr).create({"state": "done", "direction": "outbound", "duration": 30,
                                                "partner_id": self.contact.id, "start": self.c4.start})
        self.env.cr.precommit.run()  # committed: queued, not yet summed by the cron
        self.assertEqual(queued(), 1)
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT read_only_reports")
        self.env.cr.execute("SET TRANSACTION READ ONLY")
        try:
            # Per rep, the monthly table answers; per rep and purpose, the daily one.
            self.assertEqual(self.figures(["user_id"], ["call_count:sum"])[self.piotr], 2)
            self.assertEqual(self.figures(["user_id", "purpose_id"], ["call_count:sum"],
                                          domain=[("user_id", "=", self.piotr.id)]),
                             [(self.piotr, self.env["crm.call.purpose"], 2)])
            self.assertEqual(self.figures(["user_id"], ["lead_id:count_distinct"], model="crm.call.lead.report"),
                             {self.anna: 1, self.piotr: 1, self.kenji: 1})
            data = self.Report.with_user(self.boss).get_dashboard_data(months=2, user_id=self.piotr.id)
            self.assertEqual(data["totals"]["calls"], 2)
            plan = self.Call.with_user(self.piotr).get_day_plan()
            self.assertEqual(plan["done_today"]["count"], 0)
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT read_only_reports")
        self.assertEqual(queued(), 1)

    def test_a_rebuild_gives_the_same_rows_as_the_incremental_upkeep(self):
        def snapshot(model):
            # Read straight from the table, so apply this transaction's pending changes first as the ORM would.
            self.env["crm.call"]._apply_pending_call_statistics()
            columns = self.env[model]._columns_sql()
            self.env.cr.execute(SQL("SELECT %s FROM %s ORDER BY %s", columns, SQL.identifier(self.env[model]._table),
                                    columns))
            return self.env.cr.fetchall()

        for model in ("crm.call.report", "crm.call.report.month", "crm.call.lead.report"):
            before = snapshot(model)
            self.env[model]._rebuild()
            self.assertEqual(snapshot(model), before, model)

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------
    def test_an_empty_leads_contacted_report_says_where_pre_sales_teams_are_set(self):
        action = self.env.ref("call_logging.crm_call_lead_report_action")
        self.assertIn("Pre-Sales Team", action.help)
        self.assertIn("Sales Teams", action.help)

    def test_dashboard_shows_the_hand_counted_figures(self):
        # Without pre-sales teams (the demo's is unticked), the leads contacted are counted for every team.
        self.env["crm.team"].search([("is_presales", "=", True)]).is_presales = False
        data = self.Report.with_user(self.anna).get_dashboard_data(months=2)
        month = fields.Date.to_string(date_utils.start_of(self.d1, "month"))
        self.assertEqual(
            {rep["user_id"]: rep["values"] for rep in data["avg_duration"]},
            {self.anna.id: {month: 212.5}, self.piotr.id: {month: 60.0}},
        )
        self.assertEqual({day["key"]: day["count"] for day in data["per_day"] if day["count"]},
                         {fields.Date.to_string(self.d1): 2, fields.Date.to_string(self.d2): 2})
        days = [fields.Date.to_date(day["key"]) for day in data["per_day"]]
        self.assertEqual((days[0], days[-1], len(days)), (
            fields.Date.to_date(data["date_from"]), fields.Date.to_date(data["date_to"]),
            (fields.Date.to_date(data["date_to"]) - fields.Date.to_date(data["date_from"])).days + 1,
        ), "every day of the range is on the time axis, quiet days at 0")
        self.assertEqual({state["state"]: state["count"] for state in data["states"]}, {"done": 3, "missed": 1})
        self.assertEqual(data["totals"]["calls"], 4)
        self.assertEqual(data["totals"]["missed"], 1)
        self.assertEqual(data["totals"]["talk_time"], 465)
        self.assertAlmostEqual(data["totals"]["answered_rate"], 100 * 2 / 4)
        self.assertEqual(data["leads"]["teams"], [
            {"team_id": self.team_pl.id, "name": "Warsaw", "values": {month: 2}, "total": 2},
        ])

    def test_dashboard_narrows_to_a_salesperson_or_a_team_and_counts_only_history(self):
        self.env["crm.call"].with_user(self.anna).create({
            "state": "scheduled", "direction": "outbound", "partner_id": self.contact.id,
            "start": fields.Datetime.now() + timedelta(hours=2),
        })
        everyone = self.Report.with_user(self.boss).get_dashboard_data(months=2)
        anna = self.Report.with_user(self.boss).get_dashboard_data(months=2, user_id=self.anna.id)
        warsaw = self.Report.with_user(self.boss).get_dashboard_data(months=2, team_id=self.team_pl.id)
        self.assertEqual({state["state"] for state in everyone["states"]} - {"done", "missed"}, set(),
                         "a planned call is no history")
        self.assertEqual({rep["user_id"] for rep in anna["avg_duration"]}, {self.anna.id})
        self.assertLess(anna["totals"]["calls"], everyone["totals"]["calls"])
        self.assertTrue({rep["user_id"] for rep in warsaw["avg_duration"]} <= {self.anna.id, self.piotr.id})
        self.assertIn({"id": self.team_pl.id, "name": "Warsaw"}, everyone["filters"]["teams"])
        # Leads Contacted follows the narrowing too: the chosen team even when it is not pre-sales, one person's leads.
        self.assertEqual(([team["name"] for team in warsaw["leads"]["teams"]], warsaw["leads"]["scope"]),
                         (["Warsaw"], "chosen"))
        piotr = self.Report.with_user(self.boss).get_dashboard_data(months=2, user_id=self.piotr.id)
        self.assertEqual(sum(team["total"] for team in piotr["leads"]["teams"]),
                         len(self.env["crm.call"].search([("user_id", "=", self.piotr.id), ("state", "=", "done"),
                                                          ("lead_id", "!=", False)]).lead_id))
        self.assertIn(self.anna.id, [user["id"] for user in everyone["filters"]["users"]])

    def test_dashboard_leads_follow_the_presales_teams_per_week(self):
        self.env["crm.team"].search([("is_presales", "=", True)]).is_presales = False  # the demo's
        self.team_jp.is_presales = True
        leads = self.Report.with_user(self.boss).get_dashboard_data(months=2, period="week")["leads"]
        self.assertEqual(leads["scope"], "presales")
        [tokyo] = leads["teams"]
        self.assertEqual((tokyo["name"], list(tokyo["values"].values()), tokyo["total"]), ("Tokyo", [1], 1))
        # Kenji's call is on D2 in Tokyo: its week starts on the language's first day of the week, up to 6 days before.
        [week] = [fields.Date.to_date(key) for key in tokyo["values"]]
        self.assertTrue(self.d2 - timedelta(days=6) <= week <= self.d2)

    # ------------------------------------------------------------------
    # Billing
    # ------------------------------------------------------------------
    def billing_wizard(self):
        self.env.company.write({"call_rate_per_minute": 1.20, "call_billing_rounding": "minute"})
        self.other_customer.write({
            "call_rate_override": True, "call_rate_per_minute": 2.00, "call_billing_rounding": "second",
        })
        self.c2.with_user(self.boss).write({"is_billable": False})
        period_start = date_utils.start_of(self.d1, "month")
        return self.env["crm.call.billing.wizard"].with_user(self.boss).create({
            "date_from": period_start, "date_to": date_utils.end_of(period_start, "month"),
            "partner_ids": [Command.set((self.company | self.other_customer).ids)],
        })

    def test_billing_per_customer_with_rate_and_rounding(self):
        lines = {line["customer"]: line for line in self.billing_wizard()._billing_lines()}
        kowalski, yamada = lines[self.company], lines[self.other_customer]
        # Per started minute at 1.20: c1 125 s -> 3 min = 3.60, c4 60 s -> 1 min = 1.20; c2 is not billable.
        self.assertEqual(kowalski["calls"], [self.c1, self.c4])
        self.assertEqual([call.billed_seconds for call in kowalski["calls"]], [180, 60])
        self.assertEqual((kowalski["call_count"], kowalski["billed_seconds"], kowalski["amount"]), (2, 240, 4.80))
        # Per second at 2.00: 61 s = 2.0333 -> 2.03.
        self.assertEqual((yamada["rate"], yamada["billed_seconds"], yamada["amount"]), (2.00, 61, 2.03))

    def test_billing_pdf_and_spreadsheet_carry_the_totals(self):
        wizard = self.billing_wizard()
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "call_logging.action_report_call_billing", wizard.ids)
        html = html.decode()
        for text in ("Kowalski Sp. z o.o.", "Yamada K.K.", "4.80", "2.03", "Per Started Minute", "Per Second"):
            self.assertIn(text, html)
        sheet = openpyxl.load_workbook(io.BytesIO(wizard._billing_xlsx())).active
        totals = {row[0]: (row[7], row[10]) for row in sheet.iter_rows(values_only=True)
                  if row[0] and str(row[0]).startswith("Total")}
        self.assertEqual(totals, {"Total Kowalski Sp. z o.o.": (240, 4.80), "Total Yamada K.K.": (61, 2.03)})
        action = wizard.action_export_xlsx()
        self.assertTrue(action["url"].startswith("/web/content/"))

    def test_customers_with_a_rate_of_their_own_are_billed_in_their_currency(self):
        pln, jpy = self.env.ref("base.PLN"), self.env.ref("base.JPY")
        (pln | jpy).active = True
        wizard = self.billing_wizard()
        self.company.write({"call_rate_override": True, "call_rate_per_minute": 1.20, "call_rate_currency_id": pln.id})
        self.other_customer.write({"call_rate_per_minute": 40, "call_rate_currency_id": jpy.id})
        self.assertEqual((self.c1.currency_id, self.c1.billing_amount), (pln, 3.60))
        lines = {line["customer"]: line for line in wizard._billing_lines()}
        kowalski, yamada = lines[self.company], lines[self.other_customer]
        # 61 s at 40 yen per minute = 40.67, rounded to the yen.
        self.assertEqual((kowalski["currency"], kowalski["amount"]), (pln, 4.80))
        self.assertEqual((yamada["currency"], yamada["amount"]), (jpy, 41))
        html = self.env["ir.actions.report"]._render_qweb_html("call_logging.action_report_call_billing",
                                                                wizard.ids)[0].decode()
        self.assertIn(pln.symbol, html)
        self.assertIn(jpy.symbol, html)
        self.assertNotIn(self.env.company.currency_id.symbol + "\N{NO-BREAK SPACE}", html)
        sheet = openpyxl.load_workbook(io.BytesIO(wizard._billing_xlsx())).active
        totals = {row[0]: (row[10], row[11]) for row in sheet.iter_rows(values_only=True)
                  if row[0] and str(row[0]).startswith("Total")}
        self.assertEqual(totals, {"Total Kowalski Sp. z o.o.": (4.80, "PLN"), "Total Yamada K.K.": (41, "JPY")})

    def test_billing_names_the_customers_without_a_rate_and_where_to_set_one(self):
        wizard = self.billing_wizard()
        self.assertFalse(wizard.unpriced_customers)
        self.env.company.call_rate_per_minute = 0
        wizard.invalidate_recordset(["unpriced_customers"])
        # Yamada has a rate of its own; Kowalski falls back on the company's, which is now 0.
        self.assertEqual(wizard.unpriced_customers, "Kowalski Sp. z o.o.")
        arch = self.env.ref("call_logging.crm_call_billing_wizard_view_form").arch
        self.assertIn("Sales &amp; Purchase", arch)
        self.assertIn("Settings &gt; CRM &gt; Calls", arch)

    def test_the_demo_pre_sales_team_fills_leads_contacted(self):
        if not self.env["ir.module.module"]._get("call_logging").demo:
            self.skipTest("the demo data is not installed")
        presales = self.env.ref("sales_team.crm_team_1")
        self.assertTrue(presales.is_presales)
        self.assertTrue(self.LeadReport.search_count([("team_id.is_presales", "=", True)]))
        polish = self.env.ref("call_logging.demo_pl_company_1")
        self.assertEqual(polish._call_billing_terms(self.env.company)[2], self.env.ref("base.PLN"))
        japanese = self.env.ref("call_logging.demo_jp_company_1")
        self.assertEqual(japanese._call_billing_terms(self.env.company)[2], self.env.ref("base.JPY"))

    def test_only_managers_untick_billable_on_a_completed_call(self):
        with self.assertRaises(AccessError):
            self.c1.with_user(self.anna).write({"is_billable": False})
        self.c1.with_user(self.boss).write({"is_billable": False})
        self.assertFalse(self.c1.is_billable)
        self.assertEqual(self.c1.billing_amount, 0)


@tagged("post_install", "-at_install")
class TestCallReportsDashboardTour(HttpCase):
    """A manager opens the Calls dashboard and reads the figures counted by hand."""

    def setUp(self):
        super().setUp()
        # A company of its own, so the figures are only these calls whatever demo data the database holds.
        company = self.env["res.company"].create({"name": "Dash Calls Ltd"})
        users = {"company_id": company.id, "company_ids": [Command.set(company.ids)], "tz": "UTC"}
        self.manager = new_test_user(self.env, "dash_manager", groups="sales_team.group_sale_manager", **users)
        rep = new_test_user(self.env, "dash_rep", groups="sales_team.group_sale_salesman", name="Dash Rep", **users)
        self.env["crm.team"].create({"name": "Dash Pre-Sales", "is_presales": True, "company_id": company.id,
                                     "member_ids": [Command.link(rep.id)]})
        contact = self.env["res.partner"].create({"name": "Dash Customer", "company_id": company.id})
        lead = self.env["crm.lead"].create({"name": "Dash lead", "user_id": rep.id, "company_id": company.id})
        start = fields.Datetime.now() - timedelta(minutes=2)
        for duration in (125, 300):
            self.env["crm.call"].with_user(rep).create({
                "state": "done", "start": start, "duration": duration, "partner_id": contact.id, "lead_id": lead.id,
            })
        # A field team, not pre-sales, whose one call the dashboard's filters bring into view.
        field_rep = new_test_user(self.env, "dash_field_rep", groups="sales_team.group_sale_salesman",
                                  name="Dash Field Rep", **users)
        self.env["crm.team"].create({"name": "Dash Field Sales", "company_id": company.id,
                                     "member_ids": [Command.link(field_rep.id)]})
        field_lead = self.env["crm.lead"].create({"name": "Dash field lead", "user_id": field_rep.id,
                                                  "company_id": company.id})
        self.env["crm.call"].with_user(field_rep).create({
            "state": "done", "start": start, "duration": 60, "partner_id": contact.id, "lead_id": field_lead.id,
        })

    def test_the_dashboard_statistics_and_day_plan_are_served_on_read_only_cursors(self):
        # Changes committed and not yet summed by the cron: the readers sum them without writing.
        self.env.cr.flush()
        self.authenticate(self.manager.login, self.manager.login)
        with self.assertNoLogs("odoo.http", "WARNING"):
            dashboard = self.make_jsonrpc_request("/web/dataset/call_kw/crm.call.report/get_dashboard_data", {
                "model": "crm.call.report", "method": "get_dashboard_data", "args": [], "kwargs": {},
            })
            groups = self.make_jsonrpc_request("/web/dataset/call_kw/crm.call.report/web_read_group", {
                "model": "crm.call.report", "method": "web_read_group", "args": [],
                "kwargs": {"domain": [], "fields": ["call_count:sum"], "groupby": ["user_id"]},
            })
            self.make_jsonrpc_request("/web/dataset/call_kw/crm.call/get_day_plan", {
                "model": "crm.call", "method": "get_day_plan", "args": [], "kwargs": {},
            })
        self.assertEqual(dashboard["totals"]["calls"], 3)
        self.assertEqual(sum(group["call_count"] for group in groups["groups"]), 3)

    def test_manager_reads_the_dashboard(self):
        self.start_tour("/odoo/action-call_logging.crm_call_dashboard_action", "call_logging_calls_dashboard",
                        login=self.manager.login)

    def test_manager_reads_durations_as_mm_ss_in_the_statistics(self):
        self.start_tour("/odoo/action-call_logging.crm_call_report_action", "call_logging_call_statistics_durations",
                        login=self.manager.login)
