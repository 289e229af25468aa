import random

from odoo import api, models
from odoo.addons.call_logging.models.crm_call_demo_mixin import DEMO_SEED


class CrmCallTelephonyDemoMixin(models.AbstractModel):
    """Demo history as the PBX would have reported it."""

    _name = "crm.call.telephony.demo.mixin"
    _description = "Phone Call: Telephony Demo History"

    @api.model
    def _demo_pick_up_times(self):
        """Give the demo's completed calls what the PBX reports of an answer: picked up at their start, after
        a few seconds of ringing drawn with a fixed seed, so that the statistics show a wait before answer."""
        rng = random.Random(DEMO_SEED)
        calls = self.search([("state", "=", "done"), ("answered_at", "=", False), ("external_ref", "=", False)],
                            order="id")
        for call in calls:
            # What only the PBX reports, written as it would have (the demo data loads as superuser).
            call._telephony_write({"answered_at": call.start, "telephony_ring_duration": rng.randint(2, 25)})
