from odoo import _, api, fields, models


class CrmCallTargetMixin(models.AbstractModel):
    """A record calls hang on - a contact or a lead: its call count and the buttons of its Calls page.

    The inheriting model defines ``call_ids`` (a One2many on ``crm.call``), names the call's field
    pointing back to it in ``_call_link_field``, and says in ``_call_targets`` which contact and
    lead a new call with it is about.
    """

    _name = "crm.call.target.mixin"
    _description = "Record with Calls"

    _call_link_field = None

    call_count = fields.Integer(string="Number of Calls", compute="_compute_call_count")

    @api.depends("call_ids")
    def _compute_call_count(self):
        field = self._call_link_field
        counts = dict(self.env["crm.call"]._read_group([(field, "in", self.ids)], [field], ["__count"]))
        for record in self:
            record.call_count = counts.get(record._origin, 0)

    def _call_targets(self):
        """(contact, lead) of a call with this record; either may be empty."""
        raise NotImplementedError

    def _call_number(self):
        return self.env["crm.call"]._number_to_call(*self._call_targets())

    def action_view_calls(self):
        """The calls with this record, new ones prefilled with it."""
        self.ensure_one()
        partner, lead = self._call_targets()
        action = self.env["ir.actions.act_window"]._for_xml_id("call_logging.crm_call_action")
        action["domain"] = [(self._call_link_field, "=", self.id)]
        action["context"] = {
            "default_partner_id": partner.id,
            "default_lead_id": lead.id,
            "default_phone": self._call_number(),
        }
        return action

    def action_call_now(self):
        """Call now; when there is no number yet, ask for one first."""
        self.ensure_one()
        partner, lead = self._call_targets()
        Call = self.env["crm.call"]
        if not self._call_number():
            return Call._action_ask_number(partner=partner if not lead else None, lead=lead or None)
        return Call._start_call_with(partner=partner or None, lead=lead or None)

    def action_log_call(self):
        self.ensure_one()
        partner, lead = self._call_targets()
        return self.env["crm.call"]._action_new_call(_("Log a Call"), "done", partner=partner, lead=lead or None)

    def action_schedule_call(self):
        self.ensure_one()
        partner, lead = self._call_targets()
        return self.env["crm.call"]._action_new_call(
            _("Schedule a Call"), "scheduled", partner=partner, lead=lead or None
        )
