from odoo import _, fields, models
from odoo.exceptions import UserError

from ..tools.ari_client import AriClient

DEFAULT_AGENT_ENDPOINT = "Local/{extension}@agents"


class ResCompany(models.Model):
    """The company's connection to its PBX's REST interface (Asterisk ARI), used for click-to-dial."""

    _inherit = "res.company"

    telephony_ari_url = fields.Char(string="ARI URL", help="Asterisk's HTTP base, e.g. http://127.0.0.1:8088")
    telephony_ari_user = fields.Char(string="ARI User")
    telephony_ari_password = fields.Char(string="ARI Password", groups="base.group_system")
    telephony_ari_app = fields.Char(string="ARI Application", default="odoo")
    telephony_agent_endpoint = fields.Char(
        string="Agent Endpoint",
        default=DEFAULT_AGENT_ENDPOINT,
        help="How the PBX reaches a user's phone; {extension} is replaced by the user's extension.",
    )

    def _telephony_ari_client(self):
        """An ARI client for this company, or a clear error when the connection is not set up."""
        self.ensure_one()
        if not self.telephony_ari_url:
            raise UserError(_("The PBX connection is not set up: fill in the ARI URL in Settings > Telephony."))
        # sudo: the password is admin-only, but any user may dial through the company's PBX
        password = self.sudo().telephony_ari_password
        return AriClient(self.telephony_ari_url, self.telephony_ari_user, password)

    def _telephony_agent_endpoint(self, extension):
        self.ensure_one()
        template = self.telephony_agent_endpoint or DEFAULT_AGENT_ENDPOINT
        return template.replace("{extension}", extension)
