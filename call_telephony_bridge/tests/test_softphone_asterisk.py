import logging
import re
import threading
import time
import unittest
from contextlib import ExitStack
from unittest.mock import patch

import requests

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .common import LINE_TOKEN, TelephonyWorldMixin, ToursWithTheBridgeMixin
from .pbx_processes import asterisk_built, free_port, start_asterisk_for

_logger = logging.getLogger(__name__)

LINE_DIGITS = "48221000000"
UNKNOWN_CALLER = "+48615550099"
BROWSER_EXTENSION = "103"
BROWSER_PASSWORD = "test-browser-103-secret"  # setup/asterisk/test-world/pjsip-world.conf
# A microphone that needs no one to allow it: Chromium's own fake device (a beeping tone).
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
# The same microphone, which the user refuses to Odoo (the browser's prompt answered "block").
REFUSED_MICROPHONE = ["--use-fake-device-for-media-stream", "--deny-permission-prompts"]
WORLD_TIMEOUT = 90


class BrowserPhoneToursMixin:
    """For test classes whose tours use the browser phone of ``user`` (extension ``extension``) against the
    class's real Asterisk and bridge."""

    extension = BROWSER_EXTENSION

    # ------------------------------------------------------------------ the world around the browser
    def browser_contact(self):
        """The SIP contact the browser phone registered, or None."""
        found = re.search(rf"Contact:\s+{self.extension}-browser/(\S+)", self.asterisk.cli("pjsip show contacts"))
        return found and found.group(1)

    def tour_tab_listens(self):
        with self.registry.test_lock:
            self.user.invalidate_recordset(["telephony_open_record_on_answer"])
            return not self.user.telephony_open_record_on_answer

    def play_tour(self, tour, world, before_the_tour=None, media=FAKE_MEDIA):
        """Run ``tour`` while ``world(browsers)`` plays the PBX's side in a thread; ``browsers`` gets the
        tour's Chromium once it runs (with the ``media`` flags). ``before_the_tour(browser)`` runs once the
        browser has the user's session, before the tour's page loads. The world's return value is returned."""
        channel = hashable(channel_with_db(self.registry.db_name, self.user.partner_id))
        done = threading.Event()
        browsers, outcome = [], {}
        spawn, navigate = ChromeBrowser._spawn_chrome, ChromeBrowser.navigate_to

        def spawn_with_fake_media(browser, cmd):
            browsers.append(browser)
            return spawn(browser, cmd[:-1] + media + cmd[-1:])

        def navigate_after_preparing(browser, url, wait_stop=False):
            if before_the_tour:
                before_the_tour(browser)
            return navigate(browser, url, wait_stop=wait_stop)

        def wake_the_browsers():
            # A test's transactions never commit, so the bus never hears of them: wake the browsers' sockets.
            while not done.wait(0.3):
                for websocket in list(dispatch._channels_to_ws.get(channel, [])):
                    websocket.trigger_notification_dispatching()

        def play():
            try:
                outcome["result"] = world(browsers)
            except Exception as error:  # reported by the test, once the tour is over
                outcome["error"] = error

        threads = [threading.Thread(target=wake_the_browsers), threading.Thread(target=play)]
        with ExitStack() as stack:
            stack.enter_context(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))
            stack.enter_context(patch.object(ChromeBrowser, "_spawn_chrome", spawn_with_fake_media))
            stack.enter_context(patch.object(ChromeBrowser, "navigate_to", navigate_after_preparing))
            for thread in threads:
                thread.start()
            try:
                self.start_tour("/odoo", tour, login="admin", timeout=180)
            except AssertionError as failure:
                messages = self.asterisk.cli("core show channels verbose")
                raise AssertionError(f"{failure}\n--- the bridge:\n{self.bridge.output()[-3000:]}\n"
                                     f"--- Asterisk's channels:\n{messages}") from None
            finally:
                done.set()
                for thread in threads:
                    thread.join(timeout=WORLD_TIMEOUT)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    def open_tab(self, browser):
        """Another tab of the user's browser on Odoo; its DevTools target id."""
        response = requests.put(f"http://127.0.0.1:{browser.devtools_port}/json/new?{self.base_url()}/odoo",
                                timeout=10)
        response.raise_for_status()
        return response.json()["id"]

    def wait(self, what, condition, timeout=WORLD_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{what}:\n{self.bridge.output()[-2000:]}")

    def call_in_once_registered(self, contact_differs_from=None):
        contact = self.wait("the browser phone never registered",
                            lambda: (found := self.browser_contact()) and found != contact_differs_from and found)
        return self.asterisk.call_in(UNKNOWN_CALLER, LINE_DIGITS, talk=60), contact

    def wait_for_call(self, call_ref, state, what, timeout=30):
        """The call of ``call_ref`` once Odoo has it in ``state`` (a completed one with its PBX duration)."""
        def reached():
            with self.registry.test_lock:
                self.env.invalidate_all()
                call = self.env["crm.call"].search([("external_ref", "=", call_ref)])
                return call if call.state == state and (state != "done" or call.telephony_duration) else None
        return self.wait(what, reached, timeout=timeout)

    def short_call_once_registered(self, browsers):
        """A caller who talks 3 seconds, once the browser phone registered (a world for play_tour)."""
        self.wait("the browser phone never registered", self.browser_contact)
        return self.asterisk.call_in(UNKNOWN_CALLER, LINE_DIGITS, talk=3)

    def assertAnsweredInTheBrowser(self, call_ref, talked_for=2):
        call = self.wait_for_call(call_ref, "done", f"the call {call_ref} never ended in Odoo")
        with self.registry.test_lock:  # the bridge may still be uploading the recording on the shared connection
            self.assertEqual((call.direction, call.user_id, call.partner_id),
                             ("inbound", self.user, self.env["res.partner"]))
            self.assertGreater(call.telephony_duration, talked_for)
            events = call.telephony_event_ids.mapped("event")
            self.assertEqual((events.count("hold"), events.count("unhold")), (1, 1),
                             "the browser's hold and resume reach the call as the handset's own")



@tagged("post_install", "-at_install")
@unittest.skipUnless(asterisk_built(), "the real Asterisk is not built here (setup/asterisk.sh build)")
class TestSoftphoneOnAsterisk(BrowserPhoneToursMixin, ToursWithTheBridgeMixin, TelephonyWorldMixin, HttpCase):
    """A user without a desk phone talks in Odoo: the browser phone against the real Asterisk of the tests
    (its account 103-browser is in the test world's pjsip-world.conf)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_asterisk_for(cls, LINE_TOKEN)
        cls.line.write({
            "browser_phone_url": cls.asterisk.url.replace("http://", "ws://") + "/ws",
            "default_extensions": BROWSER_EXTENSION,
            "skip_absent_users": False,
        })
        cls.user = cls.env.ref("base.user_admin")
        cls.user.write({"telephony_extension": BROWSER_EXTENSION, "telephony_ring_on": "browser",
                        "telephony_sip_password": BROWSER_PASSWORD})

    def test_tour_an_inbound_call_is_answered_and_talked_in_the_browser(self):
        with self.asterisk.events({"ChannelDtmfReceived"}) as tones:
            call_ref, _contact = self.play_tour("call_telephony_bridge_softphone",
                                                lambda browsers: self.call_in_once_registered())
        self.assertAnsweredInTheBrowser(call_ref)
        self.assertIn(("5", f"PJSIP/{BROWSER_EXTENSION}-browser"),
                      {(tone["digit"], tone["channel"]["name"].rsplit("-", 1)[0]) for tone in tones},
                      "the keypad's 5 reached Asterisk from the browser's channel")

    def test_tour_three_tabs_one_phone_and_the_next_tab_takes_over(self):
        tabs = []

        def open_two_tabs_first(browser):
            # Opened before the tour starts, they do not run it (a tour resumes in every tab loaded after).
            tabs.append(self.open_tab(browser))
            tabs.append((self.wait("the first tab never registered", self.browser_contact), time.monotonic()))
            tabs.append(self.open_tab(browser))

        def world(browsers):
            self.wait("the other tabs were never opened", lambda: len(tabs) == 3)
            leader, (first_contact, _registered_at) = tabs[0], tabs[1]
            self.wait("the tour's tab never said it listens", self.tour_tab_listens)
            port = browsers[0].devtools_port
            closed_at = time.monotonic()
            requests.get(f"http://127.0.0.1:{port}/json/close/{leader}", timeout=10).raise_for_status()
            self.wait("no other tab took the phone over",
                      lambda: (contact := self.browser_contact()) and contact != first_contact, timeout=10)
            takeover = time.monotonic() - closed_at
            return self.asterisk.call_in(UNKNOWN_CALLER, LINE_DIGITS, talk=60), takeover

        call_ref, takeover = self.play_tour("call_telephony_bridge_softphone_tabs", world,
                                            before_the_tour=open_two_tabs_first)
        _logger.info("browser phone: the next tab registered %.3f s after the leading tab closed", takeover)
        self.assertLess(takeover, 2.0, "another tab takes the phone over within 2 seconds")
        self.assertAnsweredInTheBrowser(call_ref, talked_for=0)
        self.wait("a closed browser left its registration behind", lambda: self.browser_contact() is None)

    def test_tour_the_phone_comes_back_after_an_asterisk_restart(self):
        def world(browsers):
            first = self.wait("the browser phone never registered", self.browser_contact)
            self.asterisk.restart()
            # The bridge follows the new Asterisk too: before it does, calls would not reach Odoo.
            self.wait("the bridge never came back", lambda: "reconnected to ARI events" in self.bridge.output())
            return self.call_in_once_registered(contact_differs_from=first)[0]

        call_ref = self.play_tour("call_telephony_bridge_softphone", world)
        self.assertAnsweredInTheBrowser(call_ref)

    def test_tour_a_declined_call_goes_on_without_the_user(self):
        call_ref = self.play_tour("call_telephony_bridge_softphone_decline", self.short_call_once_registered)
        call = self.wait_for_call(call_ref, "missed", "the declined call was not missed")
        with self.registry.test_lock:
            self.assertFalse(call.answered_at, "declined: nobody answered")
            self.assertEqual(call.telephony_event_ids.filtered(lambda e: e.event == "ringing").mapped("extension"),
                             [BROWSER_EXTENSION])

    def test_tour_a_refused_microphone_is_said_and_the_call_goes_on(self):
        call_ref = self.play_tour("call_telephony_bridge_softphone_microphone_refused",
                                  self.short_call_once_registered, media=REFUSED_MICROPHONE)
        call = self.wait_for_call(call_ref, "missed", "the call was left in a false state", timeout=40)
        with self.registry.test_lock:
            self.assertFalse(call.answered_at)

    def test_tour_a_wrong_sip_password_is_said_and_not_retried(self):
        self.user.telephony_sip_password = "not-the-password"
        self.play_tour("call_telephony_bridge_softphone_wrong_password", lambda browsers: None)
        self.assertIsNone(self.browser_contact())
        self.assertNotIn("not-the-password", self.asterisk.cli("pjsip show contacts"))

    def test_tour_an_unreachable_pbx_is_said(self):
        self.line.browser_phone_url = f"ws://127.0.0.1:{free_port()}/ws"
        self.play_tour("call_telephony_bridge_softphone_pbx_unreachable", lambda browsers: None)


@tagged("post_install", "-at_install")
@unittest.skipUnless(asterisk_built(), "the real Asterisk is not built here (setup/asterisk.sh build)")
class TestBrowserPhoneProvisioning(BrowserPhoneToursMixin, ToursWithTheBridgeMixin, TelephonyWorldMixin, HttpCase):
    """An administrator gives a user a browser phone in Odoo only: the bridge writes its account into
    Asterisk's configuration, and the user's browser registers with it and takes a call."""

    extension = "105"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = cls.env.ref("base.user_admin")
        cls.user.write({"telephony_extension": cls.extension, "telephony_ring_on": "browser"})
        cls.user.action_telephony_generate_sip_password()
        cls.env.flush_all()
        start_asterisk_for(cls, LINE_TOKEN, browser_phones=True)
        # The bridge reads the browser phones as it starts, on the test's one connection: the test begins once
        # Asterisk has them (a request still running when a test opens its savepoint would end that savepoint).
        endpoint = f"{cls.asterisk.url}/ari/endpoints/PJSIP/{cls.extension}-browser"
        deadline = time.monotonic() + 30
        while not cls.asterisk.ari.get(endpoint, timeout=5).ok:
            if time.monotonic() > deadline:
                raise RuntimeError("the bridge never gave Asterisk the browser phone:\n" + cls.bridge.output())
            time.sleep(0.2)
        with cls.registry.test_lock:
            cls.line.write({
                "browser_phone_url": cls.asterisk.url.replace("http://", "ws://") + "/ws",
                "default_extensions": cls.extension,
                "skip_absent_users": False,
            })
            cls.env.flush_all()

    def test_tour_a_phone_given_in_odoo_registers_and_takes_a_call(self):
        call_ref, _contact = self.play_tour("call_telephony_bridge_softphone",
                                            lambda browsers: self.call_in_once_registered())
        self.assertAnsweredInTheBrowser(call_ref)
        with self.registry.test_lock:
            password = self.user.telephony_sip_password
        self.assertNotIn(password, self.bridge.output(), "a password is never logged")
