#!/usr/bin/env bash
# A real Asterisk for the tests and the demo, built once from source and run on loopback
# with the project's own configuration (setup/asterisk/).
#
#   setup/asterisk.sh build          build Asterisk 22.10.1 with PJSIP and WebRTC once (cached)
#   setup/asterisk.sh start          start it on loopback (idempotent); prints nothing but notes
#   setup/asterisk.sh stop           stop it (core stop now)
#   setup/asterisk.sh cli "<cmd>"    run one Asterisk CLI command on it
#   setup/asterisk.sh env            print the instance's settings as shell assignments
#
# Sources: $ASTERISK_SRC_DIR if set, else ../shared/vendor/ beside the checkout, else a download.
# Several instances run side by side: CALLS_ASTERISK_NAME (default "test") names one, and
# CALLS_ASTERISK_HTTP_PORT / _SIP_PORT / _RTP_START choose its ports (default 8088, 5060, 20000).
# CALLS_ASTERISK_DEMO=1 adds the demo's scripted agents (extensions 1xx); CALLS_ASTERISK_ODOO_URL and
# CALLS_ASTERISK_ODOO_TOKEN fill the self-routed context's [globals].
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CALLS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo-calls}"
ASTERISK_VERSION=22.10.1
PJPROJECT_VERSION=2.17
ASTERISK_SHA256=248b634d1a6c784aa3266e8cbfb8402780c04a468652992260a4aabab8023ff5
PJPROJECT_SHA256=04b2eb1f0f01aa0ad1945b167171843448a51aa6b7c3e806496d434f13a112b7
ASTERISK_ARCHIVE="asterisk-$ASTERISK_VERSION.tar.gz"
PJPROJECT_ARCHIVE="pjproject-$PJPROJECT_VERSION.tar.bz2"
PREFIX="$CACHE_DIR/asterisk-$ASTERISK_VERSION"
BUILD_PACKAGES="build-essential libjansson-dev libxml2-dev libsqlite3-dev uuid-dev libedit-dev libssl-dev
libcurl4-openssl-dev libsrtp2-dev pkg-config bzip2"
RUN_PACKAGES="espeak-ng sox baresip"

NAME="${CALLS_ASTERISK_NAME:-test}"
INSTANCE="$CACHE_DIR/asterisk-run/$NAME"
HTTP_PORT="${CALLS_ASTERISK_HTTP_PORT:-8088}"
SIP_PORT="${CALLS_ASTERISK_SIP_PORT:-5060}"
RTP_START="${CALLS_ASTERISK_RTP_START:-20000}"

die() { printf 'asterisk: %s\n' "$*" >&2; exit 1; }
note() { printf 'asterisk: %s\n' "$*" >&2; }

missing_packages() {
    local package missing=()
    for package in $*; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    echo "${missing[*]}"
}

install_packages() {
    local missing
    missing="$(missing_packages "$1")"
    [ -z "$missing" ] && return 0
    note "installing Debian packages: $missing"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null 2>&1 \
        || die "these Debian packages are needed and could not be installed: $missing. Install them (apt-get install $missing) and run this again."
}

# The folder holding both archives: $ASTERISK_SRC_DIR, ../shared/vendor, or a download into the cache.
find_sources() {
    local dir
    for dir in "${ASTERISK_SRC_DIR:-}" "$ROOT/../shared/vendor"; do
        [ -n "$dir" ] && [ -f "$dir/$ASTERISK_ARCHIVE" ] && [ -f "$dir/$PJPROJECT_ARCHIVE" ] && { echo "$dir"; return; }
    done
    [ -n "${ASTERISK_SRC_DIR:-}" ] \
        && die "ASTERISK_SRC_DIR=$ASTERISK_SRC_DIR lacks $ASTERISK_ARCHIVE or $PJPROJECT_ARCHIVE: put both there."
    dir="$CACHE_DIR/sources"
    mkdir -p "$dir"
    note "downloading the Asterisk $ASTERISK_VERSION and pjproject $PJPROJECT_VERSION sources"
    [ -f "$dir/$ASTERISK_ARCHIVE" ] || curl -fsSL -o "$dir/$ASTERISK_ARCHIVE" \
        "https://github.com/asterisk/asterisk/archive/refs/tags/$ASTERISK_VERSION.tar.gz" 2>/dev/null \
        || die "the Asterisk sources are not in ../shared/vendor and could not be downloaded: put $ASTERISK_ARCHIVE and $PJPROJECT_ARCHIVE in a folder and set ASTERISK_SRC_DIR to it."
    [ -f "$dir/$PJPROJECT_ARCHIVE" ] || curl -fsSL -o "$dir/$PJPROJECT_ARCHIVE" \
        "https://github.com/pjsip/pjproject/releases/download/$PJPROJECT_VERSION/$PJPROJECT_ARCHIVE" 2>/dev/null \
        || die "the pjproject sources could not be downloaded: put $PJPROJECT_ARCHIVE beside $ASTERISK_ARCHIVE and set ASTERISK_SRC_DIR to that folder."
    echo "$dir"
}

