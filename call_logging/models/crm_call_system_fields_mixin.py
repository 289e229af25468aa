from odoo import api, models

from ..tools.trust import SYSTEM_FIELDS, granted


class CrmCallSystemFieldsMixin(models.AbstractModel):
    """No user writes what the system sets: the fields a call declares read-only (what the phone system
    reports, bookkeeping, everything derived) are refused on every path - create, write, import and
    one2many commands of contacts and leads - and their ``default_`` context keys are dropped (menus
    and buttons pass some, such as a sales team's, that must not become a call's).

    ``crm.call`` lists it first of its aspects, so that it sees the caller's own values, before any
    other aspect adds the system fields it computes itself. Superuser code may write them (every
    ``sudo()`` says why, and RPC is never superuser); a user's environment only those a narrow method
    waived for its own write (a call's action writing its hold times, see crm.call.base).
    """

    _name = "crm.call.system.fields.mixin"
    _description = "Phone Call: Read-only Fields Refused to Users"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_system_fields(vals)
            system = self._system_fields()
            self = self.with_context({
                key: value for key, value in self.env.context.items()
                if not (key.startswith("default_") and key.removeprefix("default_") in system)
            })
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_system_fields(set(vals) - granted(SYSTEM_FIELDS, self))
        return super().write(vals)
