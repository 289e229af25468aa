"""Matching numbers against a line's exception list: plain functions, no ORM."""

from odoo.addons.call_logging.tools.phone_normalize import to_e164

# Numbers are compared on their last digits when one of them cannot be read as E.164.
SUFFIX_DIGITS = 9


def digits(number):
    """Only the digits of ``number``."""
    return "".join(ch for ch in number or "" if ch.isdigit())


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


def is_listed(number, listed_numbers, country_code=None):
    """True when ``number`` is, in any spelling, one of ``listed_numbers``."""
    if not number:
        return False
    wanted = number_keys(number, country_code)
    return any(wanted & number_keys(listed, country_code) for listed in listed_numbers)
