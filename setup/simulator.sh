#!/usr/bin/env bash
# Run the simulated Asterisk (ARI on loopback) in the foreground; add --demo for a stream of calls.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare
PYTHONPATH="$ROOT" exec "$VENV/bin/python" -m pbx_simulator "$@"
