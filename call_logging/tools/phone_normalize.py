"""Phone number normalization: plain functions on ``phonenumbers``, no ORM.

Used by the models to store and look up numbers; importable without Odoo.
"""

import phonenumbers

MAX_INPUT_LENGTH = 64


def to_e164(raw, country_code=None):
    """Return ``raw`` in E.164 (``+48221234567``), or False when it does not parse.

    ``country_code`` (ISO 3166 alpha-2) tells how to read a national spelling.
    """
    if not raw or not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        return False
    try:
        parsed = phonenumbers.parse(raw, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_possible_number(parsed):
        return False
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
