from odoo import api, models


class CrmCall(models.Model):
    """No user writes what the system sets: the fields a call declares read-only (what the phone system
    reports, bookkeeping, everything derived) are refused on every path - create, write, import and
    one2many commands of contacts and leads - and their ``default_`` context keys are dropped (menus
    and buttons pass some, such as a sales team's, that must not become a call's).

    Loaded after every other override of ``crm.call`` in this addon, so that it runs first and sees
    the caller's own values, before any override adds the system fields it computes itself.
    """

    _inherit = "crm.call"

    @api.model_create_multi
    def create(self, vals_list):
        if not self._may_write_system_fields():
            for vals in vals_list:
                self._check_system_fields(vals)
            system = self._system_fields()
            self = self.with_context({
                key: value for key, value in self.env.context.items()
                if not (key.startswith("default_") and key.removeprefix("default_") in system)
            })
        return super().create(vals_list)

    def write(self, vals):
        if not self._may_write_system_fields():
            self._check_system_fields(vals)
        return super().write(vals)
