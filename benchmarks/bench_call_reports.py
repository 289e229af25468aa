"""Benchmark of the standard call reports: grouped reads on the call statistics against the same on crm.call.

Generates calls in a database of its own (call_logging installed there first through Odoo's CLI),
keeps the statistics tables rebuilt, then times each standard report through the ORM's
``read_group`` as the pivot and graph views call it, as a calls manager with record rules applied:

  - average call duration per rep per month
  - calls per day
  - call status breakdown
  - distinct leads contacted per month by the pre-sales team

Each is measured on the statistics model and, as the baseline, straight on ``crm.call`` in the same
run; it prints median and p99 in milliseconds and the baseline / report ratio. Goal: 500 ms a report.
It measures twice: with every change summed, then with a working day's changes queued and not yet
summed by the cron (every rep's today), which the reports sum from the calls as they read.

    source setup/common.sh && prepare
    "$VENV/bin/python" benchmarks/bench_call_reports.py            # 2,000,000 calls, 200 users, 3 years
    "$VENV/bin/python" benchmarks/bench_call_reports.py --small    # 20,000 calls, 20 users: a quick run
"""

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo18"))
sys.path.insert(0, str(ODOO_SRC))

from bench_common import addons_path, copy_rows  # noqa: E402

import odoo  # noqa: E402
from odoo.tools import SQL  # noqa: E402

GOAL_MS = 500
SEED = 20261125
TIME_ZONES = ["Europe/Warsaw", "Europe/Warsaw", "Asia/Tokyo", "UTC", "America/New_York"]
PRESALES_TEAM = "Pre-Sales"
COPY_CHUNK = 100_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="20,000 calls over 20 users: a quick run")
    parser.add_argument("--db", help="database to use (made if missing); default calls_bench_reports[_small]")
    parser.add_argument("--calls", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, help="timed runs per report and model (default 30, 10 with --small)")
    parser.add_argument("--output", help="also write the results table to this file")
    args = parser.parse_args()
    args.calls = args.calls or (20_000 if args.small else 2_000_000)
    args.users = args.users or (20 if args.small else 200)
    args.repeat = args.repeat or (10 if args.small else 30)
    args.db = args.db or ("calls_bench_reports_small" if args.small else "calls_bench_reports")
    return args


# ----------------------------------------------------------------------
# Database
# ----------------------------------------------------------------------
def install(db):
    """Create the database with call_logging (no demo data) through Odoo's CLI, once."""
    if odoo.service.db.exp_db_exist(db):
        return
    print(f"installing call_logging in {db} (a few minutes, once)", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "odoo", f"--addons-path={addons_path()}", "-d", db, "-i", "call_logging",
         "--without-demo=all", "--stop-after-init", "--no-http", "--log-level=warn"],
        check=True, env={**os.environ, "PYTHONPATH": str(ODOO_SRC)},
    )
    print(f"installed in {time.perf_counter() - started:.0f} s", flush=True)


