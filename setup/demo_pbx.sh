# The telephony side of the demo, sourced by setup/run.sh: a PBX playing calls (the simulated
# one, or with CALLS_PBX=asterisk the real Asterisk of setup/asterisk.sh), and the bridge posting
# them to Odoo. Needs $DB, $HTTP_PORT, $RUN_DIR, $DATA_DIR.

SIM_PORT="${CALLS_SIM_PORT:-8088}"
DEMO_NUMBERS="+48221234567,+48601234567,+81312345678,+81662345678,+48500600700,+48123456789,+81909998888"

# Give the demo line a fresh token (the bridge, which alone talks to the PBX, connects with it).
configure_demo_line() {
    local token="$1"
    CALLS_DEMO_TOKEN="$token" \
        odoo shell --data-dir="$DATA_DIR" -d "$DB" --no-http --log-level=warn >"$RUN_DIR/configure.log" 2>&1 <<'PY' \
        || die "the demo line could not be configured: see $RUN_DIR/configure.log."
import os
company = env.ref("base.main_company")
Line = env["telephony.line"]
line = Line.search([("company_id", "=", company.id)], limit=1) or Line.create({
    "name": "Demo line", "number": "+48 22 100 00 00", "company_id": company.id,
})
if not line.default_extensions:
    line.default_extensions = env.ref("base.user_admin").telephony_extension or "100"
line._set_token(os.environ["CALLS_DEMO_TOKEN"])
env.cr.commit()
PY
}

start_demo_pbx() {
    if [ "${CALLS_PBX:-simulator}" = asterisk ]; then
        start_demo_asterisk
        return
    fi
    port_in_use "$SIM_PORT" \
        && die "port $SIM_PORT (the simulated PBX) is already taken: stop what runs there or set CALLS_SIM_PORT."
    local token
    token="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')"
    configure_demo_line "$token"

    # Known demo callers, and two numbers the CRM has never seen.
    local numbers="$DEMO_NUMBERS"
    note "starting the simulated PBX on 127.0.0.1:$SIM_PORT (a call every 20 s) and the bridge"
    PYTHONPATH="$ROOT" "$VENV/bin/python" -m pbx_simulator --port "$SIM_PORT" --demo --interval 20 \
        --numbers "$numbers" --extensions 100 >"$RUN_DIR/simulator.log" 2>&1 &
    children+=("$!")
    ARI_URL="http://127.0.0.1:$SIM_PORT" ARI_USER=odoo ARI_PASSWORD=odoo ARI_APP=odoo \
        ODOO_URL="http://127.0.0.1:$HTTP_PORT" TELEPHONY_TOKEN="$token" BRIDGE_SPOOL_DIR="$RUN_DIR/spool" \
        BRIDGE_DEFAULT_EXTENSIONS=100 BRIDGE_RECORD_CALLS=1 \
        PYTHONPATH="$ROOT" "$VENV/bin/python" -m pbx_bridge >"$RUN_DIR/bridge.log" 2>&1 &
    children+=("$!")
    note "PBX logs: $RUN_DIR/simulator.log and $RUN_DIR/bridge.log"
}

# The same demo on the real Asterisk: built once, run on loopback with the repository's
# configuration and the demo's scripted agents; a caller every 20 s or so.
start_demo_asterisk() {
    export CALLS_ASTERISK_NAME=demo CALLS_ASTERISK_DEMO=1 CALLS_ASTERISK_HTTP_PORT="$SIM_PORT"
    export CALLS_ASTERISK_ODOO_URL="http://127.0.0.1:$HTTP_PORT"
    bash "$ROOT/setup/asterisk.sh" start || die "the real Asterisk could not be started (see above)."
    local token settings ari_url ari_password
    settings="$(bash "$ROOT/setup/asterisk.sh" env)"
    ari_url="$(sed -n 's/^ARI_URL=//p' <<<"$settings")"
    ari_password="$(sed -n 's/^ARI_PASSWORD=//p' <<<"$settings")"
    token="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')"
    configure_demo_line "$token"
    note "Asterisk runs on $ari_url (CLI: CALLS_ASTERISK_NAME=demo setup/asterisk.sh cli \"core show channels\")"
    local password_file="$RUN_DIR/ari-password"
    (umask 077 && printf '%s' "$ari_password" >"$password_file")
    PYTHONPATH="$ROOT" "$VENV/bin/python" "$ROOT/setup/asterisk_demo_calls.py" --ari-url "$ari_url" \
        --ari-password-file "$password_file" --line "+48 22 100 00 00" --numbers "$DEMO_NUMBERS" \
        >"$RUN_DIR/demo-calls.log" 2>&1 &
    children+=("$!")
    ARI_URL="$ari_url" ARI_USER=odoo ARI_PASSWORD="$ari_password" ARI_APP=odoo \
        ODOO_URL="http://127.0.0.1:$HTTP_PORT" TELEPHONY_TOKEN="$token" BRIDGE_SPOOL_DIR="$RUN_DIR/spool-asterisk" \
        BRIDGE_DEFAULT_EXTENSIONS=100 BRIDGE_RECORD_CALLS=1 \
        BRIDGE_VOICEMAIL_PROMPT="sound:$CACHE_DIR/asterisk-run/demo/sounds/voicemail-greeting,sound:$CACHE_DIR/asterisk-run/demo/sounds/beep" \
        PYTHONPATH="$ROOT" "$VENV/bin/python" -m pbx_bridge >"$RUN_DIR/bridge.log" 2>&1 &
    children+=("$!")
    note "PBX logs: $CACHE_DIR/asterisk-run/demo/log/messages, $RUN_DIR/demo-calls.log and $RUN_DIR/bridge.log"
}