check_sha256() {
    echo "$2  $1" | sha256sum --check --status \
        || die "$1 is not the expected archive (sha256 differs): replace it with the unmodified $(basename "$1")."
}

build() {
    [ -f "$PREFIX/.complete" ] && return 0
    # Two test runs on one machine build once: the second waits for the first, then finds it built.
    mkdir -p "$CACHE_DIR"
    exec {build_lock}>"$CACHE_DIR/asterisk-build.lock"
    flock "$build_lock"
    [ -f "$PREFIX/.complete" ] && { flock -u "$build_lock"; return 0; }
    install_packages "$BUILD_PACKAGES"
    local sources work log
    sources="$(find_sources)"
    check_sha256 "$sources/$ASTERISK_ARCHIVE" "$ASTERISK_SHA256"
    check_sha256 "$sources/$PJPROJECT_ARCHIVE" "$PJPROJECT_SHA256"
    work="$CACHE_DIR/asterisk-build"
    log="$CACHE_DIR/asterisk-build.log"
    rm -rf "$work" "$PREFIX"
    mkdir -p "$work/externals"
    cp "$sources/$PJPROJECT_ARCHIVE" "$work/externals/"
    note "building Asterisk $ASTERISK_VERSION into $PREFIX (about 10 minutes, once); log: $log"
    tar -xzf "$sources/$ASTERISK_ARCHIVE" -C "$work"
    (
        set -e
        cd "$work/asterisk-$ASTERISK_VERSION"
        export EXTERNALS_CACHE_DIR="$work/externals"
        ./configure --prefix="$PREFIX" --with-pjproject-bundled --with-jansson-bundled=no \
            --without-libxslt --without-speex --without-ogg --without-vorbis
        make menuselect.makeopts
        menuselect/menuselect --disable-category MENUSELECT_ADDONS --disable-category MENUSELECT_TESTS \
            --disable BUILD_NATIVE --disable-category MENUSELECT_CORE_SOUNDS \
            --disable-category MENUSELECT_MOH --disable-category MENUSELECT_EXTRA_SOUNDS menuselect.makeopts
        make -j"$(nproc)"
        make install
    ) >"$log" 2>&1 || die "the Asterisk build failed: see the end of $log."
    for module in res_ari.so res_stasis.so chan_pjsip.so res_http_websocket.so res_pjsip_transport_websocket.so \
        res_srtp.so func_curl.so func_json.so app_queue.so app_mixmonitor.so app_voicemail.so; do
        [ -f "$PREFIX/lib/asterisk/modules/$module" ] \
            || die "the Asterisk build lacks $module: see $log (a development package may be missing)."
    done
    rm -rf "$work"
    touch "$PREFIX/.complete"
    flock -u "$build_lock"
    note "Asterisk $ASTERISK_VERSION built"
}

asterisk_bin() { echo "$PREFIX/sbin/asterisk"; }

