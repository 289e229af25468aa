from odoo import http
from odoo.http import request


class Softphone(http.Controller):
    """The browser phone of the web client asks here how to register: for its own user only."""

    @http.route("/call_telephony_bridge/softphone/settings", type="json", auth="user", methods=["POST"])
    def softphone_settings(self):
        return request.env.user._telephony_browser_phone_settings()