def populate(env, args):
    """Users in teams, customers, leads and calls: the calls by COPY, the rest by the ORM or one INSERT."""
    cr = env.cr
    cr.execute("SELECT COUNT(*) FROM crm_call")
    if cr.fetchone()[0] >= args.calls:
        return False
    rng = random.Random(SEED)
    started = time.perf_counter()
    salesman = env.ref("sales_team.group_sale_salesman")
    users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True).create([{
        "name": f"Rep {index:03d}", "login": f"bench_rep_{index:03d}", "tz": rng.choice(TIME_ZONES),
        "groups_id": [odoo.Command.set([salesman.id])],
    } for index in range(args.users)])
    team_size = 10
    teams = env["crm.team"].create([{
        "name": PRESALES_TEAM if index == 0 else f"Team {index:02d}",
        "is_presales": index == 0,
        "member_ids": [odoo.Command.set(users[index * team_size:(index + 1) * team_size].ids)],
    } for index in range(math.ceil(args.users / team_size))])
    customer_count = max(args.calls // 1000, 20)
    customers = env["res.partner"].create([{"name": f"Customer {index:05d}", "is_company": True}
                                           for index in range(customer_count)])
    contacts = env["res.partner"].create([{"name": f"Contact {index:05d}", "parent_id": customer.id,
                                           "phone": f"+48 22 {index:03d} {index % 100:02d} 00"}
                                          for index, customer in enumerate(customers)])
    print(f"users, teams, customers: {time.perf_counter() - started:.0f} s", flush=True)
    env.flush_all()

    lead_count = max(args.calls // 40, 100)
    cr.execute(SQL(
        """
        INSERT INTO crm_lead (name, type, active, company_id, user_id, team_id, partner_id, create_date, write_date)
        SELECT 'Lead ' || i, 'lead', TRUE, %(company)s, (%(users)s::int[])[1 + mod(i, %(user_count)s)],
               (%(teams)s::int[])[1 + mod(i, %(user_count)s) / %(team_size)s],
               (%(contacts)s::int[])[1 + mod(i, %(contact_count)s)], now(), now()
          FROM generate_series(0, %(lead_count)s - 1) i
        RETURNING id, user_id
        """,
        company=env.company.id, users=users.ids, user_count=len(users), teams=teams.ids, team_size=team_size,
        contacts=contacts.ids, contact_count=len(contacts), lead_count=lead_count,
    ))
    leads_by_user = {}
    for lead_id, user_id in cr.fetchall():
        leads_by_user.setdefault(user_id, []).append(lead_id)
    print(f"{lead_count} leads: {time.perf_counter() - started:.0f} s", flush=True)

    team_of = {user.id: user.sale_team_id.id for user in users}
    commercial_of = {contact.id: contact.parent_id.id for contact in contacts}
    purposes = env["crm.call.purpose"].search([]).ids
    results = env["crm.call.result"].search([])
    reached = [result.id for result in results if result.is_reached]
    not_reached = [result.id for result in results if not result.is_reached]
    # The subject is translated (jsonb).
    columns = ("name", "direction", "state", "start", "stop", "duration", "hold_duration", "talk_duration",
               "user_id", "team_id", "partner_id", "commercial_partner_id", "lead_id", "purpose_id",
               "result_id", "company_id", "goal_status", "caller_type", "reminder_minutes", "reschedule_count",
               "is_billable", "dial_mode", "create_uid", "write_uid", "create_date", "write_date")
    now = datetime.now().replace(microsecond=0)
    first = now - timedelta(days=365 * args.years)
    span = int((now - first).total_seconds())
    user_ids = users.ids
    contact_ids = contacts.ids

    def rows(count):
        for _index in range(count):
            start = first + timedelta(seconds=rng.randrange(span))
            user_id = rng.choice(user_ids)
            inbound = rng.random() < 0.4
            roll = rng.random()
            if inbound:
                state = "missed" if roll < 0.15 else "done"
            else:
                state = "cancelled" if roll < 0.06 else "done"
            duration = hold = 0
            result_id = None
            if state == "done":
                duration = min(int(rng.lognormvariate(5.2, 0.8)), 3 * 3600)
                hold = rng.randint(5, min(120, duration)) if duration > 5 and rng.random() < 0.2 else 0
                if rng.random() < 0.8:
                    pool = reached if inbound or rng.random() < 0.7 else not_reached
                    result_id = rng.choice(pool)
            if inbound:
                purpose_id = rng.choice(purposes) if rng.random() < 0.3 else None
            else:
                purpose_id = rng.choice(purposes) if rng.random() < 0.9 else None
            contact_id = rng.choice(contact_ids)
            own_leads = leads_by_user.get(user_id)
            lead_id = rng.choice(own_leads) if own_leads and rng.random() < 0.35 else None
            stop = start + timedelta(seconds=duration)
            yield (
                '{"en_US": "Bench call"}', "inbound" if inbound else "outbound", state, start, stop, duration, hold,
                duration - hold, user_id, team_of[user_id], contact_id, commercial_of[contact_id],
                lead_id, purpose_id, result_id, env.company.id, "none", "contact", 0, 0, True, "manual", 1, 1, now, now,
            )

    remaining = args.calls
    while remaining:
        count = min(COPY_CHUNK, remaining)
        copy_rows(cr, "crm_call", columns, rows(count))
        remaining -= count
        print(f"  {args.calls - remaining} calls copied, {time.perf_counter() - started:.0f} s", flush=True)
    cr.execute("ANALYZE crm_call")
    print(f"calls generated in {time.perf_counter() - started:.0f} s", flush=True)
    return True


def rebuild(env):
    started = time.perf_counter()
    env["crm.call.report"]._cron_rebuild_call_statistics()
    env.cr.execute("ANALYZE crm_call_report")
    env.cr.execute("ANALYZE crm_call_lead_report")
    seconds = time.perf_counter() - started
    env.cr.execute("SELECT (SELECT COUNT(*) FROM crm_call), (SELECT COUNT(*) FROM crm_call_report), "
                   "(SELECT COUNT(*) FROM crm_call_lead_report)")
    calls, report_rows, lead_rows = env.cr.fetchone()
    print(f"statistics rebuilt in {seconds:.1f} s: {calls} calls -> {report_rows} rows per day and "
          f"{lead_rows} lead rows", flush=True)
    return seconds, calls, report_rows, lead_rows


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------
def reports(env):
    """(label, baseline read on crm.call, same read on the statistics), each a callable."""
    presales = env["crm.team"].search([("name", "=", PRESALES_TEAM)], limit=1)
    call, report, leads = env["crm.call"], env["crm.call.report"], env["crm.call.lead.report"]
    held = [("state", "not in", ("scheduled", "cancelled"))]
    done = [("state", "=", "done")]
    return [
        ("Average duration per rep per month",
         lambda: call.read_group(done, ["duration:avg"], ["user_id", "start:month"], lazy=False),
         lambda: report.read_group(done, ["duration_avg:avg"], ["user_id", "date:month"], lazy=False)),
        ("Calls per day",
         lambda: call.read_group(held, ["__count"], ["start:day"], lazy=False),
         lambda: report.read_group(held, ["call_count:sum"], ["date:day"], lazy=False)),
        ("Call status breakdown",
         lambda: call.read_group([], ["__count"], ["state"], lazy=False),
         lambda: report.read_group([], ["call_count:sum"], ["state"], lazy=False)),
        ("Leads contacted by pre-sales per month",
         lambda: call.read_group(done + [("team_id", "=", presales.id), ("lead_id", "!=", False)],
                                 ["lead_id:count_distinct"], ["start:month"], lazy=False),
         lambda: leads.read_group([("team_id", "=", presales.id)], ["lead_id:count_distinct"], ["date:month"],
                                  lazy=False)),
    ]


def timed(env, read, repeat):
    samples = []
    read()  # warm the caches of the ORM and of PostgreSQL once, as a second visit would
    for _index in range(repeat):
        env.invalidate_all()
        started = time.perf_counter()
        read()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, math.ceil(0.99 * len(samples)) - 1)]
    return statistics.median(samples), p99


