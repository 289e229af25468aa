"""Matching numbers against a line's exception list: plain functions, no ORM."""

import functools

from odoo.addons.call_logging.tools.phone_normalize import normalize_text, to_e164

# Numbers are compared on their last digits when one of them cannot be read as E.164.
SUFFIX_DIGITS = 9


def digits(number):
    """Only the digits of ``number``, whatever script or width they were typed in."""
    return "".join(ch for ch in normalize_text(number or "") if "0" <= ch <= "9")


def number_keys(number, country_code=None):
    """The spellings a number is known by: its E.164 form and its last digits."""
    keys = set()
    e164 = to_e164(number, country_code)
    if e164:
        keys.add(e164)
    tail = digits(number)[-SUFFIX_DIGITS:]
    if tail:
        keys.add("tail:" + tail)
    return keys


def parse_number_list(text):
    """The numbers of a text with one number per line (blank lines and # comments skipped)."""
    numbers = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            numbers.append(line)
    return numbers


@functools.lru_cache(maxsize=256)
def listed_keys(text, country_code=None):
    """Every spelling of every number of a one-number-per-line list. Read for each call event and each
    route question, and parsing numbers is the costly part: kept per list text."""
    return frozenset().union(*(number_keys(listed, country_code) for listed in parse_number_list(text)))


def is_listed(number, text, country_code=None):
    """True when ``number`` is, in any spelling, one of the numbers of the list ``text``."""
    return bool(number) and bool(number_keys(number, country_code) & listed_keys(text or "", country_code))
