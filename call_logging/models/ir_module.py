from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        """A language installed (or the addon's terms reloaded): the subjects the addon gave existing calls
        are stored in that language too, so their lists do not fall back to English."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite, imported_module=imported_module)
        if "call_logging" in modules and "crm.call" in self.env:
            self.env["crm.call"]._translate_generated_subjects(langs)
        return result
