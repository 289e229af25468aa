import random

from odoo import api, models
from odoo.addons.call_logging.models.crm_call_demo import DEMO_SEED


class CrmCall(models.Model):
    """Demo history as the PBX would have reported it."""

    _inherit = "crm.call"

    @api.model
    def _demo_pick_up_times(self):
        """Give the demo's completed calls what the PBX reports of an answer: picked up at their start, after
        a few seconds of ringing drawn with a fixed seed, so that the statistics show a wait before answer."""
        rng = random.Random(DEMO_SEED)
        calls = self.search([("state", "=", "done"), ("answered_at", "=", False), ("external_ref", "=", False)],
                            order="id")
        for call in calls:
            call._as_phone_system().write({"answered_at": call.start, "telephony_ring_duration": rng.randint(2, 25)})
