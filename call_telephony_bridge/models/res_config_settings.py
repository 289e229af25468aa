from odoo import _, api, fields, models


class ResConfigSettings(models.TransientModel):
    """Settings > Telephony: the lines and their bridges, the users' extensions.

    The PBX itself is configured in one place, the bridge that runs beside it: Odoo never talks to it."""

    _inherit = "res.config.settings"

    telephony_line_count = fields.Integer(compute="_compute_telephony_line_count")

    @api.depends("company_id")
    def _compute_telephony_line_count(self):
        for settings in self:
            settings.telephony_line_count = self.env["telephony.line"].search_count(
                [("company_id", "=", settings.company_id.id)]
            )

    def action_telephony_test_connection(self):
        """Save the settings as typed and say plainly how each line's bridge is: running, connected to which
        Asterisk, or not heard from. The bridges report it themselves, twice a second, to the lines' endpoint.

        The settings are kept whatever the answer (the button saves them, so no save dialog comes first)."""
        self.ensure_one()
        self.execute()
        lines = self.env["telephony.line"].search([("company_id", "=", self.company_id.id)])
        if not lines:
            return self._telephony_notification(
                _("No phone line"), _("No phone line is set up: add one in Manage Lines and start its bridge with "
                                      "the line's token."), "danger", sticky=True)
        statuses = [line._bridge_status() for line in lines]
        message = " ".join(sentence for sentence, _ok in statuses)
        if any(ok for _sentence, ok in statuses):
            return self._telephony_notification(_("PBX reached"), message, "success")
        return self._telephony_notification(_("PBX not reached"), message, "danger", sticky=True)

    def _telephony_notification(self, title, message, kind, sticky=False):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": sticky,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_telephony_open_lines(self):
        """The phone lines of the company."""
        return self.env["ir.actions.act_window"]._for_xml_id("call_telephony_bridge.telephony_line_action")

    def action_telephony_open_extensions(self):
        """The users and their extensions, editable in a list."""
        return self.env["ir.actions.act_window"]._for_xml_id("call_telephony_bridge.res_users_extension_action")
