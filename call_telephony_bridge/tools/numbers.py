"""Matching numbers against a line's exception list: plain functions, no ORM.

Two spellings are the same number when they share a key of ``phone_keys``, the one rule the phone
index also matches by: their E.164 form, or their last digits when one cannot be read as E.164.
"""

import functools

from odoo.addons.call_logging.tools.phone_normalize import phone_keys


def number_keys(number, country_code=None):
    """The keys a number is matched by on a list: its E.164 form (unless guessed) and its last digits."""
    keys = phone_keys(number, country_code)
    if not keys:
        return frozenset()
    e164, _national, tail = keys.indexed()
    return frozenset(key for key in (e164, tail and "tail:" + tail) if key)


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
    """Every key of every number of a one-number-per-line list. Read for each call event and each
    route question, and parsing numbers is the costly part: kept per list text."""
    return frozenset().union(*(number_keys(listed, country_code) for listed in parse_number_list(text)))


def is_listed(number, text, country_code=None):
    """True when ``number`` is, in any spelling, one of the numbers of the list ``text``."""
    return bool(number) and bool(number_keys(number, country_code) & listed_keys(text or "", country_code))
