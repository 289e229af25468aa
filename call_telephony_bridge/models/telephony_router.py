from odoo import api, models

from ..tools.numbers import digits

RING_SECONDS = 20


class TelephonyRouter(models.AbstractModel):
    """Where the PBX should send an inbound call (T4): the caller's salesperson first, then the line's
    default extensions. Kept apart so that queues, managers and voicemail can be added as steps."""

    _name = "telephony.router"
    _description = "Telephony Call Routing"

    @api.model
    def route(self, line, from_number, to_number):
        """The ring plan for a call from ``from_number`` to ``to_number`` arriving on ``line``."""
        line = line.with_env(self.env)
        if line._is_exception_number(from_number):
            return {"steps": [], "fallback": "hangup", "skip": True}
        steps = []
        if digits(from_number):
            who = self.env["crm.call"].identify_number(from_number, company_id=line.company_id.id)
            owner = self.env["res.users"].browse(who["user_id"])
            if owner.telephony_extension:
                steps.append({"extensions": [owner.telephony_extension], "timeout": RING_SECONDS})
        defaults = [ext for ext in line._default_extension_list() if not steps or ext not in steps[0]["extensions"]]
        if defaults:
            steps.append({"extensions": defaults, "timeout": RING_SECONDS})
        return {"steps": steps, "fallback": "hangup", "skip": False}
