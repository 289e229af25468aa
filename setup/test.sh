#!/usr/bin/env bash
# Runs every test of the project: lint, the tests that need no Odoo (pytest: the bridge against the
# simulated PBX and against a real Asterisk built by setup/asterisk.sh), and
# the Odoo tests of both addons (unit, HTTP and browser tours) on a fresh database.
# Ends with one line "N passed, N failed, N skipped"; exits non-zero if anything failed or nothing ran.
#
#   setup/test.sh                 everything
#   setup/test.sh --python        only lint and the pytest suites
#   setup/test.sh --odoo          only the Odoo tests
#   CALLS_TEST_TAGS=/call_logging:TestCallRules setup/test.sh --odoo    a subset
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
TEST_TAGS="${CALLS_TEST_TAGS:-/call_logging,/call_telephony_bridge}"
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

# A database with Odoo's own modules installed, made once and copied for every run.
template_db() {
    TEMPLATE_DB="$(template_db_name)"
    if ! db_exists "$TEMPLATE_DB" || [ ! -d "$DATA_DIR/filestore/$TEMPLATE_DB" ]; then
        note "building the template database $TEMPLATE_DB (once)"
        db_exists "$TEMPLATE_DB" && dropdb "$TEMPLATE_DB"
        odoo --data-dir="$DATA_DIR" -d "$TEMPLATE_DB" -i "$TEMPLATE_MODULES" \
            --stop-after-init --log-level=warn --http-port="$HTTP_PORT" >"$LOG_DIR/template.log" 2>&1 \
            || die "Odoo could not create the template database: see $LOG_DIR/template.log."
    fi
}

run_odoo_tests() {
    ensure_chromium
    # TestEndToEndAsterisk plays calls through the real Asterisk into Odoo: never skipped here.
    bash "$ROOT/setup/asterisk.sh" build || die "the Asterisk for the tests could not be built (see above)."
    template_db
    clone_db "$TEMPLATE_DB" "$TEST_DB"
    local log="$LOG_DIR/odoo-tests-$TEST_DB.log"
    note "running the Odoo tests ($TEST_TAGS); log: $log"
    odoo --data-dir="$DATA_DIR" -d "$TEST_DB" -i "$MODULES" --test-enable --test-tags="$TEST_TAGS" \
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