def measure(env, args):
    lines = []
    header = (f"{'report':42} {'crm.call median':>15} {'p99':>8} {'statistics median':>17} {'p99':>8} "
              f"{'ratio':>7}  goal {GOAL_MS} ms")
    lines.append(header)
    lines.append("-" * len(header))
    for label, baseline, statistics_read in reports(env):
        base_median, base_p99 = timed(env, baseline, args.repeat)
        median, p99 = timed(env, statistics_read, args.repeat)
        verdict = "met" if p99 <= GOAL_MS else ("median met" if median <= GOAL_MS else "MISSED")
        line = (f"{label:42} {base_median:13.1f}ms {base_p99:6.1f}ms {median:15.1f}ms {p99:6.1f}ms "
                f"{base_median / median:6.1f}x  {verdict}")
        lines.append(line)
        print(line, flush=True)
    return lines


def main():
    args = parse_args()
    odoo.tools.config.parse_config([f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"])
    install(args.db)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        fresh = populate(env, args)
        cr.commit()
        cr.execute("SELECT COUNT(*) FROM crm_call_report")
        if fresh or not cr.fetchone()[0]:
            rebuild_seconds, calls, report_rows, lead_rows = rebuild(env)
            cr.commit()
        else:
            rebuild_seconds = None
            cr.execute("SELECT (SELECT COUNT(*) FROM crm_call), (SELECT COUNT(*) FROM crm_call_report), "
                       "(SELECT COUNT(*) FROM crm_call_lead_report)")
            calls, report_rows, lead_rows = cr.fetchone()
    with registry.cursor() as cr:
        # A calls manager, with the record rules and the time zone the web client sends.
        admin = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}).ref("base.user_admin")
        env = odoo.api.Environment(cr, admin.id, {"tz": "Europe/Warsaw", "lang": "en_US"})
        print(f"\n{calls} calls, {args.users} users, {args.years} years; statistics: {report_rows} rows, "
              f"lead rows: {lead_rows}; {args.repeat} timed runs each, as {admin.login} (calls manager)\n",
              flush=True)
        lines = measure(env, args)
        # A working day's changes not yet summed by the cron: every rep's today is queued, and the
        # reports sum those buckets from the calls as they read (the cursor is rolled back after).
        cr.execute("INSERT INTO crm_call_statistics_queue (user_id, day) "
                   "SELECT id, CURRENT_DATE FROM res_users WHERE login LIKE 'bench_rep_%'")
        queued = cr.rowcount
        print(f"\nwith {queued} buckets queued (every rep's today, not yet summed by the cron):\n", flush=True)
        lines += ["", f"with {queued} buckets queued (every rep's today, not yet summed by the cron):"]
        lines += measure(env, args)
        cr.rollback()
    if args.output:
        summary = [f"{calls} calls, {args.users} users, {args.years} years; statistics: {report_rows} rows, "
                   f"lead rows: {lead_rows}; {args.repeat} timed runs each, as a calls manager"]
        if rebuild_seconds is not None:
            summary.append(f"full rebuild of the statistics: {rebuild_seconds:.1f} s")
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text("\n".join(summary + [""] + lines) + "\n")


if __name__ == "__main__":
    main()
