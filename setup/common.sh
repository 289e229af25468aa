# Shared set-up for setup/run.sh and setup/test.sh: sourced, not executed.
# Finds Odoo, starts PostgreSQL, builds the virtualenv. Every step is reused
# on a second run; every failure stops with one sentence that says what to do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo18}"
CACHE_DIR="${CALLS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo-calls}"
DATA_DIR="$CACHE_DIR/data"
MODULES="call_logging,call_telephony_bridge"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
note() { printf 'setup: %s\n' "$*" >&2; }

find_odoo() {
    if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
        note "Odoo 18 is not at $ODOO_SRC; cloning its 18.0 branch there."
        git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_SRC" >/dev/null 2>&1 \
            || die "Odoo 18 was not found at $ODOO_SRC and could not be cloned: put an Odoo 18.0 source tree there (or set ODOO_SRC to one) and run this again."
    fi
    grep -q "^version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
        || die "$ODOO_SRC holds an Odoo that is not 18.0: set ODOO_SRC to an Odoo 18.0 source tree."
    # A git checkout keeps most addons beside the package; a packaged tree keeps them all inside it.
    ADDONS_PATH="$ODOO_SRC/odoo/addons"
    [ -d "$ODOO_SRC/addons" ] && ADDONS_PATH="$ODOO_SRC/addons,$ADDONS_PATH"
    ADDONS_PATH="$ADDONS_PATH,$ROOT"
    export ADDONS_PATH ODOO_SRC
}

start_postgres() {
    command -v pg_lsclusters >/dev/null 2>&1 \
        || die "PostgreSQL is not installed: install it (apt-get install postgresql) and run this again."
    if ! pg_lsclusters --no-header 2>/dev/null | grep -q .; then
        note "creating a PostgreSQL cluster"
        pg_createcluster "$(ls /usr/lib/postgresql | sort -n | tail -1)" main >/dev/null \
            || die "no PostgreSQL cluster exists and none could be created: create one with pg_createcluster and run this again."
    fi
    local version name status
    read -r version name _ status _ < <(pg_lsclusters --no-header | head -1)
    if [ "$status" != "online" ]; then
        note "starting PostgreSQL $version/$name"
        pg_ctlcluster "$version" "$name" start \
            || die "PostgreSQL $version/$name would not start: see 'pg_ctlcluster $version $name status' and its log in /var/log/postgresql."
    fi
    local me; me="$(id -un)"
    if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        note "creating the PostgreSQL role $me"
        su postgres -c "createuser --superuser $me" >/dev/null 2>&1 \
            || die "PostgreSQL has no role for $me: run 'sudo -u postgres createuser --superuser $me' and run this again."
    fi
}

build_venv() {
    local stamp
    stamp="$(cat "$ROOT/requirements.txt" | sha1sum | cut -c1-12)"
    VENV="${VENV:-$CACHE_DIR/venv-$stamp}"
    if [ ! -x "$VENV/bin/python" ] || [ ! -f "$VENV/.complete" ]; then
        note "building the virtualenv $VENV (a few minutes, once)"
        rm -rf "$VENV"
        mkdir -p "$CACHE_DIR"
        "$PYTHON" -m venv "$VENV" || die "could not create a virtualenv: install python3-venv and run this again."
        "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel setuptools 2>&1 | grep -v "^WARNING: Location" >&2 || true
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" 2>&1 | grep -v "^WARNING: Location" >&2 || true
        "$VENV/bin/python" -c "import psycopg2, lxml, werkzeug, phonenumbers, websocket, aiohttp, pytest" 2>/dev/null \
            || die "the Python requirements did not install into $VENV: read pip's messages above, fix the cause and run this again."
        touch "$VENV/.complete"
    fi
    export VENV
    export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
}

odoo() {
    "$VENV/bin/python" -m odoo --addons-path="$ADDONS_PATH" "$@"
}

db_exists() {
    psql -d postgres -Atc "select 1 from pg_database where datname = '$1'" | grep -q 1
}

# Odoo's own modules of the template database. Employees (hr) is no dependency of ours, but the routing
# asks for an employee's manager when it is there: with it installed both ways are tested.
TEMPLATE_MODULES="crm,calendar,mail,phone_validation,contacts,utm,hr"

# The database with Odoo's own modules that setup/test.sh makes once and copies for every run; its name
# changes with Odoo's version and the module lists, so an older template is never reused. With a name
# and a module list (template_db_name alone crm,mail): another template, of those modules.
template_db_name() {
    echo "calls_tpl_${1:+$1_}$( (cat "$ODOO_SRC/odoo/release.py"; echo "$MODULES"; echo "${2:-$TEMPLATE_MODULES}") \
        | sha1sum | cut -c1-10)"
}

# A fresh copy of database $1, with its filestore, named $2.
clone_db() {
    db_exists "$2" && dropdb "$2"
    createdb -T "$1" "$2"
    rm -rf "$DATA_DIR/filestore/$2"
    if [ -d "$DATA_DIR/filestore/$1" ]; then
        cp -r "$DATA_DIR/filestore/$1" "$DATA_DIR/filestore/$2"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

prepare() {
    find_odoo
    start_postgres
    build_venv
}
