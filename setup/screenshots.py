"""Screenshots of the running product in Polish and Japanese (and English), taken in headless chromium.

For each language it switches the demo user (admin) to that language - installing the language
first if the database lacks it - and photographs the day plan, a completed call's form, the
Calls page of that call's contact, Settings > Telephony with what Test Connection says of the
demo line's bridge, the phone in the systray (its dial pad finding a contact, the recent calls), and
the screen-pop of the next incoming call. While each page
is open it lists what is still English on it, labels and stored data alike:

- the English terms of our two addons (a missing translation, as in the test ``TestTranslations``);
- any text shown the same on the English page and on the translated one that is not a name
  (of a contact, lead, user, company or team), a number, a date or a code: a subject stored
  in English, an Odoo label without a translation.

English is photographed first, as the reference the translated pages are compared with.

Run it against the product served by ``setup/run.sh`` (the simulated PBX there places a call
every 20 s, which is what brings up the popup)::

    CALLS_DB=calls_demo setup/run.sh &                          # http://localhost:8069
    VENV=$(ls -d ~/.cache/odoo-calls/venv-* | head -1)
    $VENV/bin/python setup/screenshots.py --url http://localhost:8069 --db calls_demo
    $VENV/bin/python setup/screenshots.py --langs en_US --pages popup    # only the English popup

Writes, next to each addon's description page (``static/description/``)::

    call_logging/.../screenshot_day_plan_<en|pl|ja>.png
    call_logging/.../screenshot_call_form_<en|pl|ja>.png
    call_logging/.../screenshot_contact_calls_<en|pl|ja>.png
    call_telephony_bridge/.../screenshot_settings_<en|pl|ja>.png
    call_telephony_bridge/.../screenshot_phone_<en|pl|ja>.png
    call_telephony_bridge/.../screenshot_popup_<en|pl|ja>.png

The user's language (and their "open the caller's card on answer" preference, switched off
while the screenshots are taken) is set back to what it was at the end. Exits non-zero if a page did not
load, no popup came within ``--popup-wait`` seconds, or English terms were seen
(``--allow-english`` to only report them).
"""

import argparse
import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib
import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("call_logging", "call_telephony_bridge")
CHROMIUM = shutil.which("chromium") or shutil.which("google-chrome") or "/usr/bin/chromium"


