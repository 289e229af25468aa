#!/usr/bin/env bash
# Refreshes the translation files of both addons from the code, the way Odoo exports them.
#
#   setup/i18n.sh
#
# Installs (or updates) call_logging and call_telephony_bridge in a scratch database
# ($CALLS_I18N_DB, default calls_i18n, made from the test template), exports each addon's
# terms with `odoo --i18n-export` into <addon>/i18n/<addon>.pot, and merges them into
# <addon>/i18n/pl.po and ja.po: existing translations are kept, terms no longer in the
# code are dropped, new terms are added with an empty translation and listed at the end.
# Translate those, then run the tests that guard completeness (each addon's checks its own terms):
#   CALLS_TEST_TAGS=/call_logging:TestTranslations,/call_telephony_bridge:TestTranslations setup/test.sh --odoo
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare
DB="${CALLS_I18N_DB:-calls_i18n}"
LOG="$CACHE_DIR/logs/i18n-$DB.log"
mkdir -p "$CACHE_DIR/logs"

if db_exists "$DB"; then
    odoo --data-dir="$DATA_DIR" -d "$DB" -u "$MODULES" --stop-after-init --http-port=8968 \
        --log-level=warn >"$LOG" 2>&1 || die "the addons would not update in $DB: see $LOG."
else
    template="$(template_db_name)"
    db_exists "$template" || die "the template database $template is missing: run setup/test.sh --odoo once first."
    clone_db "$template" "$DB"
    odoo --data-dir="$DATA_DIR" -d "$DB" -i "$MODULES" --stop-after-init --http-port=8968 \
        --log-level=warn >"$LOG" 2>&1 || die "the addons would not install in $DB: see $LOG."
fi

for module in ${MODULES//,/ }; do
    mkdir -p "$ROOT/$module/i18n"
    odoo --data-dir="$DATA_DIR" -d "$DB" --i18n-export="$ROOT/$module/i18n/$module.pot" \
        --modules="$module" --stop-after-init --http-port=8968 --log-level=warn >>"$LOG" 2>&1 \
        || die "the export of $module failed: see $LOG."
    "$VENV/bin/python" - "$ROOT/$module/i18n" "$module" <<'PY'
import os
import sys

import polib

folder, module = sys.argv[1:]
pot = polib.pofile(f"{folder}/{module}.pot")
for lang in ("pl", "ja"):
    path = f"{folder}/{lang}.po"
    po = polib.pofile(path) if os.path.exists(path) else polib.POFile()
    if not os.path.exists(path):
        po.metadata = dict(pot.metadata, Language=lang)
    po.merge(pot)
    for entry in [e for e in po if e.obsolete]:
        po.remove(entry)
    for entry in po:
        if "fuzzy" in entry.flags:  # polib marks nothing fuzzy on merge, but be safe
            entry.flags.remove("fuzzy")
    po.save(path)
    for entry in po:
        if not entry.msgstr:
            print(f"{module} {lang}: untranslated: {entry.msgid!r}")
PY
done
