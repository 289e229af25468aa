"""Benchmark of caller identification: ``crm.call.identify_number`` against Odoo's own ways.

Builds a database of its own with 1,000,000 contacts and 200,000 leads whose numbers
are written in mixed Polish, Japanese, German and US spellings, national and
international, each record with its country. The rows are bulk-inserted with COPY
(the ORM would take hours); the phone lookup is then built with the addon's own
fill method, the one its install hook runs, and timed. Then 10,000 numbers are
looked up, each in a spelling different from the stored one, the way a telephone
line of that country would pass them (``company_id`` of a company of that
country), and the script prints for each method the hit rate, the median and
the 99th percentile per lookup, and our ratio to it:

- ``identify_number``: this addon;
- ``search box``: what typing the number in the contact (and lead) search box
  does, ``[('phone_mobile_search', 'ilike', number)]``;
- ``phone_sanitized =``: Odoo's sanitized number of the typed text, matched
  exactly against the stored ``phone_sanitized`` of contacts and leads.

Odoo's two ways take up to a quarter of a second per lookup on this data, so they
run on a random sample of the same lookups (``--baseline-sample``, 500 by
default). 1,000 lookups of other numbers run first, untimed, as on a server
that answers calls all day. The machine's load is printed with the figures:
other work on the machine shows in the 99th percentiles.

Run from the project root (the Odoo tree defaults to /opt/odoo18, the virtualenv
is the one ``setup/test.sh`` builds)::

    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    $VENV/bin/python benchmarks/bench_identify_number.py            # full: about 10 minutes
    $VENV/bin/python benchmarks/bench_identify_number.py --small    # 20,000 contacts, 4,000 leads: 1 minute

``--reuse`` keeps the generated database of an earlier run (``calls_bench`` or
``calls_bench_small``) and only refills the lookup and measures again.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo18"))
sys.path.insert(0, str(ODOO_SRC))

import phonenumbers  # noqa: E402
from bench_common import addons_path, copy_rows, percentile  # noqa: E402

import odoo  # noqa: E402
from odoo import api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

COUNTRIES = ("PL", "JP", "DE", "US")
COUNTRY_CODES = {"PL": "48", "JP": "81", "DE": "49", "US": "1"}
PL_LANDLINES = ("22", "12", "58", "61", "71")
SEED = 20241108
ADMIN_UID = 2
COPY_CHUNK = 100_000
EXTENSIONS = (" x12", " ext. 34", ";ext=5", " Ext 207")
# Lookups of other numbers run first, untimed: a server that answers calls has its index in memory.
WARM_UP = 1000


# ----------------------------------------------------------------------
# Numbers: a valid national significant number and its spellings per country
# ----------------------------------------------------------------------
def _random_nsn(rng, country):
    """A national significant number of ``country`` split into the groups people write."""
    if country == "PL":
        head = rng.choice((*PL_LANDLINES, "50", "51", "53", "60", "66", "69", "72", "78", "79", "88"))
        rest = f"{rng.randrange(10**7):07d}"
        if head in PL_LANDLINES:
            return (head, rest[:3], rest[3:5], rest[5:])
        return (head + rest[0], rest[1:4], rest[4:])
    if country == "JP":
        area = rng.choice(("3", "6", "90", "80", "70"))
        return (area, f"{rng.randrange(10**4):04d}", f"{rng.randrange(10**4):04d}")
    if country == "DE":
        area = rng.choice(("30", "40", "89", "151", "160", "171"))
        return (area, f"{rng.randrange(10**7, 10**8 if area in ('30', '40') else 10**7 * 2)}")
    area = rng.choice(("212", "310", "312", "415", "617", "206", "305", "404"))
    return (area, f"{rng.randrange(200, 1000)}", f"{rng.randrange(10**4):04d}")


def _spellings(country, groups):
    """(national spellings, international spellings) of one number."""
    nsn = "".join(groups)
    if country == "PL":
        spaced = " ".join(groups)
        national = [spaced, "-".join(groups), f"0{spaced}", f"({groups[0]}) {'-'.join(groups[1:])}", nsn]
        international = [f"+48 {spaced}", f"+48{nsn}", f"0048 {spaced}", f"+48-{'-'.join(groups)}", f"0048{nsn}"]
    elif country == "JP":
        national = [f"0{'-'.join(groups)}", f"(0{groups[0]}) {groups[1]} {groups[2]}", f"0{nsn}",
                    f"0{groups[0]}.{groups[1]}.{groups[2]}"]
        international = [f"+81 {'-'.join(groups)}", f"+81{nsn}", f"0081-{'-'.join(groups)}", f"+81 {' '.join(groups)}"]
    elif country == "DE":
        national = [f"0{groups[0]} {groups[1]}", f"0{groups[0]}/{groups[1]}", f"0{groups[0]}-{groups[1]}",
                    f"(0{groups[0]}) {groups[1]}"]
        international = [f"+49 (0){groups[0]} {groups[1]}", f"+49 {groups[0]} {groups[1]}", f"0049{nsn}",
                         f"+49{nsn}"]
    else:
        area, exchange, line = groups
        national = [f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", f"{area}.{exchange}.{line}",
                    f"1-{area}-{exchange}-{line}", f"{area} {exchange} {line}"]
        international = [f"+1 {area} {exchange} {line}", f"+1{nsn}", f"+1 ({area}) {exchange}-{line}", f"001{nsn}"]
    return national + international


def generate_numbers(rng):
    """Distinct valid numbers, countries in turn: ``(country, spellings)``."""
    seen = set()
    while True:
        country = COUNTRIES[len(seen) % len(COUNTRIES)]
        groups = _random_nsn(rng, country)
        parsed = phonenumbers.parse("".join(groups), country)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if e164 in seen or not phonenumbers.is_valid_number(parsed):
            continue
        seen.add(e164)
        yield country, _spellings(country, groups)


def respell(country, stored):
    """Every spelling of the number stored as ``stored`` on a record of ``country``.

    Undoes the benchmark's own spellings without phonenumbers, so that the truth
    does not depend on the library under test.
    """
    code = COUNTRY_CODES[country]
    digits = re.sub(r"[^0-9]", "", stored.replace("(0)", ""))
    if stored.startswith("+"):
        nsn = digits[len(code):]
    elif digits.startswith("00" + code):
        nsn = digits[2 + len(code):]
    elif country == "US":
        nsn = digits[1:] if len(digits) == 11 else digits
    else:
        nsn = digits[1:] if digits.startswith("0") else digits
    if country == "PL":
        groups = (nsn[:2], nsn[2:5], nsn[5:7], nsn[7:]) if nsn[:2] in PL_LANDLINES else (nsn[:3], nsn[3:6], nsn[6:])
    elif country == "JP":
        groups = (nsn[:-8], nsn[-8:-4], nsn[-4:])
    elif country == "DE":
        groups = (nsn[:2], nsn[2:]) if nsn[:2] in ("30", "40", "89") else (nsn[:3], nsn[3:])
    else:
        groups = (nsn[:3], nsn[3:6], nsn[6:])
    return _spellings(country, groups)


# ----------------------------------------------------------------------
# Database
# ----------------------------------------------------------------------
def odoo_command(db, *args):
    return [sys.executable, "-m", "odoo", f"--addons-path={addons_path()}", "-d", db, *args]


def create_database(db):
    """A fresh database with the addon installed, cloned from the test template when there is one."""
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    templates = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", "SELECT datname FROM pg_database WHERE datname LIKE 'calls_tpl_%'"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    if templates:
        subprocess.run(["createdb", "-T", templates[0], db], check=True)
    env = {**os.environ, "PYTHONPATH": str(ODOO_SRC)}
    subprocess.run(
        odoo_command(db, "-i", "call_logging", "--stop-after-init", "--without-demo=all", "--log-level=warn",
                     "--http-port=8299", "--max-cron-threads=0"),
        check=True, env=env, cwd=ROOT,
    )


def odoo_sanitized(country_code, *raw_numbers):
    """``phone_sanitized`` as Odoo computes it: the first of mobile, phone that formats to E.164."""
    for raw in raw_numbers:
        if not raw:
            continue
        try:
            parsed = phonenumbers.parse(raw, country_code)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(parsed) and phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def generate(env, n_contacts, n_leads, rng):
    """Insert the contacts and leads with COPY."""
    cr = env.cr
    country_ids = {code: env.ref(f"base.{code.lower()}").id for code in COUNTRIES}
    with_mobile = {"res.partner": 0.5, "crm.lead": 0.3}
    numbers = generate_numbers(rng)
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
    next_partner = cr.fetchone()[0] + 1
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM crm_lead")
    next_lead = cr.fetchone()[0] + 1
    cr.execute("SELECT id FROM crm_stage WHERE is_won IS NOT TRUE ORDER BY sequence, id LIMIT 1")
    stage_id = cr.fetchone()[0]

    def record_numbers(model):
        """A country, a phone and maybe a mobile of that country, each in a random spelling."""
        country, spellings = next(numbers)
        mobile = None
        if rng.random() < with_mobile[model]:
            while (mobile_country := next(numbers))[0] != country:
                pass
            mobile = rng.choice(mobile_country[1])
        return country, rng.choice(spellings), mobile

    def last_activity():
        return f"202{rng.randrange(3, 6)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} 12:00:00"

    partner_columns = ("id", "name", "complete_name", "type", "active", "is_company", "country_id", "phone",
                       "mobile", "phone_sanitized", "commercial_partner_id", "lang", "partner_share",
                       "create_uid", "write_uid", "create_date", "write_date")
    lead_columns = ("id", "name", "type", "active", "country_id", "phone", "mobile", "phone_sanitized",
                    "stage_id", "probability", "create_uid", "write_uid", "create_date", "write_date")
    t0 = time.perf_counter()
    for model, count in (("res.partner", n_contacts), ("crm.lead", n_leads)):
        for start in range(0, count, COPY_CHUNK):
            rows = []
            for _index in range(start, min(count, start + COPY_CHUNK)):
                country, phone, mobile = record_numbers(model)
                when = last_activity()
                sanitized = odoo_sanitized(country, mobile, phone)
                if model == "res.partner":
                    record_id, next_partner = next_partner, next_partner + 1
                    is_company = rng.random() < 0.1
                    name = f"{'Company' if is_company else 'Contact'} {record_id}"
                    rows.append((record_id, name, name, "contact", "t", "t" if is_company else "f",
                                 country_ids[country], phone, mobile, sanitized, record_id,
                                 "en_US", "t", 1, 1, when, when))
                else:
                    record_id, next_lead = next_lead, next_lead + 1
                    rows.append((record_id, f"Lead {record_id}", rng.choice(("lead", "opportunity")), "t",
                                 country_ids[country], phone, mobile, sanitized, stage_id, 10,
                                 1, 1, when, when))
            table, columns = ("res_partner", partner_columns) if model == "res.partner" else ("crm_lead", lead_columns)
            copy_rows(cr, table, columns, rows)
            print(f"  {model}: {min(count, start + COPY_CHUNK):,} / {count:,} inserted "
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
    cr.execute("SELECT setval('res_partner_id_seq', (SELECT MAX(id) FROM res_partner))")
    cr.execute("SELECT setval('crm_lead_id_seq', (SELECT MAX(id) FROM crm_lead))")
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE crm_lead")
    cr.commit()


def bench_companies(env):
    """One company per country: a line of that country passes its calls with ``company_id`` of it."""
    companies = {}
    for code in COUNTRIES:
        country = env.ref(f"base.{code.lower()}")
        company = env["res.company"].search([("name", "=", f"Bench {code}")], limit=1)
        companies[code] = company or env["res.company"].create({"name": f"Bench {code}", "country_id": country.id})
    admin = env["res.users"].browse(ADMIN_UID)
    admin.company_ids = [(4, company.id) for company in companies.values()]
    env.cr.commit()
    return companies


# ----------------------------------------------------------------------
# Lookups
# ----------------------------------------------------------------------
def pick_lookups(env, count, rng):
    """``count`` stored numbers, each in a spelling different from the stored one, some with an extension."""
    cr = env.cr
    cr.execute("SELECT (SELECT count(*) FROM res_partner) + (SELECT count(*) FROM crm_lead)")
    share = min(1.0, 2.0 * count / cr.fetchone()[0])
    cr.execute("SELECT setseed(%s)", (rng.random(),))
    targets = []
    for model, table, prefix in (("res.partner", "res_partner", "Co%"), ("crm.lead", "crm_lead", "Lead %")):
        cr.execute(f"""SELECT t.id, c.code, t.phone, t.mobile FROM {table} t JOIN res_country c ON c.id = t.country_id
                        WHERE t.name LIKE %s AND random() < %s ORDER BY t.id""", (prefix, share))
        for record_id, country, phone, mobile in cr.fetchall():
            targets += [(model, record_id, country, stored) for stored in (phone, mobile) if stored]
    lookups = []
    for model, record_id, country, stored in rng.sample(targets, min(count, len(targets))):
        spelling = rng.choice([s for s in respell(country, stored) if s != stored])
        if rng.random() < 0.1:
            spelling += rng.choice(EXTENSIONS)
        lookups.append((model, record_id, country, spelling))
    return lookups


def measure(env, lookups, companies, find):
    """Run ``find(env, spelling, company)`` on each lookup: (hit rate, median ms, p99 ms)."""
    durations, hits = [], 0
    for model, record_id, country, spelling in lookups:
        env.invalidate_all()
        start = time.perf_counter()
        found = find(env, spelling, companies[country])
        durations.append((time.perf_counter() - start) * 1000)
        hits += (model, record_id) in found
    durations.sort()
    return hits / len(lookups), statistics.median(durations), percentile(durations, 0.99)


def find_ours(env, spelling, company):
    result = env["crm.call"].identify_number(spelling, company_id=company.id)
    if result["partner_id"]:
        return {("res.partner", result["partner_id"])}
    return {("crm.lead", result["lead_id"])} if result["lead_id"] else set()


def find_search_box(env, spelling, company):
    found = set()
    for model in ("res.partner", "crm.lead"):
        records = env[model].search([("phone_mobile_search", "ilike", spelling)])
        found.update((model, record_id) for record_id in records.ids)
    return found


def find_sanitized(env, spelling, company):
    found = set()
    for model in ("res.partner", "crm.lead"):
        sanitized = env[model]._phone_format(number=spelling, country=company.country_id)
        if sanitized:
            records = env[model].search([("phone_sanitized", "=", sanitized)])
            found.update((model, record_id) for record_id in records.ids)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", action="store_true", help="20,000 contacts and 4,000 leads, for a quick run")
    parser.add_argument("--db", help="database to create (calls_bench or calls_bench_small)")
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--baseline-sample", type=int, default=500,
                        help="lookups run through Odoo's two baselines (a random sample of the same lookups)")
    args = parser.parse_args()
    n_contacts, n_leads = (20_000, 4_000) if args.small else (1_000_000, 200_000)
    db = args.db or ("calls_bench_small" if args.small else "calls_bench")
    rng = random.Random(SEED)

    odoo.tools.config.parse_config([f"--addons-path={addons_path()}", "-d", db, "--log-level=warn"])
    print(f"Benchmark of identify_number on {db}: {n_contacts:,} contacts, {n_leads:,} leads", flush=True)
    if not args.reuse:
        print("- creating the database and installing call_logging", flush=True)
        create_database(db)
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        companies = bench_companies(env)
        if not args.reuse:
            print("- generating the data", flush=True)
            generate(env, n_contacts, n_leads, rng)
        print("- filling the phone lookup with the addon's fill method", flush=True)
        start = time.perf_counter()
        env["crm.phone.index"]._fill()
        cr.commit()
        fill_seconds = time.perf_counter() - start
        cr.execute("SELECT count(*) FROM crm_phone_index")
        index_rows = cr.fetchone()[0]

        user_env = api.Environment(cr, ADMIN_UID, {"allowed_company_ids": [c.id for c in companies.values()]})
        lookups = pick_lookups(env, args.lookups + WARM_UP, rng)
        warm_up, lookups = lookups[:WARM_UP], lookups[WARM_UP:]
        sample = rng.sample(lookups, min(args.baseline_sample, len(lookups)))
        print(f"- warming up with {len(warm_up):,} other lookups", flush=True)
        measure(user_env, warm_up, companies, find_ours)
        print(f"- {len(lookups):,} lookups with identify_number, {len(sample):,} with each baseline", flush=True)
        load_before = os.getloadavg()[0]
        ours = measure(user_env, lookups, companies, find_ours)
        ours_on_sample = measure(user_env, sample, companies, find_ours)
        search_box = measure(user_env, sample, companies, find_search_box)
        sanitized = measure(user_env, sample, companies, find_sanitized)
        load_after = os.getloadavg()[0]
        cr.rollback()

    print()
    print(f"Data: {n_contacts:,} contacts + {n_leads:,} leads, {index_rows:,} numbers in the lookup")
    print(f"Filling the lookup: {fill_seconds:.1f} s")
    print(f"Machine load while measuring: {load_before:.1f} before, {load_after:.1f} after ({os.cpu_count()} CPUs)")
    print()
    print(f"{'method':<34}{'lookups':>9}{'hit rate':>10}{'median ms':>11}{'p99 ms':>10}"
          f"{'ours faster (median, p99)':>28}")

    def line(name, count, figures, ratio=True):
        rate, median, p99 = figures
        ratios = f"{median / ours[1]:>10.0f}x {p99 / ours[2]:>8.0f}x" if ratio else ""
        print(f"{name:<34}{count:>9,}{rate:>10.2%}{median:>11.3f}{p99:>10.3f}{ratios:>28}")

    line("identify_number (ours)", len(lookups), ours, ratio=False)
    line("identify_number, baseline sample", len(sample), ours_on_sample, ratio=False)
    line("search box (phone_mobile_search)", len(sample), search_box)
    line("phone_sanitized exact match", len(sample), sanitized)



if __name__ == "__main__":
    main()
