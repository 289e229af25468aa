"""``python -m pbx_bridge``: run the bridge in the foreground until SIGINT or SIGTERM."""

import signal
import sys
import threading

from .app import Bridge
from .config import load_settings
from .logging_setup import setup_logging


def main(argv=None):
    """Entry point: read settings, log to stderr, run until told to stop."""
    settings = load_settings(argv)
    setup_logging(settings.log_level, settings.secrets)
    if not settings.telephony_token:
        print("pbx_bridge: TELEPHONY_TOKEN is not set: copy the line's token from Odoo "
              "(Settings > Telephony) into it and start again.", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    bridge = Bridge(settings).start()
    stop.wait()
    bridge.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
