import json

from odoo import api, fields, models
from odoo.tools import SQL


class CrmCallSubjectMixin(models.AbstractModel):
    """Call subjects in the reader's language.

    A subject made by the addon ("Call to Jan Kowalski") is stored in every installed language, so a list
    mixing calls created by Polish, Japanese and English users (or by the PBX) reads in one language.
    A subject somebody typed is kept as typed, the same in every language.

    Listed before crm.call.base, which gives a new call without a subject the one it makes: this aspect
    sees whether the subject was typed first, and stores it in every language once the call exists.
    """

    _name = "crm.call.subject.mixin"
    _description = "Phone Call: Subjects in Every Language"

    name = fields.Char(translate=True)
    headline = fields.Char(
        string="About", compute="_compute_headline",
        help="What the call is about, beside its contact: its purpose and agenda when its subject only names "
             "the contact, else its subject.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends("name", "purpose_id", "agenda", "partner_id", "lead_id", "phone", "direction")
    def _compute_headline(self):
        for call in self:
            about = " · ".join(part for part in (call.purpose_id.name, (call.agenda or "").strip()) if part)
            call.headline = about if about and call.name == call._subject_in(self.env.lang) else call.name

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        typed = [vals.get("name") for vals in vals_list]
        calls = super().create(vals_list)
        self._store_subjects(calls, typed)
        return calls

    def write(self, vals):
        result = super().write(vals)
        if vals.get("name"):
            self._store_subjects(self, [vals["name"]] * len(self))
        return result

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _subject_in(self, lang):
        """The subject the addon gives this (one) call, in ``lang``."""
        return self.with_context(lang=lang)._default_subject(self._caller_name(), self.direction)

    @api.model
    def _translate_generated_subjects(self, langs=None, batch_size=1000):
        """Store in ``langs`` (every installed language by default) the subjects the addon gave existing calls
        that lack one of them: calls logged before subjects were translated (stored in the language of the
        moment only), or before a language was installed. Typed subjects stay as typed."""
        installed = {code for code, _name in self.env["res.lang"].get_installed()} | {"en_US"}
        wanted = sorted(set(langs or installed) & installed)
        if not wanted:
            return 0
        self.env.cr.execute(SQL(
            "SELECT id, name FROM crm_call WHERE name IS NOT NULL AND NOT (name ?& %s) ORDER BY id", wanted,
        ))
        stored = dict(self.env.cr.fetchall())
        ids = list(stored)
        translated = 0
        for start in range(0, len(ids), batch_size):
            calls = self.browse(ids[start:start + batch_size]).with_context(active_test=False)
            generated = calls.filtered(lambda call: set(stored[call.id].values())
                                       & {call._subject_in(lang) for lang in installed})
            self._store_subjects(generated, [None] * len(generated))
            translated += len(generated)
        return translated

    @api.model
    def _store_subjects(self, calls, typed_subjects):
        """Store each call's subject: in every language when the addon made it (nothing typed, or exactly
        what the form proposed in the writer's language), else as typed for every language."""
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        rows = []
        for call, typed in zip(calls, typed_subjects, strict=True):
            if not typed or typed == call._subject_in(self.env.lang):
                subjects = {lang: call._subject_in(lang) for lang in {"en_US", *langs}}
            else:
                subjects = {"en_US": typed}
            rows.append(SQL("(%s, %s::jsonb)", call.id, json.dumps(subjects)))
        if not rows:
            return
        # One UPDATE for the batch: the ORM writes a translated field one language at a time.
        calls.flush_recordset(["name"])
        self.env.cr.execute(SQL(
            "UPDATE crm_call AS c SET name = v.name FROM (VALUES %s) AS v(id, name) WHERE c.id = v.id",
            SQL(", ").join(rows),
        ))
        calls.invalidate_recordset(["name"])
