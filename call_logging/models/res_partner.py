from odoo import _, api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    call_ids = fields.One2many("crm.call", "partner_id", string="Calls")
    call_count = fields.Integer(string="Number of Calls", compute="_compute_call_count")
    open_call_ids = fields.One2many(
        "crm.call", "partner_id", string="Open Calls", domain=[("state", "=", "scheduled")]
    )
    closed_call_ids = fields.One2many(
        "crm.call", "partner_id", string="Closed Calls",
        domain=[("state", "in", ("done", "missed", "cancelled"))],
    )

    @api.depends("call_ids")
    def _compute_call_count(self):
        counts = dict(
            self.env["crm.call"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.call_count = counts.get(partner._origin, 0)

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("call_logging.crm_call_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "default_phone": self.phone or self.mobile}
        return action

    def action_call_now(self):
        """Call this contact now; when it has no number yet, ask for one first (K4)."""
        self.ensure_one()
        if not (self.phone or self.mobile):
            return self.env["crm.call"]._action_ask_number(partner=self)
        return self.env["crm.call"].start_call_with(partner=self)

    def action_log_call(self):
        self.ensure_one()
        return self.env["crm.call"]._action_new_call(_("Log a Call"), "done", partner=self)

    def action_schedule_call(self):
        self.ensure_one()
        return self.env["crm.call"]._action_new_call(_("Schedule a Call"), "scheduled", partner=self)
