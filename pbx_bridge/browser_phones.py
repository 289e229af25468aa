"""The phones in Odoo, as Asterisk must know them: one PJSIP account per user whose calls ring in the browser.

The bridge asks Odoo for the list, writes it as a pjsip.conf include (the endpoints use the templates
``browser-phone`` and ``browser-aor`` of setup/asterisk/pjsip.conf) and has Asterisk reload PJSIP when the
file changed. A password never reaches a log line.
"""

import logging
import os
import re
import tempfile

from .ari_client import AriError
from .periodic import PeriodicTask

_logger = logging.getLogger(__name__)

HEADER = ("; The phones in Odoo, written by the Odoo calls bridge from Odoo's users: edits here are replaced.\n"
          "; Included by pjsip.conf; the templates browser-phone and browser-aor are defined there.\n")
# What may stand in pjsip.conf unquoted: ";" starts a comment, "[" a section, and a newline a new setting.
SAFE_EXTENSION = re.compile(r"^[0-9A-Za-z_.+*#-]{1,32}$")
SAFE_PASSWORD = re.compile(r"^[!-~]{8,128}$")
UNSAFE_IN_PASSWORD = set(';[]"\\')


def _display_name(name):
    return re.sub(r'["\\<>;\[\]\r\n]', "", str(name or ""))[:60].strip()


def render(phones):
    """The include for ``phones`` (the list Odoo gives), and how many it skipped as unusable."""
    sections, skipped = [HEADER], 0
    for phone in phones:
        extension = phone.get("extension") if isinstance(phone, dict) else None
        password = phone.get("password") if isinstance(phone, dict) else None
        if not (isinstance(extension, str) and SAFE_EXTENSION.match(extension) and isinstance(password, str)
                and SAFE_PASSWORD.match(password) and not UNSAFE_IN_PASSWORD & set(password)):
            skipped += 1
            continue
        account = f"{extension}-browser"
        name = _display_name(phone.get("display_name"))
        sections.append(
            f"\n[{account}](browser-phone)\nauth = {account}\naors = {account}\n"
            + (f'callerid = "{name}" <{extension}>\n' if name else f"callerid = <{extension}>\n")
            + f"[{account}]\ntype = auth\nauth_type = userpass\nusername = {account}\npassword = {password}\n"
            + f"[{account}](browser-aor)\n"
        )
    return "".join(sections), skipped


class BrowserPhoneProvisioner(PeriodicTask):
    """The thread that keeps Asterisk's browser phone accounts as Odoo has them (``poll()`` does one round)."""

    failure = "the browser phones could not be brought to Asterisk"

    def __init__(self, odoo, rest, path, interval=30.0):
        super().__init__("browser-phones", interval, wait_first=False)
        self.odoo = odoo
        self.rest = rest
        self.path = path
        self.problem = None  # said once in the log, not every round

    def poll(self):
        """Ask Odoo, write the include when it changed and reload PJSIP. True when Asterisk got a new list."""
        phones, problem = self.odoo.browser_phones()
        if problem:
            self._say(f"the browser phones cannot be read from Odoo ({problem}); asking again")
            return False
        text, skipped = render(phones)
        if skipped:
            self._say(f"{skipped} browser phone(s) skipped: an extension or password pjsip.conf cannot hold")
        if self._current() == text:
            return False
        self._write(text)
        try:
            self.rest.reload_module("res_pjsip.so")
        except (AriError, OSError) as error:
            # The file is written: the next reload of PJSIP (or an Asterisk restart) takes it.
            self._say(f"PJSIP was not reloaded after writing the browser phones ({error})")
            return False
        _logger.info("browser phones: %d account(s) written to %s; PJSIP reloaded", len(phones) - skipped, self.path)
        self.problem = None
        return True

    def _say(self, problem):
        if problem != self.problem:
            _logger.warning(problem)
            self.problem = problem

    def _current(self):
        try:
            with open(self.path, encoding="utf-8") as existing:
                return existing.read()
        except FileNotFoundError:
            return None

    def _write(self, text):
        # Whole or not at all: Asterisk must never read half a file. Readable by its owner and group only.
        folder = os.path.dirname(os.path.abspath(self.path))
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".browser-phones-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as output:
                output.write(text)
            os.chmod(temporary, 0o640)
            os.replace(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise
