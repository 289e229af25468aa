"""Phone number normalization: plain functions on ``phonenumbers``, no ORM.

Used by the models to store and look up numbers; importable without Odoo.

A number is reduced to three keys (see :class:`PhoneKeys`), from the strictest to
the loosest: its E.164 form, its national significant number and its last nine
digits. Stored numbers and looked-up numbers go through the same function, so
any two spellings of one number meet on at least one key (T6).
"""

import functools
import re
from typing import NamedTuple

import phonenumbers

MAX_INPUT_LENGTH = 64
TAIL_LENGTH = 9
# Below this, a number that does not parse is an internal extension or noise.
MIN_LOOSE_DIGITS = 6
# E.164 allows 15 digits; a leading 00 adds two.
MAX_DIGITS = 17

_TEL_PREFIX = re.compile(r"^\s*tel:", re.IGNORECASE)
# "x12", "ext. 12", "extension 12", ";ext=12", "#12" at the end of the number.
_EXTENSION = re.compile(r"(?:;\s*ext\s*=|(?<![a-z])(?:ext(?:ension|n)?|x)\.?|#)\s*\d{1,7}\s*$", re.IGNORECASE)
# The "(0)" of "+49 (0)30 1234567": a trunk prefix to drop once the country code is given.
_TRUNK_IN_PARENS = re.compile(r"\(\s*0\s*\)")
# Everything a human writes around digits; anything else (letters, non-ASCII digits) is not a number.
_ALLOWED = re.compile(r"^[0-9\s+().,/\-\u00a0\u2010-\u2015]*$", re.ASCII)
_NOT_DIGIT = re.compile(r"[^0-9]")


class PhoneKeys(NamedTuple):
    """The keys of one number; a key is ``None`` when it does not apply."""

    e164: str | None
    """``+48221234567`` when the number parses for a known country."""
    national: str | None
    """The national significant number (``221234567``), or the digits without leading zeros."""
    tail: str | None
    """The last nine digits, for numbers whose country cannot be told."""


def phone_keys(raw, country_code=None):
    """Return the :class:`PhoneKeys` of ``raw``, or ``None`` when it is not a phone number.

    ``country_code`` (ISO 3166 alpha-2) tells how to read a national spelling.
    Accepts "+", ",", "()", spaces, dashes, dots and slashes, a leading 00 or trunk 0,
    "(0)" after a country code and extension suffixes; never raises.
    """
    if not isinstance(raw, str):
        return None
    # A call's number is read when it is looked up, stored and indexed: parse it once.
    return _cached_phone_keys(raw, country_code or None)


@functools.lru_cache(maxsize=4096)
def _cached_phone_keys(raw, country_code):
    region = (country_code or "").upper() or None
    loose = None
    for text in _spellings(raw):
        keys = _keys_of(text, region)
        if keys and keys.e164:
            return keys
        loose = loose or keys
    return loose


def to_e164(raw, country_code=None):
    """Return ``raw`` in E.164 (``+48221234567``), or False when it does not parse.

    ``country_code`` (ISO 3166 alpha-2) tells how to read a national spelling.
    """
    keys = phone_keys(raw, country_code)
    return (keys and keys.e164) or False


def _spellings(raw):
    """The readings of ``raw`` to try, best first: commas as separators, then as a pause before an extension."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_INPUT_LENGTH:
        return []
    text = _EXTENSION.sub("", _TEL_PREFIX.sub("", raw))
    if not _ALLOWED.match(text):
        return []
    if "," not in text:
        return [text]
    return [text.replace(",", ""), text.split(",", 1)[0]]


def _keys_of(text, region):
    international = text.lstrip("( \u00a0").startswith("+")
    if text.count("+") != international:
        return None
    if international:
        text = _TRUNK_IN_PARENS.sub("", text)
    digits = _NOT_DIGIT.sub("", text)
    if not digits or len(digits) > MAX_DIGITS:
        return None
    number = _parse(digits, international, region)
    if number is not None:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return PhoneKeys(e164, phonenumbers.national_significant_number(number), _tail(e164[1:]))
    national = digits.lstrip("0")
    if len(national) < MIN_LOOSE_DIGITS:
        return None
    return PhoneKeys(None, national, _tail(digits))


def _tail(digits):
    return digits[-TAIL_LENGTH:] if len(digits) >= TAIL_LENGTH else None


def _parse(digits, international, region):
    """The first valid reading of ``digits``, else the first possible one, else None."""
    possible = None
    for text, text_region in _readings(digits, international, region):
        try:
            number = phonenumbers.parse(text, text_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
        if possible is None and phonenumbers.is_possible_number(number):
            possible = number
    return possible


def _readings(digits, international, region):
    if international:
        yield "+" + digits, None
        return
    if digits.startswith("00"):
        yield "+" + digits[2:], None
    if region:
        yield digits, region
        if digits.startswith("0"):
            # Trunk 0 still typed in countries that dropped it (Poland).
            yield digits.lstrip("0"), region
    # A country code typed without its "+".
    yield "+" + digits, None
