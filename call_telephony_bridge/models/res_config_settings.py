from odoo import _, api, fields, models

from ..tools.ari_client import AriError


class ResConfigSettings(models.TransientModel):
    """Settings > Telephony: the PBX connection, the lines and the users' extensions."""

    _inherit = "res.config.settings"

    telephony_ari_url = fields.Char(related="company_id.telephony_ari_url", readonly=False)
    telephony_ari_user = fields.Char(related="company_id.telephony_ari_user", readonly=False)
    telephony_ari_password = fields.Char(related="company_id.telephony_ari_password", readonly=False)
    telephony_ari_app = fields.Char(related="company_id.telephony_ari_app", readonly=False)
    telephony_agent_endpoint = fields.Char(related="company_id.telephony_agent_endpoint", readonly=False)
    telephony_line_count = fields.Integer(compute="_compute_telephony_line_count")

    @api.depends("company_id")
    def _compute_telephony_line_count(self):
        for settings in self:
            settings.telephony_line_count = self.env["telephony.line"].search_count(
                [("company_id", "=", settings.company_id.id)]
            )

    def action_telephony_test_connection(self):
        """Save the settings as typed, ask the PBX for its version and say plainly how it went.

        The settings are kept whatever the answer (the button saves them, so no save dialog comes first)."""
        self.ensure_one()
        self.execute()
        try:
            info = self.company_id._telephony_ari_client().asterisk_info()
        except AriError as exc:
            return self._telephony_notification(
                _("PBX not reached"), _("The PBX could not be reached: %s", exc), "danger", sticky=True
            )
        system = info.get("system") or {}
        version = system.get("version") or _("unknown version")
        return self._telephony_notification(_("PBX reached"), _("The PBX answered: Asterisk %s.", version), "success")

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
