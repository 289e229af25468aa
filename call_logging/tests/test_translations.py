import re

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader, code_translations

ADDONS = ("call_logging", "call_telephony_bridge")
LANGUAGES = ("pl", "ja")

# What must come through a translation unchanged: %s, %(name)s, {{ expression }},
# HTML/QWeb tags (with their t-out, t-if... attributes) and {field} markers.
PLACEHOLDER = re.compile(r"%\(\w+\)s|%[sd]|\{\{.*?\}\}|<[^>]+>|\{\w+\}", re.DOTALL)

# Terms a translation may keep as they are: codes, brand names, sample values, and
# words these languages borrow unchanged (as Odoo's own pl/ja translations do).
SAME_AS_SOURCE = {
    "pl": {"ID", "E.164", "Lead", "Status", "Token", "min", "Asterisk ARI", "+48 22 123 45 67",
           "http://127.0.0.1:8088"},
    "ja": {"ID", "E.164", "ARI URL", "Asterisk ARI", "http://127.0.0.1:8088"},
}


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """Every user-facing string of both addons has a reviewed pl and ja translation.

    The terms are extracted the way ``odoo --i18n-export`` does it (fields, selections,
    menus, views, data records, mail templates, ``_()`` in Python, ``_t`` and Owl
    templates in JS), then looked up in each addon's ``i18n/pl.po`` and ``i18n/ja.po``.
    """

    def _terms(self, addon):
        reader = TranslationModuleReader(self.env.cr, modules=[addon])
        terms = {}
        for module, ttype, name, _res_id, source, _value, _comments in reader:
            if module == addon and source.strip():
                terms.setdefault(source, f"{ttype}:{name}")
        return terms

    def _catalogue(self, addon, lang):
        path = f"{get_module_path(addon)}/i18n/{lang}.po"
        return {entry.msgid: entry.msgstr for entry in polib.pofile(path) if not entry.obsolete}

    def test_every_term_is_translated(self):
        problems = []
        for addon in ADDONS:
            terms = self._terms(addon)
            self.assertGreater(len(terms), 50, f"{addon}: suspiciously few terms extracted")
            for lang in LANGUAGES:
                catalogue = self._catalogue(addon, lang)
                for source, where in sorted(terms.items()):
                    translation = catalogue.get(source, "")
                    if not translation.strip():
                        problems.append(f"{addon} {lang}: no translation for {source!r} ({where})")
                    elif placeholders(translation) != placeholders(source):
                        problems.append(
                            f"{addon} {lang}: placeholders differ in {translation!r} "
                            f"(source {source!r} has {placeholders(source)})"
                        )
                    elif (translation == source and re.search(r"[A-Za-z]", source)
                          and source not in SAME_AS_SOURCE[lang]):
                        problems.append(f"{addon} {lang}: {source!r} is left in English")
        if problems:
            self.fail(
                "%d translation problem(s); re-export the terms and translate them "
                "(see setup/i18n.sh):\n%s" % (len(problems), "\n".join(problems))
            )

    def test_web_terms_agree_with_the_other_modules(self):
        """The web client merges the JS terms of all modules into one dictionary, in no set order:
        a term of ours that another module translates differently may show either translation."""
        problems = []
        modules = sorted(self.env.registry._init_modules - set(ADDONS))
        for lang in ("pl_PL", "ja_JP"):
            others = {}
            for module in modules:
                for message in code_translations.get_web_translations(module, lang)["messages"]:
                    others.setdefault(message["id"], {})[module] = message["string"]
            for addon in ADDONS:
                for message in code_translations.get_web_translations(addon, lang)["messages"]:
                    clash = {m: t for m, t in others.get(message["id"], {}).items() if t != message["string"]}
                    if clash:
                        problems.append(f"{addon} {lang}: {message['id']!r} is {message['string']!r} here but {clash}")
        if problems:
            self.fail(
                "JS terms translated differently by other modules: use Odoo's wording, or a more specific "
                "source string:\n" + "\n".join(problems)
            )

    def test_po_headers_declare_language_and_plurals(self):
        for addon in ADDONS:
            for lang, plurals in (("pl", "nplurals=4"), ("ja", "nplurals=1")):
                po = polib.pofile(f"{get_module_path(addon)}/i18n/{lang}.po")
                self.assertEqual(po.metadata.get("Language"), lang, f"{addon}/{lang}.po")
                self.assertIn(plurals, po.metadata.get("Plural-Forms", ""), f"{addon}/{lang}.po")