class Odoo:
    """JSON-RPC as the logged-in user, the way the web client talks to the server."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        result = self._post("/web/session/authenticate", {"db": db, "login": login, "password": password})
        self.uid = result["uid"]
        self.session_id = self.session.cookies["session_id"]

    def _post(self, path, params):
        response = self.session.post(f"{self.url}{path}", json={"jsonrpc": "2.0", "params": params}, timeout=120)
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RuntimeError(json.dumps(body["error"].get("data", body["error"]), indent=1)[:2000])
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post(f"/web/dataset/call_kw/{model}/{method}",
                          {"model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def ensure_language(self, code):
        langs = self.call("res.lang", "search_read", [("code", "=", code)], ["id", "active"],
                          context={"active_test": False})
        if not langs:
            raise SystemExit(f"screenshots: Odoo does not know the language {code}.")
        if not langs[0]["active"]:
            print(f"screenshots: installing {code}", file=sys.stderr)
            wizard = self.call("base.language.install", "create", {"lang_ids": [(6, 0, [langs[0]["id"]])]})
            self.call("base.language.install", "lang_install", [wizard])

    def set_language(self, code):
        self.call("res.users", "write", [self.uid], {"lang": code})


class Browser:
    """Headless chromium driven over the DevTools protocol."""

    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="calls-shots-")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--no-first-run", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(p for p in pages if p["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.send("Emulation.setDeviceMetricsOverride",
                  width=width, height=height, deviceScaleFactor=1, mobile=False)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def open(self, url, selector, timeout=30):
        self.send("Page.navigate", url=url)
        self.wait_for(selector, timeout)

    def wait_for(self, selector, timeout):
        check = f"!!document.querySelector({json.dumps(selector)}) && !document.querySelector('.o_loading_indicator')"
        self.wait_until(check, timeout, selector)

    def wait_until(self, expression, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                time.sleep(1.0)  # let fonts, counters and transitions settle
                return True
            time.sleep(0.25)
        raise TimeoutError(f"{what} did not appear within {timeout} s")

    def close_popups(self):
        self.evaluate("document.querySelectorAll('.o_telephony_close').forEach((b) => b.click())")
        time.sleep(0.5)

    def texts(self):
        """Every visible text node and placeholder/title of the page, stripped."""
        return self.evaluate("""(() => {
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                const el = node.parentElement;
                if (el && el.offsetParent !== null && node.textContent.trim()) {
                    out.push(node.textContent.trim());
                }
            }
            for (const el of document.querySelectorAll('[placeholder], [title]')) {
                if (el.offsetParent !== null) {
                    for (const attr of ['placeholder', 'title']) {
                        if (el.getAttribute(attr)) { out.push(el.getAttribute(attr).trim()); }
                    }
                }
            }
            return out;
        })()""") or []

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"screenshots: wrote {path.relative_to(ROOT)}")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


# Words every language shows as they are.
UNTRANSLATED_WORDS = {"Odoo", "OdooBot", "CRM", "PBX", "SIP", "E.164", "Asterisk", "Asterisk ARI", "ARI", "VoIP",
                      "WebRTC", "SMS", "ID", "OK"}
# Small English words: a text made of ASCII words with one of these (or a word of our terms) reads English.
ENGLISH_WORDS = {"the", "to", "a", "an", "of", "for", "with", "and", "or", "in", "on", "by", "from", "is", "are",
                 "go", "get", "over", "call", "calls", "created", "meeting", "quote"}


def proper_names(odoo):
    """The names the data gives people, companies, leads, teams and places: the same in every language."""
    names = set()
    for model, fields_ in [("res.partner", ["display_name", "city"]), ("res.users", ["display_name"]),
                           ("res.company", ["display_name"]), ("crm.lead", ["display_name"]),
                           ("crm.team", ["display_name"])]:
        for record in odoo.call(model, "search_read", [], fields_, context={"active_test": False}):
            for value in (record[field] for field in fields_):
                if value:
                    names.add(value.strip())
                    names.update(part.strip() for part in value.split(","))
    return names


def odoo_demo_texts(odoo):
    """What Odoo's own demo data (not ours) stores in English: the summaries of its demo activities."""
    data = odoo.call("ir.model.data", "search_read",
                     [("model", "=", "mail.activity"), ("module", "not in", list(ADDONS))], ["res_id"])
    activities = odoo.call("mail.activity", "search_read", [("id", "in", [row["res_id"] for row in data])],
                           ["summary"])
    return {activity["summary"].strip() for activity in activities if activity["summary"]}


def reads_english(text, names, vocabulary):
    """Whether ``text`` reads as English rather than a name, a number, a date, an address or a code."""
    if text in names or text in UNTRANSLATED_WORDS or "@" in text or "://" in text:
        return False
    if re.search(r"[^\x00-\x7f]", text):  # Polish letters, Japanese: not English
        return False
    words = [word for word in re.findall(r"[A-Za-z]+", text)
             if word not in UNTRANSLATED_WORDS and not any(word in name.split() for name in names)]
    return any(word.lower() in vocabulary for word in words)


def same_in(lang):
    """The terms of our addons that ``lang`` writes as English does ("Status" in Polish)."""
    same = set()
    for addon in ADDONS:
        path = ROOT / addon / "i18n" / f"{lang.split('_')[0]}.po"
        if path.exists():
            same.update(entry.msgid.strip() for entry in polib.pofile(str(path)) if entry.msgstr == entry.msgid)
    return same


def odoo_creation_note(text):
    """Odoo's own "<document> created" note, stored in the language of whoever created the record."""
    return bool(re.fullmatch(r"\S+ (created|utworzono)|\S+ が作成されました", text))


def left_in_english(texts, reference, known_english, names, vocabulary, same):
    """What of a translated page's texts is still English: terms of our addons, and texts the English page
    shows word for word that read English and are not names or numbers."""
    terms = (set(texts) & known_english) - same
    unchanged = {text for text in set(texts) & set(reference)
                 if text not in same and reads_english(text, names, vocabulary)}
    return sorted(terms | unchanged)


