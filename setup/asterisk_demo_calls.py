"""Demo calls on a real Asterisk: an outside caller every few seconds, into the trunk's context.

Run by setup/demo_pbx.sh when CALLS_PBX=asterisk; the test world's dialplan plays the callers and
the scripted agents (their behaviour is set through ARI global variables before each call).
"""

import argparse
import logging
import random
import time
import uuid
from pathlib import Path

import requests

CALLER_NAMES = ["Jan Kowalski", "Yuki Tanaka", "Maria Rossi", "John Smith", "Ana Souza", ""]


def main():
    parser = argparse.ArgumentParser(description="place demo calls on a real Asterisk")
    parser.add_argument("--ari-url", required=True)
    parser.add_argument("--ari-user", default="odoo")
    parser.add_argument("--ari-password-file", required=True)
    parser.add_argument("--line", required=True, help="the company number callers dial")
    parser.add_argument("--numbers", required=True, help="comma-separated caller numbers")
    parser.add_argument("--extensions", default="100,101,102,201,202")
    parser.add_argument("--interval", type=float, default=20.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s demo-calls: %(message)s")
    ari = requests.Session()
    ari.auth = (args.ari_user, Path(args.ari_password_file).read_text().strip())
    base = args.ari_url.rstrip("/") + "/ari"
    rng = random.Random()
    numbers = [n.strip() for n in args.numbers.split(",") if n.strip()]
    line = "".join(ch for ch in args.line if ch.isdigit())
    while True:
        try:
            for extension in args.extensions.split(","):
                mode = rng.choices(["answer", "never", "busy"], weights=[75, 20, 5])[0]
                for name, value in ((f"AGENT_{extension}_MODE", mode),
                                    (f"AGENT_{extension}_RING", f"{rng.uniform(2, 8):.1f}")):
                    ari.post(f"{base}/asterisk/variable", params={"variable": name, "value": value}, timeout=5)
            number, name = rng.choice(numbers), rng.choice(CALLER_NAMES)
            ari.post(f"{base}/channels", timeout=5, json={
                "endpoint": f"Local/{line}@from-pstn", "context": "world-caller", "extension": "s", "priority": 1,
                "callerId": f'"{name}" <{number}>' if name else number, "timeout": rng.choice([15, 60]),
                "channelId": f"demo-{uuid.uuid4().hex[:12]}",
                "variables": {"TALK": f"{rng.uniform(8, 30):.1f}"},
            }).raise_for_status()
            logging.info("demo call placed")
        except requests.RequestException as error:
            logging.warning("demo call not placed: %s", error)
        time.sleep(args.interval * rng.uniform(0.6, 1.4))


if __name__ == "__main__":
    main()