# The instance's configuration: the repository's files, with the instance's paths and ports filled in.
render_config() {
    local etc="$INSTANCE/etc" file
    rm -rf "$etc"
    mkdir -p "$etc" "$INSTANCE/run" "$INSTANCE/log" "$INSTANCE/spool/odoo-voicemail" "$INSTANCE/spool/recording" "$INSTANCE/lib/keys" \
        "$INSTANCE/sounds/moh"
    # The test world (callers, agents, customers played by the dialplan) goes beside the production files.
    local extra=()
    [ "${CALLS_ASTERISK_DEMO:-0}" = 1 ] && extra=("$ROOT"/setup/asterisk/demo-world/*.conf)
    for file in "$ROOT"/setup/asterisk/*.conf "$ROOT"/setup/asterisk/test-world/*.conf "${extra[@]}"; do
        sed -e "s|@INSTANCE@|$INSTANCE|g" -e "s|@PREFIX@|$PREFIX|g" \
            -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@SIP_PORT@|$SIP_PORT|g" \
            -e "s|@RTP_START@|$RTP_START|g" -e "s|@RTP_END@|$((RTP_START + 999))|g" \
            -e "s|@ARI_PASSWORD@|$(ari_password)|g" \
            -e "s|@ODOO_URL@|${CALLS_ASTERISK_ODOO_URL:-http://127.0.0.1:8069}|g" \
            -e "s|@ODOO_TOKEN@|${CALLS_ASTERISK_ODOO_TOKEN:-}|g" \
            "$file" >"$etc/$(basename "$file")"
    done
    touch "$etc/extensions-local.conf"
}

# A password for this instance's ARI user, made once and kept beside the instance (never logged).
ari_password() {
    local file="$CACHE_DIR/asterisk-run/$NAME.ari-password"
    if [ ! -s "$file" ]; then
        mkdir -p "$(dirname "$file")"
        (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$file")
    fi
    cat "$file"
}

# Voices of the test world (greetings, prompts), made with espeak-ng and sox as 8 kHz mono WAVs.
make_sounds() {
    local sounds="$INSTANCE/sounds"
    say() {
        [ -f "$sounds/$1.wav" ] && return 0
        espeak-ng -v "$2" -s 150 -w "$sounds/$1.raw.wav" "$3" 2>/dev/null \
            && sox "$sounds/$1.raw.wav" -r 8000 -c 1 -b 16 "$sounds/$1.wav" 2>/dev/null \
            && rm -f "$sounds/$1.raw.wav" \
            || die "espeak-ng or sox could not make the prompt $1: install espeak-ng and sox."
    }
    say voicemail-greeting en "Nobody can take your call right now. Please leave a message after the tone."
    say customer-hello en "Hello, this is the customer speaking."
    say caller-hello en "Hello, I am calling about my order."
    local voice frequency
    for voice in caller:300 agent:440 customer:600; do
        frequency="${voice#*:}"; voice="${voice%%:*}"
        [ -f "$sounds/$voice-voice.wav" ] || sox -n -r 8000 -c 1 -b 16 "$sounds/$voice-voice.wav" \
            synth 10 sine "$frequency" tremolo 3 60 vol 0.3 2>/dev/null || die "sox could not make the $voice's voice: install sox."
    done
    [ -f "$sounds/beep.wav" ] || sox -n -r 8000 -c 1 -b 16 "$sounds/beep.wav" synth 0.4 sine 1000 vol 0.5 2>/dev/null \
        || die "sox could not make the beep: install sox."
    [ -f "$sounds/moh/hold-music.wav" ] || sox -n -r 8000 -c 1 -b 16 "$sounds/moh/hold-music.wav" \
        synth 4 sine 523 sine 659 vol 0.3 2>/dev/null || die "sox could not make the music on hold: install sox."
}

running() {
    [ -f "$INSTANCE/run/asterisk.pid" ] && kill -0 "$(cat "$INSTANCE/run/asterisk.pid")" 2>/dev/null
}

cli() {
    running || die "Asterisk ($NAME) is not running: start it with setup/asterisk.sh start."
    "$(asterisk_bin)" -C "$INSTANCE/etc/asterisk.conf" -rx "$1"
}

start() {
    [ -f "$PREFIX/.complete" ] || die "Asterisk is not built: run setup/asterisk.sh build first."
    install_packages "$RUN_PACKAGES"
    if running; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null \
        && die "port $HTTP_PORT is taken: stop what runs there or set CALLS_ASTERISK_HTTP_PORT to another port."
    render_config
    make_sounds
    rm -f "$INSTANCE/run/asterisk.ctl" "$INSTANCE/run/asterisk.pid"
    "$(asterisk_bin)" -C "$INSTANCE/etc/asterisk.conf" -f -n >"$INSTANCE/log/console.log" 2>&1 &
    local pid=$! waited=0
    until curl -fs -o /dev/null -u "odoo:$(ari_password)" "http://127.0.0.1:$HTTP_PORT/ari/asterisk/info"; do
        kill -0 "$pid" 2>/dev/null || die "Asterisk stopped while starting: see $INSTANCE/log/console.log and $INSTANCE/log/messages."
        waited=$((waited + 1))
        [ "$waited" -gt 150 ] && { kill -9 "$pid" 2>/dev/null; die "Asterisk did not answer on port $HTTP_PORT within 15 s: see $INSTANCE/log/messages."; }
        sleep 0.1
    done
    note "Asterisk ($NAME) runs on 127.0.0.1: ARI http://127.0.0.1:$HTTP_PORT, SIP udp/ws $SIP_PORT"
}

stop() {
    running || return 0
    local pid
    pid="$(cat "$INSTANCE/run/asterisk.pid")"
    "$(asterisk_bin)" -C "$INSTANCE/etc/asterisk.conf" -rx "core stop now" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

print_env() {
    cat <<EOF
ASTERISK_INSTANCE=$INSTANCE
ASTERISK_BIN=$(asterisk_bin)
ASTERISK_CONF=$INSTANCE/etc/asterisk.conf
ARI_URL=http://127.0.0.1:$HTTP_PORT
ARI_USER=odoo
ARI_PASSWORD=$(ari_password)
ASTERISK_SIP_PORT=$SIP_PORT
EOF
}

case "${1:-}" in
    build) build ;;
    start) build; start ;;
    stop) stop ;;
    cli) [ $# -ge 2 ] || die "cli needs a command, e.g. setup/asterisk.sh cli \"core show channels\"."; cli "$2" ;;
    env) print_env ;;
    *) die "usage: setup/asterisk.sh build | start | stop | cli \"<command>\" | env" ;;
esac
