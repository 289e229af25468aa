import re

import polib

from odoo.modules.module import get_module_path
from odoo.tools.translate import TranslationModuleReader, code_translations

LANGUAGES = ("pl", "ja")

# What must come through a translation unchanged: %s, %(name)s, {{ expression }},
# HTML/QWeb tags (with their t-out, t-if... attributes) and {field} markers.
PLACEHOLDER = re.compile(r"%\(\w+\)s|%[sd]|\{\{.*?\}\}|<[^>]+>|\{\w+\}", re.DOTALL)


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


class TranslationChecks:
    """Every user-facing string of one addon has a reviewed pl and ja translation, in its own ``i18n/``.

    Mixed into a ``TransactionCase`` of the addon, which names it in ``_addon`` and lists in
    ``_same_as_source`` the terms a translation may keep as they are. The terms are extracted the
    way ``odoo --i18n-export`` does it (fields, selections, menus, views, data records, mail
    templates, ``_()`` in Python, ``_t`` and Owl templates in JS), then looked up in the addon's
    ``i18n/pl.po`` and ``i18n/ja.po``.
    """

    _addon = None
    # {language: terms a translation may keep as they are}: codes, brand names, sample values, and
    # words these languages borrow unchanged (as Odoo's own pl/ja translations do).
    _same_as_source = {}

    def _terms(self):
        reader = TranslationModuleReader(self.env.cr, modules=[self._addon])
        terms = {}
        for module, ttype, name, _res_id, source, _value, _comments in reader:
            if module == self._addon and source.strip():
                terms.setdefault(source, f"{ttype}:{name}")
        return terms

    def _catalogue(self, lang):
        path = f"{get_module_path(self._addon)}/i18n/{lang}.po"
        return {entry.msgid: entry.msgstr for entry in polib.pofile(path) if not entry.obsolete}

    def test_every_term_is_translated(self):
        problems = []
        terms = self._terms()
        self.assertGreater(len(terms), 50, f"{self._addon}: suspiciously few terms extracted")
        for lang in LANGUAGES:
            catalogue = self._catalogue(lang)
            same_as_source = self._same_as_source.get(lang, set())
            for source, where in sorted(terms.items()):
                translation = catalogue.get(source, "")
                if not translation.strip():
                    problems.append(f"{self._addon} {lang}: no translation for {source!r} ({where})")
                elif placeholders(translation) != placeholders(source):
                    problems.append(
                        f"{self._addon} {lang}: placeholders differ in {translation!r} "
                        f"(source {source!r} has {placeholders(source)})"
                    )
                elif translation == source and re.search(r"[A-Za-z]", source) and source not in same_as_source:
                    problems.append(f"{self._addon} {lang}: {source!r} is left in English")
        if problems:
            self.fail(
                "%d translation problem(s); re-export the terms and translate them "
                "(see setup/i18n.sh):\n%s" % (len(problems), "\n".join(problems))
            )

    def test_web_terms_agree_with_the_other_modules(self):
        """The web client merges the JS terms of all modules into one dictionary, in no set order:
        a term of ours that another module translates differently may show either translation.
        The addons built on this one compare their terms with it in their own check."""
        problems = []
        addon = self.env["ir.module.module"].search([("name", "=", self._addon)])
        built_on_it = set(addon.downstream_dependencies().mapped("name"))
        modules = sorted(self.env.registry._init_modules - {self._addon} - built_on_it)
        for lang in ("pl_PL", "ja_JP"):
            others = {}
            for module in modules:
                for message in code_translations.get_web_translations(module, lang)["messages"]:
                    others.setdefault(message["id"], {})[module] = message["string"]
            for message in code_translations.get_web_translations(self._addon, lang)["messages"]:
                clash = {m: t for m, t in others.get(message["id"], {}).items() if t != message["string"]}
                if clash:
                    problems.append(
                        f"{self._addon} {lang}: {message['id']!r} is {message['string']!r} here but {clash}"
                    )
        if problems:
            self.fail(
                "JS terms translated differently by other modules: use Odoo's wording, or a more specific "
                "source string:\n" + "\n".join(problems)
            )

    def test_po_headers_declare_language_and_plurals(self):
        for lang, plurals in (("pl", "nplurals=4"), ("ja", "nplurals=1")):
            po = polib.pofile(f"{get_module_path(self._addon)}/i18n/{lang}.po")
            self.assertEqual(po.metadata.get("Language"), lang, f"{self._addon}/{lang}.po")
            self.assertIn(plurals, po.metadata.get("Plural-Forms", ""), f"{self._addon}/{lang}.po")
