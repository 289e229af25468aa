from odoo import api, models


class LookupCacheMixin(models.AbstractModel):
    """Records read through an ``ormcache``d lookup: creating or deleting one, or changing one of
    ``_lookup_cache_fields`` (every field when empty), clears Odoo's cache, in every worker."""

    _name = "call.lookup.cache.mixin"
    _description = "Records Behind a Cached Lookup"

    _lookup_cache_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        if not self._lookup_cache_fields or self._lookup_cache_fields.intersection(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
