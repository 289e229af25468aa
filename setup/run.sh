#!/usr/bin/env bash
# Runs the product: PostgreSQL, a demo database with both addons and their demo data,
# the simulated PBX and the bridge feeding it calls, and Odoo's web client on
# http://localhost:8069 (login admin / admin). Stop it with Ctrl-C.
#
#   CALLS_DB=calls_demo     the demo database (created on the first run, reused after)
#   CALLS_HTTP_PORT=8069    the web client's port
#   CALLS_UPDATE=1          upgrade the addons in an existing database first (done by itself
#                           when their Python, XML, CSV or translation files changed)
#   CALLS_NO_PBX=1          serve Odoo alone, without the simulated PBX and bridge
#   CALLS_PBX=asterisk      the real Asterisk of setup/asterisk.sh instead of the simulated PBX
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

prepare
DB="${CALLS_DB:-calls_demo}"
HTTP_PORT="${CALLS_HTTP_PORT:-8069}"
RUN_DIR="$CACHE_DIR/run-$DB"
mkdir -p "$RUN_DIR"

# What the database's schema and data depend on: when it changes, the addons are upgraded.
addons_stamp() {
    (cd "$ROOT" && find call_logging call_telephony_bridge -type f \
        \( -name '*.py' -o -name '*.xml' -o -name '*.csv' -o -name '*.po' \) -print0 \
        | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-16)
}
STAMP_FILE="$RUN_DIR/addons.stamp"

if ! db_exists "$DB"; then
    note "creating the demo database $DB with both addons and demo data (a minute or two, once)"
    # Polish and Japanese first: the demo's salespeople speak them, and write their notes in them.
    odoo --data-dir="$DATA_DIR" -d "$DB" -i "$MODULES" --load-language=pl_PL,ja_JP --stop-after-init --log-level=warn \
        --http-port="$HTTP_PORT" >"$RUN_DIR/install.log" 2>&1 \
        || { dropdb --if-exists "$DB"; die "the demo database could not be created: see $RUN_DIR/install.log."; }
    addons_stamp >"$STAMP_FILE"
elif [ "${CALLS_UPDATE:-0}" = 1 ] || [ "$(cat "$STAMP_FILE" 2>/dev/null)" != "$(addons_stamp)" ]; then
    note "upgrading the addons in $DB (their code changed since the last run)"
    odoo --data-dir="$DATA_DIR" -d "$DB" -u "$MODULES" --stop-after-init --log-level=warn \
        --http-port="$HTTP_PORT" >"$RUN_DIR/update.log" 2>&1 \
        || die "the addons could not be upgraded: see $RUN_DIR/update.log."
    addons_stamp >"$STAMP_FILE"
fi

if port_in_use "$HTTP_PORT"; then
    die "port $HTTP_PORT is already taken: stop what runs there or set CALLS_HTTP_PORT to another port."
fi

children=()
cleanup() {
    for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${CALLS_PBX:-simulator}" = asterisk ]; then
        CALLS_ASTERISK_NAME=demo bash "$ROOT/setup/asterisk.sh" stop || true
    fi
}
trap cleanup EXIT INT TERM

if [ "${CALLS_NO_PBX:-0}" != 1 ] && [ -f "$ROOT/setup/demo_pbx.sh" ]; then
    # shellcheck source=demo_pbx.sh
    source "$ROOT/setup/demo_pbx.sh"
    start_demo_pbx
fi

note "serving Odoo on http://localhost:$HTTP_PORT (database $DB, login admin / admin)"
odoo --data-dir="$DATA_DIR" -d "$DB" --db-filter="^$DB\$" --http-port="$HTTP_PORT" &
children+=("$!")
wait "${children[-1]}"
