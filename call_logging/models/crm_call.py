from odoo import models


class CrmCall(models.Model):
    """One phone call with a contact or a lead: past, current, missed or planned.

    The model is put together from named aspects, each an abstract model in a file of its own name,
    the way ``mail`` builds its threads. Python runs their ``create``, ``write`` and ``unlink`` in the
    order they are listed below, the first one outermost: each sees the caller's values before the
    ones listed after it, and what they did once ``super()`` returns. An addon adds its own aspects
    the same way (``call_telephony_bridge`` lists its telephony aspects before ``crm.call``).

    Fields, states and rules are in ``crm.call.base``; the fields of an aspect are in the aspect.
    """

    _name = "crm.call"
    _description = "Phone Call"
    _inherit = [
        # First: refuses the read-only fields a caller sent, before any aspect adds those it computes.
        "crm.call.system.fields.mixin",
        # Keeps the call's activity in step once everything below has written the call.
        "crm.call.activity.mixin",
        # Settles a new appointment's start, window and state before the others see them.
        "crm.call.appointment.mixin",
        # Queues the statistics buckets the change touched.
        "crm.call.statistics.mixin",
        # Tells a typed subject from the one crm.call.base makes, then stores it in every language.
        "crm.call.subject.mixin",
        # Lets a call manager change whether a completed call is billed (through the lock's check).
        "crm.call.billing.mixin",
        # No hooks: the demo history.
        "crm.call.demo.mixin",
        # Raises the call events Automation Rules watch, once the change below is complete.
        "crm.call.automation.mixin",
        # Wakes the alarm manager at the moments the aspects above name (reminder, start, window).
        "crm.call.alarm.mixin",
        # Last: the fields, the states and the rules every create and write is checked against.
        "crm.call.base",
    ]
    _order = "start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "phone", "partner_id", "lead_id"]

    _sql_constraints = [
        ("duration_not_negative", "CHECK(duration >= 0)", "A call's duration cannot be negative."),
    ]
