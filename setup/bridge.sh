#!/usr/bin/env bash
# Run the PBX bridge (Asterisk ARI -> Odoo) in the foreground; settings from the
# environment (see pbx_bridge/README.md), flags passed through.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare
export BRIDGE_SPOOL_DIR="${BRIDGE_SPOOL_DIR:-$ROOT/var/bridge-spool}"
PYTHONPATH="$ROOT" exec "$VENV/bin/python" -m pbx_bridge "$@"
