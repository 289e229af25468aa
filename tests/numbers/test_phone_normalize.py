"""Number normalization without Odoo: every spelling of a number gives the same keys."""

import importlib.util
from pathlib import Path

import pytest

MODULE_PATH = Path(__file__).resolve().parents[2] / "call_logging" / "tools" / "phone_normalize.py"
_spec = importlib.util.spec_from_file_location("phone_normalize", MODULE_PATH)
phone_normalize = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(phone_normalize)

phone_keys = phone_normalize.phone_keys
to_e164 = phone_normalize.to_e164

WARSAW = phone_normalize.PhoneKeys("+48221234567", "221234567", "221234567")


@pytest.mark.parametrize("spelling", [
    "+48 22 123 45 67",
    "+48221234567",
    "0048221234567",
    "00 48 22 123 45 67",
    "(22) 123-45-67",
    "22 123 45 67",
    "221234567",
    "022 123 45 67",
    "+48 (22) 123 45 67",
    "+48 (0)22 123 45 67",
    "+48-22-123-45-67",
    "+48.22.123.45.67",
    "22/123 45 67",
    "+48,22,123,45,67",
    "+48 22 123 45 67 x12",
    "+48 22 123 45 67x12",
    "+48 22 123 45 67 ext. 12",
    "+48 22 123 45 67 ext 12",
    "+48221234567;ext=12",
    "+48221234567,,12",
    "+48221234567,12",
    "tel:+48221234567",
    "  +48 22 123 45 67  ",
    "+48\u00a022\u00a0123\u00a045\u00a067",
])
def test_every_spelling_of_a_polish_number_gives_the_same_keys(spelling):
    assert phone_keys(spelling, "PL") == WARSAW


@pytest.mark.parametrize("spelling", ["+48 22 123 45 67", "0048 22 123 45 67", "+48 22 123 45 67 ext. 12"])
def test_an_international_spelling_needs_no_country(spelling):
    assert phone_keys(spelling) == WARSAW


@pytest.mark.parametrize("spelling, country, e164", [
    ("03-1234-5678", "JP", "+81312345678"),
    ("(03) 1234 5678", "JP", "+81312345678"),
    ("010 81 3 1234 5678", "JP", "+81312345678"),
    ("+81 3-1234-5678", None, "+81312345678"),
    ("090-1234-5678", "JP", "+819012345678"),
    ("030 1234567", "DE", "+49301234567"),
    ("030/1234567", "DE", "+49301234567"),
    ("+49 (0)30 1234567", None, "+49301234567"),
    ("0049 30 1234567", "US", "+49301234567"),
    ("(212) 555-0123", "US", "+12125550123"),
    ("1-212-555-0123", "US", "+12125550123"),
    ("212.555.0123", "US", "+12125550123"),
    ("011 48 22 123 45 67", "US", "+48221234567"),
    ("48 22 123 45 67", None, "+48221234567"),
])
def test_national_and_international_spellings_of_other_countries(spelling, country, e164):
    assert phone_keys(spelling, country).e164 == e164


def test_the_country_code_is_case_insensitive():
    assert phone_keys("22 123 45 67", "pl") == WARSAW


def test_a_number_whose_country_cannot_be_told_keeps_its_digits():
    keys = phone_keys("22 123 45 67")
    assert keys == phone_normalize.PhoneKeys(None, "221234567", "221234567")


def test_a_national_spelling_without_country_drops_its_trunk_zero():
    assert phone_keys("022 123 45 67").national == "221234567"


def test_the_last_nine_digits_of_a_long_unparsable_number():
    keys = phone_keys("1033 22 123 45 67")
    assert keys.e164 is None
    assert keys.tail == "221234567"


def test_a_number_shorter_than_nine_digits_has_no_tail():
    keys = phone_keys("+683 4002")
    assert keys.e164 == "+6834002"
    assert keys.tail is None


@pytest.mark.parametrize("bad", [
    None,
    "",
    "   ",
    "abc",
    "+",
    "()--..",
    "1" * 5000,
    "+48 22 123 45 67" + " " * 60,
    "1-800-FLOWERS",
    "22 123 45 67 wew. 12",
    "201",
    "12345",
    "+48 22 +123 45 67",
    "0" * 20,
    42,
    4822123456.7,
    ["+48221234567"],
    b"+48221234567",
])
def test_bad_input_is_not_a_number_and_never_raises(bad):
    assert phone_keys(bad) is None
    assert phone_keys(bad, "PL") is None
    assert to_e164(bad, "PL") is False


def test_to_e164_keeps_its_contract():
    assert to_e164("+48 22 123 45 67") == "+48221234567"
    assert to_e164("(22) 123-45-67", "PL") == "+48221234567"
    assert to_e164("(22) 123-45-67", "pl") == "+48221234567"
    assert to_e164("22 123 45 67") is False
    assert to_e164("abc", "PL") is False


def test_an_unknown_country_code_does_not_raise():
    assert phone_keys("+48 22 123 45 67", "XX") == WARSAW
    assert phone_keys("22 123 45 67", "ZZ").e164 is None


@pytest.mark.parametrize("spelling, country, e164", [
    ("\uff0b\uff18\uff11\u3000\uff13\u3000\uff15\uff15\uff15\uff15\u3000\uff10\uff12\uff10\uff12", None,
     "+81355550202"),
    ("\uff10\uff13\uff0d\uff15\uff15\uff15\uff15\uff0d\uff10\uff12\uff10\uff12", "JP", "+81355550202"),
    ("\uff10\uff12\uff12\uff11\uff12\uff13\uff14\uff15\uff16\uff17", "PL", "+48221234567"),
    ("\u0664\u0668\u0662\u0662\u0661\u0662\u0663\u0664\u0665\u0666\u0667", None, "+48221234567"),
    ("\u0968\u0968\u0967\u0968\u0969\u096a\u096b\u096c\u096d", "PL", "+48221234567"),
])
def test_full_width_and_other_scripts_digits_read_as_the_same_number(spelling, country, e164):
    assert to_e164(spelling, country) == e164


def test_normalize_text_turns_full_width_forms_into_ascii():
    assert phone_normalize.normalize_text("\uff0b\uff18\uff11\u3000\uff13") == "+81 3"


def test_a_country_code_read_from_bare_digits_is_only_a_guess():
    keys = phone_keys("601 234 567")
    assert keys.guessed_country
    assert keys.indexed() == (None, "601234567", "601234567")
    assert not phone_keys("601 234 567", "PL").guessed_country


@pytest.mark.parametrize("spelling, country, dialled", [
    ("+48 601 234 567", None, "+48601234567"),
    ("601 234 567", "PL", "+48601234567"),
    ("\uff10\uff13\uff0d\uff15\uff15\uff15\uff15\uff0d\uff10\uff12\uff10\uff12", "JP", "+81355550202"),
    ("022 123 45 67", None, "0221234567"),
])
def test_only_digits_and_a_plus_are_ever_dialled(spelling, country, dialled):
    assert phone_normalize.dialable(spelling, country) == dialled


@pytest.mark.parametrize("bad", ["123@from-internal/n", "601234567@pstn-out", "1" * 5000, "201", "", None,
                                 "+48 601,234,567,,,,1@x", "Local/100@agents"])
def test_anything_but_a_phone_number_is_never_dialled(bad):
    assert phone_normalize.dialable(bad, "PL") is None
