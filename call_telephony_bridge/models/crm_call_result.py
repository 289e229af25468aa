from odoo import api, models, tools


class CrmCallResult(models.Model):
    """The results the wrap-up offers, kept in memory: every screen-pop lists them."""

    _name = "crm.call.result"
    _inherit = ["crm.call.result", "call.lookup.cache.mixin"]

    @api.model
    def _telephony_choices(self):
        """[{id, name}] of the active results, in their order and the environment's language."""
        return [{"id": result_id, "name": name} for result_id, name in self._telephony_choices_in(self.env.lang)]

    @api.model
    @tools.ormcache("lang")
    def _telephony_choices_in(self, lang):
        results = self.with_context(lang=lang).search([])
        return tuple((result.id, result.name) for result in results)
