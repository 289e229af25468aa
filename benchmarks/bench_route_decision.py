"""Benchmark of the route decision: ``GET /telephony/v1/route`` with 1,000,000 contacts.

Runs on the database ``bench_identify_number.py`` builds (``calls_bench``: 1,000,000 contacts,
200,000 leads, the phone lookup filled; run that script first when it is missing). It

1. installs or updates ``call_telephony_bridge`` (and updates ``call_logging``) there, so that the
   database follows the code;
2. sets up, once, a line of the company "Bench PL" with every routing option that costs a query:
   20 agents with extensions, a sales team whose leader is the manager, a round-robin queue as the
   fallback after the owner then the manager (``queue_manager``), a longest-idle queue for unknown
   callers, default extensions, skipping users who are offline or on a call; half the agents are
   online in Odoo, so about half the known callers' plans start with the owner, the others with
   the queue;
3. gives 2,000 randomly chosen Polish contacts one of the agents as salesperson (undone at the end);
4. asks for the route of 2,000 calls - 90 % from those contacts, each number in a spelling other
   than the stored one, 10 % from unknown numbers - after 200 untimed ones:

   - through the real HTTP endpoint of an Odoo started on a spare port (``--workers 0``), one
     request at a time, against a trivial request of Odoo's (``/web/webclient/version_info``)
     measured in the same run;
   - through ``telephony.router._route`` directly (caches cleared before each call, as a new request
     would find them), against ``crm.call.identify_number`` alone on the same numbers.

It prints the median and the 99th percentile of each, the ratios, and whether the goal (p99 at
most 20 ms) is met. Run from the project root::

    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    $VENV/bin/python benchmarks/bench_route_decision.py
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo18"))
sys.path.insert(0, str(ODOO_SRC))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_events_endpoint as server_helpers  # noqa: E402
from bench_common import addons_path, percentile  # noqa: E402
from bench_identify_number import respell  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, Command, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

DB_NAME = "calls_bench"
TOKEN = "bench-route-token-0123456789abcdef0123456789"
LINE_NAME = "Route benchmark line"
AGENTS = 20
OWNED_CONTACTS = 2000
CALLS = 2000
WARM_UP = 200
UNKNOWN_SHARE = 0.1
SEED = 20261125
GOAL_P99_MS = 20.0


def update_addon():
    """Install or update call_telephony_bridge in the benchmark database."""
    state = subprocess.run(
        ["psql", "-d", DB_NAME, "-Atc", "SELECT state FROM ir_module_module WHERE name = 'call_telephony_bridge'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    # call_logging is updated too: the database may have been made by an older call_logging.
    modules = ["-u", "call_logging,call_telephony_bridge"] if state == "installed" else \
        ["-u", "call_logging", "-i", "call_telephony_bridge"]
    print(f"- {'updating' if state == 'installed' else 'installing'} call_telephony_bridge in {DB_NAME}",
          flush=True)
    subprocess.run(
        server_helpers.odoo_command("-d", DB_NAME, *modules, "--stop-after-init",
                                    "--without-demo=all", "--log-level=warn", "--http-port=8597",
                                    "--max-cron-threads=0"),
        check=True, env=dict(os.environ, PYTHONPATH=str(ODOO_SRC)),
    )


def set_up_routing(env):
    """The company, agents, team, queues and line of the benchmark (created once, then reused)."""
    poland = env.ref("base.pl")
    company = env["res.company"].search([("name", "=", "Bench PL")], limit=1) or env["res.company"].create(
        {"name": "Bench PL", "country_id": poland.id})
    salesman = env.ref("sales_team.group_sale_salesman")
    agents = env["res.users"]
    for n in range(AGENTS + 1):
        login = f"bench_route_{n}"
        user = env["res.users"].with_context(active_test=False).search([("login", "=", login)]) or \
            env["res.users"].create({"name": f"Route Agent {n}", "login": login,
                                     "groups_id": [Command.link(salesman.id)]})
        user.write({"telephony_extension": str(5000 + n), "company_ids": [Command.link(company.id)]})
        agents |= user
    boss, agents = agents[-1], agents[:-1]
    team = env["crm.team"].search([("name", "=", "Route bench team")], limit=1) or env["crm.team"].create(
        {"name": "Route bench team"})
    team.write({"user_id": boss.id, "member_ids": [Command.set(agents.ids)]})

    def queue(name, distribution, members):
        record = env["telephony.queue"].search([("name", "=", name)], limit=1) or env["telephony.queue"].create(
            {"name": name, "company_id": company.id})
        record.write({"distribution": distribution, "member_ids": [Command.clear()] + [
            Command.create({"user_id": user.id, "sequence": n}) for n, user in enumerate(members)]})
        return record

    desk = queue("Route bench desk", "round_robin", agents[:5])
    reception = queue("Route bench reception", "longest_idle", agents[5:10])
    line = env["telephony.line"].search([("name", "=", LINE_NAME)], limit=1) or env["telephony.line"].create(
        {"name": LINE_NAME, "company_id": company.id})
    line.write({
        "owner_fallback": "queue_manager", "fallback_queue_id": desk.id,
        "default_queue_id": reception.id, "default_extensions": "5998", "skip_absent_users": True,
        "skip_busy_users": True,
    })
    line._set_token(TOKEN)
    for user in agents[::2] | boss:
        if not env["bus.presence"].search([("user_id", "=", user.id)]):
            env["bus.presence"].create({"user_id": user.id, "status": "online"})
    env.cr.commit()
    return line, agents


def give_owners(cr, agents, rng):
    """Random Polish contacts without a salesperson get an agent; returns [(id, stored phone)].

    Drawn by id, not with TABLESAMPLE: its sample follows the rows' physical places, which every run's
    update (and its undoing) moves.
    """
    cr.execute("SELECT min(id), max(id) FROM res_partner WHERE name LIKE 'Contact %%'")
    low, high = cr.fetchone()
    cr.execute(
        """SELECT p.id, p.phone FROM res_partner p
            WHERE p.id = ANY(%s) AND p.country_id = (SELECT id FROM res_country WHERE code = 'PL')
              AND p.phone IS NOT NULL AND p.user_id IS NULL AND p.name LIKE 'Contact %%' AND p.active
            ORDER BY p.id LIMIT %s""",
        (rng.sample(range(low, high + 1), min(high - low + 1, OWNED_CONTACTS * 10)), OWNED_CONTACTS),
    )
    rows = cr.fetchall()
    rng.shuffle(rows)
    cr.execute(
        """UPDATE res_partner p SET user_id = owners.user_id
             FROM unnest(%s::int[], %s::int[]) AS owners(id, user_id) WHERE p.id = owners.id""",
        ([row[0] for row in rows], [agents[n % len(agents)].id for n in range(len(rows))]),
    )
    cr.commit()
    return rows


def take_owners_back(cr, rows):
    cr.execute("UPDATE res_partner SET user_id = NULL WHERE id = ANY(%s)", ([row[0] for row in rows],))
    cr.commit()


def pick_numbers(rows, rng):
    """The callers: known contacts in another spelling than the stored one, and a share of unknown numbers."""
    numbers = []
    for _n in range(CALLS + WARM_UP):
        if rng.random() < UNKNOWN_SHARE:
            numbers.append(f"+48 58 9{rng.randrange(10**6):06d}")
        else:
            _partner_id, stored = rng.choice(rows)
            numbers.append(rng.choice([s for s in respell("PL", stored) if s != stored]))
    return numbers[:WARM_UP], numbers[WARM_UP:]


def time_each(numbers, ask):
    durations = []
    for number in numbers:
        start = time.perf_counter()
        ask(number)
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), percentile(durations, 0.99)


def measure_http(port, warm_up, numbers):
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    plans = []

    def route(number):
        response = session.get(base + "/telephony/v1/route", params={"from": number, "to": "+48221000000"},
                               headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        response.raise_for_status()
        plans.append(response.json())

    def trivial(_number):
        session.post(base + "/web/webclient/version_info", json={"jsonrpc": "2.0", "params": {}},
                     timeout=30).raise_for_status()

    time_each(warm_up, trivial)
    time_each(warm_up, route)
    plans.clear()
    baseline = time_each(numbers, trivial)
    routed = time_each(numbers, route)
    return baseline, routed, plans


def measure_direct(registry, warm_up, numbers):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        line = env["telephony.line"].search([("name", "=", LINE_NAME)], limit=1)
        env = env(context={"allowed_company_ids": [line.company_id.id]})
        line = line.with_env(env)
        company_id = line.company_id.id

        def identify(number):
            env.invalidate_all()
            env["crm.call"].identify_number(number, company_id=company_id)

        def route(number):
            env.invalidate_all()
            env["telephony.router"]._route(line, number, "+48221000000")

        time_each(warm_up, route)
        baseline = time_each(numbers, identify)
        routed = time_each(numbers, route)
        cr.rollback()
    return baseline, routed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8599)
    args = parser.parse_args()
    rng = random.Random(SEED)
    update_addon()
    odoo.tools.config.parse_config([f"--addons-path={addons_path()}", "-d", DB_NAME,
                                    "--log-level=warn"])
    registry = Registry(DB_NAME)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT (SELECT count(*) FROM res_partner), (SELECT count(*) FROM crm_lead)")
        contacts, leads = cr.fetchone()
        _line, agents = set_up_routing(env)
        rows = give_owners(cr, agents, rng)
    warm_up, numbers = pick_numbers(rows, rng)
    print(f"- {contacts:,} contacts, {leads:,} leads; {len(rows):,} contacts given a salesperson; "
          f"{len(numbers):,} calls ({UNKNOWN_SHARE:.0%} unknown numbers) after {len(warm_up)} untimed", flush=True)
    try:
        print(f"- Odoo on port {args.port} (--workers 0): HTTP", flush=True)
        server = server_helpers.OdooServer(args.port, db=DB_NAME)
        try:
            load_before = os.getloadavg()[0]
            http_base, http_route, plans = measure_http(args.port, warm_up, numbers)
        finally:
            server.stop()
        print("- in process: the router method", flush=True)
        direct_base, direct_route = measure_direct(registry, warm_up, numbers)
        load_after = os.getloadavg()[0]
    finally:
        with registry.cursor() as cr:
            take_owners_back(cr, rows)

    with_owner = sum(1 for plan in plans if plan["steps"] and plan["steps"][0]["target"] == "owner")
    print()
    print(f"Machine: {os.cpu_count()} CPUs, load {load_before:.1f} before, {load_after:.1f} after")
    print(f"Plans: {with_owner / len(plans):.0%} start with the owner; steps per plan "
          f"{statistics.mean(len(plan['steps']) for plan in plans):.1f}")
    print(f"{'':44}{'median ms':>10}{'p99 ms':>10}")
    rows_out = [
        ("HTTP  GET /telephony/v1/route", http_route),
        ("HTTP  baseline /web/webclient/version_info", http_base),
        ("direct telephony.router._route", direct_route),
        ("direct baseline crm.call.identify_number", direct_base),
    ]
    for name, (median, p99) in rows_out:
        print(f"{name:<44}{median:>10.2f}{p99:>10.2f}")
    print(f"route / baseline: HTTP median x{http_route[0] / http_base[0]:.2f}, "
          f"p99 x{http_route[1] / http_base[1]:.2f}; direct median x{direct_route[0] / direct_base[0]:.2f}, "
          f"p99 x{direct_route[1] / direct_base[1]:.2f}")
    met = http_route[1] <= GOAL_P99_MS and direct_route[1] <= GOAL_P99_MS
    print(f"goal p99 <= {GOAL_P99_MS:.0f} ms: {'met' if met else 'NOT met'} "
          f"(HTTP {http_route[1]:.1f} ms, direct {direct_route[1]:.1f} ms)")


if __name__ == "__main__":
    main()
