from odoo import fields, models


class CrmCall(models.Model):
    """Calls through the PBX: this addon's aspects of a call, listed before call_logging's ``crm.call``
    because they extend it (End Call, Call and Call back of a PBX call; the appointments' dialling), so
    Python runs them first. ``telephony.dial.mixin`` comes after: it only adds what the Call button asks.
    """

    _name = "crm.call"
    _inherit = [
        "crm.call.telephony.mixin",
        "crm.call.appointment.dialer.mixin",
        "crm.call.telephony.demo.mixin",
        "crm.call",
        "telephony.dial.mixin",
    ]

    # A selection is extended on the model that has the field (a mixin of its own could not).
    dial_mode = fields.Selection(
        selection_add=[("automatic", "Automatic")],
        ondelete={"automatic": "set default"},
        help="Manual: when the window opens you are notified and call yourself. "
             "Automatic: the PBX rings your phone, then the contact, and tries again until the window closes.",
    )

    _sql_constraints = [
        (
            "external_ref_company_unique",
            "unique(external_ref, company_id)",
            "The PBX already reported a call with this id in this company.",
        ),
    ]
