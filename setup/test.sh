#!/usr/bin/env bash
# Runs every test of the project: lint, the tests that need no Odoo (pytest: the bridge against the
# simulated PBX and against a real Asterisk built by setup/asterisk.sh), the Odoo tests of both
# addons (unit, HTTP and browser tours) on a fresh database with both installed, then call_logging's
# tests again on a fresh database with call_logging alone (and Odoo's modules it depends on): it
# must work without any PBX.
# Ends with one line "N passed, N failed, N skipped"; exits non-zero if anything failed or nothing ran.
#
#   setup/test.sh                 everything
#   setup/test.sh --python        only lint and the pytest suites
#   setup/test.sh --odoo          only the Odoo tests
#   CALLS_TEST_TAGS=/call_logging:TestCallRules setup/test.sh --odoo    a subset (its call_logging
#                                 part is run alone as well)
#   CALLS_TEST_DB, CALLS_TEST_ALONE_DB, CALLS_TEST_PORT    the two databases' names, Odoo's HTTP port
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

run_python=1
run_odoo=1
case "${1:-}" in
    --python) run_odoo=0 ;;
    --odoo) run_python=0 ;;
    "") ;;
    *) die "unknown option $1: use --python, --odoo or nothing." ;;
esac

prepare
TEST_DB="${CALLS_TEST_DB:-calls_test}"
ALONE_DB="${CALLS_TEST_ALONE_DB:-${TEST_DB}_alone}"
TEST_TAGS="${CALLS_TEST_TAGS:-/call_logging,/call_telephony_bridge}"
# The part of the tags that selects call_logging's tests (/call_logging...), run again with call_logging alone;
# nothing when it only excludes some.
ALONE_TAGS="$(tr ',' '\n' <<<"$TEST_TAGS" | grep -E '^-?/call_logging([:.[]|$)' | paste -sd, - || true)"
grep -qE '(^|,)/call_logging' <<<"$ALONE_TAGS" || ALONE_TAGS=""
HTTP_PORT="${CALLS_TEST_PORT:-8169}"
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"

passed=0
failed=0
skipped=0

ensure_chromium() {
    # A CJK font, so that Japanese screens (tours, screenshots) are readable rather than boxes.
    if ! fc-list 2>/dev/null | grep -qiE "vlgothic|noto sans cjk"; then
        note "installing a Japanese font (fonts-vlgothic) for the browser tours"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-vlgothic; } >/dev/null 2>&1 \
            || die "a Japanese font is needed for the browser tours and could not be installed: run 'apt-get install fonts-vlgothic' and run this again."
    fi
    command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 && return 0
    note "installing Debian's chromium for the browser tours"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
        || die "chromium is needed for the browser tours and could not be installed: run 'apt-get install chromium' and run this again."
}

run_lint() {
    if "$VENV/bin/ruff" check --quiet "$ROOT"; then
        passed=$((passed + 1))
    else
        note "ruff found problems (above)"
        failed=$((failed + 1))
    fi
}

run_pytest() {
    # The Asterisk tier needs a real Asterisk: built once (about 10 minutes), then taken from the cache.
    bash "$ROOT/setup/asterisk.sh" build || die "the Asterisk for the tests could not be built (see above)."
    local report="$LOG_DIR/pytest-$$.xml"
    rm -f "$report"
    (cd "$ROOT" && PYTHONPATH="$ROOT" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests \
        --junitxml="$report") || true
    [ -f "$report" ] || die "pytest produced no report: see its output above."
    local counts
    counts="$("$VENV/bin/python" - "$report" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(tests - bad - skipped, bad, skipped)
PY
)"
    local npassed nbad nskipped
    read -r npassed nbad nskipped <<<"$counts"
    passed=$((passed + npassed))
    failed=$((failed + nbad))
    skipped=$((skipped + nskipped))
}

# A database with Odoo's own modules $2 installed, named $1: made once and copied for every run.
template_db() {
    local template="$1" modules="$2"
    if ! db_exists "$template" || [ ! -d "$DATA_DIR/filestore/$template" ]; then
        note "building the template database $template (once)"
        db_exists "$template" && dropdb "$template"
        odoo --data-dir="$DATA_DIR" -d "$template" -i "$modules" \
            --stop-after-init --log-level=warn --http-port="$HTTP_PORT" >"$LOG_DIR/template-$template.log" 2>&1 \
            || die "Odoo could not create the template database $template: see $LOG_DIR/template-$template.log."
    fi
}

run_odoo_tests() {
    ensure_chromium
    # TestEndToEndAsterisk plays calls through the real Asterisk into Odoo: never skipped here.
    bash "$ROOT/setup/asterisk.sh" build || die "the Asterisk for the tests could not be built (see above)."
    template_db "$(template_db_name)" "$TEMPLATE_MODULES"
    run_odoo_suite "$(template_db_name)" "$TEST_DB" "$MODULES" "$TEST_TAGS"
    if [ -n "$ALONE_TAGS" ]; then
        # call_logging without the bridge, on Odoo's modules it depends on only (no hr either).
        local alone_modules
        alone_modules="$(addon_depends call_logging)"
        template_db "$(template_db_name alone "$alone_modules")" "$alone_modules"
        run_odoo_suite "$(template_db_name alone "$alone_modules")" "$ALONE_DB" call_logging "$ALONE_TAGS"
    fi
}

# The Odoo modules an addon of ours depends on, as its manifest lists them (comma-separated).
addon_depends() {
    "$VENV/bin/python" -c 'import ast, sys; print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' \
        "$ROOT/$1/__manifest__.py"
}

# Installs the addons $3 on a fresh copy $2 of the template $1, runs the tests the tags $4 select and counts them.
run_odoo_suite() {
    local template="$1" db="$2" modules="$3" tags="$4"
    clone_db "$template" "$db"
    local log="$LOG_DIR/odoo-tests-$db.log"
    note "running the Odoo tests ($tags) with $modules installed; log: $log"
    odoo --data-dir="$DATA_DIR" -d "$db" -i "$modules" --test-enable --test-tags="$tags" \
        --stop-after-init --http-port="$HTTP_PORT" --workers=0 --max-cron-threads=0 \
        --log-level=info >"$log" 2>&1 || true
    grep -E "(ERROR|CRITICAL|FAIL:|^Traceback)" "$log" | grep -v "werkzeug" | head -60 >&2 || true
    local summary
    summary="$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -1)"
    if [ -z "$summary" ]; then
        note "the Odoo run ended without a test summary (the modules did not install?): see $log"
        failed=$((failed + 1))
        return
    fi
    local nfail nerr ntests nskip
    read -r nfail _ nerr _ _ ntests _ <<<"$summary"
    # Odoo counts a skipped test among those run and logs each one: "<test logger>: skipped <test> : <reason>".
    nskip="$(grep -cE " INFO [^ ]+ odoo\.addons\.[^ ]+: skipped " "$log" || true)"
    grep -E " INFO [^ ]+ odoo\.addons\.[^ ]+: skipped " "$log" | sed -E 's/.*: skipped /skipped: /' >&2 || true
    skipped=$((skipped + nskip))
    local ok=$((ntests - nfail - nerr - nskip))
    [ "$ok" -lt 0 ] && ok=0
    passed=$((passed + ok))
    failed=$((failed + nfail + nerr))
    if grep -q "CRITICAL" "$log"; then
        failed=$((failed + 1))
    fi
}

if [ "$run_python" = 1 ]; then
    run_lint
    run_pytest
fi
if [ "$run_odoo" = 1 ]; then
    run_odoo_tests
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
