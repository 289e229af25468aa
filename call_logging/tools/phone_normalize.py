"""Phone number normalization: plain functions on ``phonenumbers``, no ORM.

Used by the models to store and look up numbers; importable without Odoo.

A number is reduced to three keys (see :class:`PhoneKeys`), from the strictest to
the loosest: its E.164 form, its national significant number and its last nine
digits. Stored numbers and looked-up numbers go through the same function, so
any two spellings of one number meet on at least one key.
"""

import functools
import re
import unicodedata
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
# Everything a human writes around digits (once normalized); anything else (letters) is not a number.
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
    guessed_country: bool = False
    """True when ``e164`` comes from reading the leading digits as a country code, for lack of any other
    country: a guess, which the lookup must not trust over the loose keys."""

    def indexed(self):
        """``(e164, national, tail)`` as the phone index stores and matches them: a guessed E.164 is left out."""
        return (None if self.guessed_country else self.e164), self.national, self.tail


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


def normalize_text(raw):
    """``raw`` with every kind of digit and punctuation an input method types turned into plain ASCII.

    Full-width forms (``＋８１　３``, typed by Japanese input methods) become ``+81 3``; digits of
    any script become ``0-9``. Every reading of a number - lookup, exception lists, dialling, typed
    numbers - starts here, so all of them see the same text.
    """
    text = unicodedata.normalize("NFKC", raw)
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def digits_of(raw):
    """Only the digits of ``raw``, whatever script or width they were typed in (no digit: empty)."""
    if not isinstance(raw, str):
        return ""
    return _NOT_DIGIT.sub("", normalize_text(raw))


def dialable(raw, country_code=None):
    """What a PBX may be asked to dial for ``raw``: its E.164 form when its country can be told, else its
    bare digits as typed (a national number in a company without a country); None when ``raw`` is not a
    phone number (letters, dialplan syntax, too short or too long)."""
    keys = phone_keys(raw, country_code)
    if not keys:
        return None
    if keys.e164 and not keys.guessed_country:
        return keys.e164
    return _NOT_DIGIT.sub("", _spellings(raw)[0])


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
    text = _EXTENSION.sub("", _TEL_PREFIX.sub("", normalize_text(raw)))
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
    number, guessed = _parse(digits, international, region)
    national = digits.lstrip("0")
    if number is not None:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if guessed:
            return PhoneKeys(e164, national, _tail(digits), guessed_country=True)
        return PhoneKeys(e164, phonenumbers.national_significant_number(number), _tail(e164[1:]))
    if len(national) < MIN_LOOSE_DIGITS:
        return None
    return PhoneKeys(None, national, _tail(digits))


def _tail(digits):
    return digits[-TAIL_LENGTH:] if len(digits) >= TAIL_LENGTH else None


def _parse(digits, international, region):
    """``(number, guessed)``: the first valid reading of ``digits``, else the first possible one, else None;
    ``guessed`` when it reads the leading digits as a country code nobody wrote."""
    possible = (None, False)
    for text, text_region, guessed in _readings(digits, international, region):
        try:
            number = phonenumbers.parse(text, text_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number, guessed
        if possible[0] is None and phonenumbers.is_possible_number(number):
            possible = (number, guessed)
    return possible


def _readings(digits, international, region):
    """``(text, region, guessed)`` readings of ``digits``, best first."""
    if international:
        yield "+" + digits, None, False
        return
    if digits.startswith("00"):
        yield "+" + digits[2:], None, False
    if region:
        yield digits, region, False
        if digits.startswith("0"):
            # Trunk 0 still typed in countries that dropped it (Poland).
            yield digits.lstrip("0"), region, False
    # A country code typed without its "+".
    yield "+" + digits, None, True