def english_terms():
    """The source terms of our addons a user could read: words, not codes or sample values."""
    terms = set()
    for addon in ADDONS:
        for entry in polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot")):
            text = entry.msgid.strip()
            if len(text) > 3 and re.search(r"[a-z]{3}", text) and "<" not in text and "%" not in text:
                terms.add(text)
    return terms - {"E.164", "Asterisk ARI", "http://127.0.0.1:8088"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="calls_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--langs", default="en_US,pl_PL,ja_JP",
                        help="English first: the pages the translated ones are compared with")
    parser.add_argument("--pages", default="day_plan,call_form,contact_calls,settings,phone,popup")
    parser.add_argument("--popup-wait", type=int, default=240, help="seconds to wait for an incoming call")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--allow-english", action="store_true")
    args = parser.parse_args()

    odoo = Odoo(args.url, args.db, args.login, args.password)
    original_lang = odoo.call("res.users", "read", [odoo.uid], ["lang"])[0]["lang"]
    # An answered call would open the caller's card in the middle of a screenshot: not during this run.
    prefs = odoo.call("res.users", "fields_get", ["telephony_open_record_on_answer"], ["type"])
    open_on_answer = None
    if prefs:
        open_on_answer = odoo.call("res.users", "read", [odoo.uid], ["telephony_open_record_on_answer"])[0][
            "telephony_open_record_on_answer"]
        odoo.call("res.users", "write", [odoo.uid], {"telephony_open_record_on_answer": False})
    calls = odoo.call("crm.call", "search_read",
                      [("state", "=", "done"), ("direction", "=", "outbound"), ("partner_id", "!=", False),
                       ("purpose_id", "!=", False),
                       ("result_id", "!=", False)], ["id", "partner_id"], order="start desc", limit=1)
    if not calls:
        raise SystemExit("screenshots: the database holds no completed call with a purpose and a result "
                         "(install the addons with their demo data).")
    call_id, partner_id = calls[0]["id"], calls[0]["partner_id"][0]
    pages = args.pages.split(",")
    known_english = english_terms()
    names = proper_names(odoo)
    odoo_demo = odoo_demo_texts(odoo)
    vocabulary = ENGLISH_WORDS | {word.lower() for term in known_english for word in re.findall(r"[A-Za-z]{2,}", term)}
    english_texts = {}  # page -> what the English page showed
    still_english = {}
    def record(page, suffix, texts):
        if suffix == "en":
            english_texts[page] = texts
        else:
            still_english[f"{page}_{suffix}"] = left_in_english(texts, english_texts.get(page, ()), known_english,
                                                                names, vocabulary, same_in(suffix))

    browser = Browser(args.width, args.height)
    try:
        browser.send("Network.setCookie", name="session_id", value=odoo.session_id, url=args.url)
        for lang in args.langs.split(","):
            suffix = lang.split("_")[0]
            odoo.ensure_language(lang)
            odoo.set_language(lang)
            day_plan = f"{args.url}/odoo/action-call_logging.crm_call_action_day_plan"
            # The first page after a change of language may still come in the previous one: not photographed.
            browser.open(day_plan, ".o_call_day_plan_board")
            shots = []
            if "day_plan" in pages:
                shots.append(("day_plan", "call_logging", day_plan, ".o_call_day_plan_board", None))
            if "call_form" in pages:
                call_form = f"{args.url}/odoo/action-call_logging.crm_call_action/{call_id}"
                shots.append(("call_form", "call_logging", call_form, ".o_form_view .o_field_widget", None))
            if "contact_calls" in pages:
                contact = f"{args.url}/odoo/contacts/{partner_id}"
                shots.append(("contact_calls", "call_logging", contact, ".o_form_view .o_notebook",
                              ".o_notebook .nav-link[name=calls]"))
            for name, addon, url, selector, tab in shots:
                # The web client may still replay the last minute's bus notifications (a call answered just
                # before, opening its caller's card): take the picture again if the page went elsewhere.
                for _attempt in range(5):
                    browser.open(url, selector)
                    if tab:
                        browser.evaluate(f"document.querySelector({json.dumps(tab)})?.click()")
                        browser.wait_for(".o_notebook .tab-pane.active .o_list_renderer", 30)
                    browser.close_popups()
                    texts = browser.texts()
                    path = ROOT / addon / "static" / "description" / f"screenshot_{name}_{suffix}.png"
                    browser.screenshot(path)
                    if browser.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                        break
                    time.sleep(5)
                record(name, suffix, texts)
            if "settings" in pages:
                # Settings > Telephony, and what Test Connection says of the demo line's bridge.
                browser.open(f"{args.url}/odoo/settings#call_telephony_bridge",
                             ".app_settings_block[data-key=call_telephony_bridge]")
                browser.close_popups()
                browser.evaluate("document.querySelector('button[name=action_telephony_test_connection]').click()")
                browser.wait_for(".o_notification", 30)
                record("settings", suffix, browser.texts())
                browser.screenshot(ROOT / "call_telephony_bridge" / "static" / "description"
                                   / f"screenshot_settings_{suffix}.png")
                browser.evaluate("document.querySelectorAll('.o_notification_close').forEach((b) => b.click())")
            if "phone" in pages:
                # The phone in the systray, opened: its state, the dial pad finding a contact, recent calls.
                browser.open(day_plan, ".o_softphone_systray")
                browser.close_popups()
                browser.evaluate("document.querySelector('.o_softphone_systray').click()")
                browser.wait_for(".o_softphone_dial_input", 15)
                browser.evaluate(
                    "const input = document.querySelector('.o_softphone_dial_input');"
                    " input.value = 'Kow'; input.dispatchEvent(new Event('input', {bubbles: true}));"
                )
                browser.wait_for(".o_softphone_contacts li", 15)
                time.sleep(0.5)
                record("phone", suffix, browser.texts())
                browser.screenshot(ROOT / "call_telephony_bridge" / "static" / "description"
                                   / f"screenshot_phone_{suffix}.png")
                browser.evaluate("document.body.click()")
            if "popup" in pages:
                # A popup of a call that rings from now on, so made in the new language.
                last = odoo.call("crm.call", "search_read", [], ["id"], order="id desc", limit=1)
                last_id = last[0]["id"] if last else 0
                browser.open(day_plan, ".o_call_day_plan_board")
                browser.close_popups()
                browser.wait_until(
                    "[...document.querySelectorAll('.o_telephony_screen_pop')]"
                    f".some((el) => Number(el.dataset.callId) > {last_id})",
                    args.popup_wait, "the popup of a new call",
                )
                time.sleep(2)  # the caller's card fills in from the server
                browser.evaluate(
                    "document.querySelectorAll('.o_telephony_screen_pop').forEach((el) => {"
                    f" if (Number(el.dataset.callId) <= {last_id}) {{"
                    " el.querySelector('.o_telephony_close')?.click(); } })"
                )
                time.sleep(0.5)
                record("popup", suffix, browser.texts())
                browser.screenshot(ROOT / "call_telephony_bridge" / "static" / "description"
                                   / f"screenshot_popup_{suffix}.png")
    finally:
        browser.close()
        odoo.set_language(original_lang)
        if open_on_answer is not None:
            odoo.call("res.users", "write", [odoo.uid], {"telephony_open_record_on_answer": open_on_answer})

    english_seen = False
    for shot, texts in still_english.items():
        theirs = [text for text in texts if text in odoo_demo or odoo_creation_note(text)]
        ours = [text for text in texts if text not in theirs]
        if ours:
            english_seen = True
            print(f"screenshots: {shot} still shows in English: {' | '.join(ours)}")
        else:
            print(f"screenshots: {shot}: nothing of ours left in English")
        if theirs:
            print(f"screenshots: {shot} shows Odoo's own notes and demo data, as Odoo stored them: "
                  f"{' | '.join(theirs)}")
    if english_seen and not args.allow_english:
        sys.exit(1)


if __name__ == "__main__":
    main()
