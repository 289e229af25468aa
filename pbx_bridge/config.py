"""Settings of the bridge: environment variables, overridable by command-line flags."""

import argparse
import os
from dataclasses import dataclass, field


@dataclass
class Settings:
    """Everything the bridge needs to know to run."""

    ari_url: str = "http://127.0.0.1:8088"
    ari_user: str = "odoo"
    ari_password: str = field(default="", repr=False)
    ari_app: str = "odoo"
    odoo_url: str = "http://127.0.0.1:8069"
    telephony_token: str = field(default="", repr=False)
    spool_dir: str = "var/bridge-spool"
    agent_endpoint: str = "Local/{extension}@agents"
    outbound_endpoint: str = "Local/{number}@pstn-out"
    default_extensions: tuple = ()
    record_calls: bool = False
    voicemail_prompt: str = "sound:vm-intro,sound:beep"
    outbound_caller_id: str = ""
    default_step_timeout: int = 20
    ring_seconds: int = 5
    dial_poll_seconds: float = 0.5
    click_to_dial_ring_seconds: int = 30
    browser_phones_file: str = ""
    browser_phones_seconds: float = 30.0
    http_timeout: float = 10.0
    max_backoff: float = 30.0
    give_up_after: float = 900.0
    log_level: str = "INFO"

    @property
    def secrets(self):
        """The values that must never reach a log line."""
        return [s for s in (self.ari_password, self.telephony_token) if s]


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _extensions(value):
    return tuple(e.strip() for e in (value or "").split(",") if e.strip())


def load_settings(argv=None, environ=None):
    """Read the environment (the variables and their flags are listed in the README), then apply flags."""
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m pbx_bridge", description="Asterisk ARI to Odoo bridge.")
    parser.add_argument("--ari-url", default=env.get("ARI_URL", Settings.ari_url))
    parser.add_argument("--ari-user", default=env.get("ARI_USER", Settings.ari_user))
    parser.add_argument("--ari-password", default=env.get("ARI_PASSWORD", ""),
                        help="prefer the ARI_PASSWORD variable: flags show in the process list")
    parser.add_argument("--ari-app", default=env.get("ARI_APP", Settings.ari_app))
    parser.add_argument("--odoo-url", default=env.get("ODOO_URL", Settings.odoo_url))
    parser.add_argument("--token", default=env.get("TELEPHONY_TOKEN", ""),
                        help="prefer the TELEPHONY_TOKEN variable: flags show in the process list")
    parser.add_argument("--spool-dir", default=env.get("BRIDGE_SPOOL_DIR", Settings.spool_dir))
    parser.add_argument("--agent-endpoint", default=env.get("ARI_AGENT_ENDPOINT", Settings.agent_endpoint))
    parser.add_argument("--outbound-endpoint", default=env.get("ARI_OUTBOUND_ENDPOINT", Settings.outbound_endpoint))
    parser.add_argument("--default-extensions", default=env.get("BRIDGE_DEFAULT_EXTENSIONS", ""))
    parser.add_argument("--record-calls", action="store_true", default=_flag(env.get("BRIDGE_RECORD_CALLS", "0")))
    parser.add_argument("--voicemail-prompt", default=env.get("BRIDGE_VOICEMAIL_PROMPT", Settings.voicemail_prompt),
                        help="what the caller hears before leaving a message (ARI media URIs, comma-separated)")
    parser.add_argument("--caller-id", default=env.get("BRIDGE_CALLER_ID", ""),
                        help="the number customers see on click-to-dial calls when Odoo gives none")
    parser.add_argument("--ring-seconds", type=int, default=int(env.get("BRIDGE_RING_SECONDS", "5")),
                        help="the length of one ring, for route steps Odoo gives in rings without seconds")
    parser.add_argument("--dial-poll-seconds", type=float, default=float(env.get("BRIDGE_DIAL_POLL_SECONDS", "0.5")),
                        help="how often Odoo is asked for click-to-dial calls to place; 0: never (a bridge that "
                             "places no calls, e.g. for an inbound-only line)")
    parser.add_argument("--click-to-dial-ring-seconds", type=int,
                        default=int(env.get("BRIDGE_CLICK_TO_DIAL_RING_SECONDS", "30")),
                        help="how long the user's own phone rings for a click-to-dial call")
    parser.add_argument("--browser-phones-file", default=env.get("BRIDGE_BROWSER_PHONES_FILE", ""),
                        help="the pjsip.conf include the phones in Odoo are written to (Asterisk reloads PJSIP when "
                             "it changes); empty: the bridge leaves the browser phones' accounts alone")
    parser.add_argument("--browser-phones-seconds", type=float,
                        default=float(env.get("BRIDGE_BROWSER_PHONES_SECONDS", "30")),
                        help="how often Odoo is asked for the phones in Odoo")
    parser.add_argument("--max-backoff", type=float, default=float(env.get("BRIDGE_MAX_BACKOFF", "30")))
    parser.add_argument("--give-up-after", type=float, default=float(env.get("BRIDGE_GIVE_UP_AFTER", "900")),
                        help="seconds an event may keep failing while Odoo works before it is dead-lettered; 0: never")
    parser.add_argument("--log-level", default=env.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    return Settings(
        ari_url=args.ari_url.rstrip("/"),
        ari_user=args.ari_user,
        ari_password=args.ari_password,
        ari_app=args.ari_app,
        odoo_url=args.odoo_url.rstrip("/"),
        telephony_token=args.token,
        spool_dir=args.spool_dir,
        agent_endpoint=args.agent_endpoint,
        outbound_endpoint=args.outbound_endpoint,
        default_extensions=_extensions(args.default_extensions),
        record_calls=args.record_calls,
        voicemail_prompt=args.voicemail_prompt,
        outbound_caller_id=args.caller_id,
        ring_seconds=max(args.ring_seconds, 1),
        dial_poll_seconds=0.0 if args.dial_poll_seconds <= 0 else min(max(args.dial_poll_seconds, 0.1), 10.0),
        click_to_dial_ring_seconds=max(args.click_to_dial_ring_seconds, 1),
        browser_phones_file=args.browser_phones_file,
        browser_phones_seconds=min(max(args.browser_phones_seconds, 1.0), 3600.0),
        max_backoff=args.max_backoff,
        give_up_after=args.give_up_after,
        log_level=args.log_level.upper(),
    )
