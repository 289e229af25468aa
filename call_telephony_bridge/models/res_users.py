import re
import secrets
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.addons.call_logging.models.crm_call_base import CONNECTED_STATES
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .telephony_line import TELEPHONY_ADMIN_GROUP

# The fields that decide which user an extension rings (see _telephony_users_by_extension).
EXTENSION_OWNER_FIELDS = frozenset({"telephony_extension", "company_ids", "groups_id", "share", "active", "name"})
SIP_PASSWORD_BYTES = 18  # 24 characters
# Printable ASCII but what pjsip.conf cannot hold unquoted: ";" starts a comment, "[" a section.
SIP_PASSWORD = re.compile(r"^[!#-:<-Z^-~]{12,128}$")
# A call still "in progress" after this long lost its hangup: it no longer makes its owner busy.
ON_CALL_HORIZON = timedelta(hours=8)


class ResUsers(models.Model):
    """Each user's PBX extension and screen-pop preference, and who answers at which extension."""

    # The mixin: who answers at an extension is cached (_telephony_users_by_extension).
    _name = "res.users"
    _inherit = ["res.users", "call.lookup.cache.mixin"]
    _lookup_cache_fields = EXTENSION_OWNER_FIELDS

    telephony_extension = fields.Char(
        string="Phone Extension",
        help="The user's extension on the company's PBX: inbound calls ring it, click-to-dial calls it first.",
    )
    telephony_open_record_on_answer = fields.Boolean(
        string="Open the Caller's Card on Answer",
        default=True,
        help="When you answer an incoming call, its contact or lead opens by itself; "
             "a call you place stays on its own form.",
    )

    telephony_ring_on = fields.Selection(
        [("desk", "Desk phone"), ("browser", "Browser"), ("both", "Desk phone and browser")],
        string="Calls Ring On", default="desk", required=True,
        help="Where your calls ring: your desk phone, the phone in Odoo (your browser, with a headset), or both. "
             "The phone in Odoo needs its password from your telephony administrator.",
    )
    # Readable by telephony administrators only (the field's groups): a user gets their own password
    # through /call_telephony_bridge/softphone/settings and nobody else's in any way.
    telephony_sip_password = fields.Char(
        string="Browser Phone Password", copy=False, groups="call_telephony_bridge.group_telephony_admin",
        help="The SIP password of this user's browser phone, as set on its endpoint in Asterisk "
             "(<extension>-browser).",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "telephony_extension", "telephony_open_record_on_answer", "telephony_ring_on"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["telephony_open_record_on_answer", "telephony_ring_on"]

    @api.constrains("telephony_sip_password")
    def _check_telephony_sip_password(self):
        for user in self:
            password = user.telephony_sip_password
            if password and not SIP_PASSWORD.match(password):
                raise ValidationError(_(
                    "A browser phone password has 12 to 128 letters, digits and signs, without spaces nor any of "
                    '; [ ] " \\ (Asterisk\'s configuration could not hold them): %s has another.', user.name))

    def action_telephony_generate_sip_password(self):
        """Give each of these users with an extension a new random browser phone password; the bridge passes it
        to Asterisk (BRIDGE_BROWSER_PHONES_FILE), and the user's browser gets it when Odoo is loaded again."""
        if not self.env.user.has_group(TELEPHONY_ADMIN_GROUP):
            raise AccessError(_("Only telephony administrators set browser phone passwords."))
        for user in self.filtered("telephony_extension"):
            user.telephony_sip_password = secrets.token_urlsafe(SIP_PASSWORD_BYTES)

    @api.model
    def _telephony_browser_phones(self, company):
        """The SIP accounts of ``company``'s browser phones, for its PBX: the users with an extension whose calls
        ring in the browser and who have a password."""
        # sudo: the PBX's own list of accounts, asked by a line's bridge (its token was checked)
        users = self.sudo().search([
            ("company_ids", "in", company.id), ("share", "=", False), ("telephony_extension", "!=", False),
            ("telephony_ring_on", "in", ("browser", "both")), ("telephony_sip_password", "!=", False),
        ])
        phones = {}
        for user in users:
            # Two users with one extension: the one who answers it has the phone (see _telephony_users_by_extension).
            phones.setdefault(user.telephony_extension, {
                "extension": user.telephony_extension,
                "username": f"{user.telephony_extension}-browser",
                "password": user.telephony_sip_password,
                "display_name": user.name,
            })
        return sorted(phones.values(), key=lambda phone: phone["extension"])

    def _telephony_browser_phone_settings(self):
        """What the current user's browser phone needs to register, or why it cannot: ``{"enabled": False,
        "reason": ...}``. Only ever for the user themselves: it carries their SIP password."""
        self.ensure_one()
        if self != self.env.user:
            raise AccessError(_("A browser phone's settings are given to its own user only."))
        # Whoever has an extension dials from Odoo (the PBX rings their desk phone or this browser first).
        disabled = {"enabled": False, "extension": self.telephony_extension or False}
        if not self.telephony_extension:
            return {**disabled, "reason": _("You have no phone extension: ask your telephony administrator.")}
        if self.telephony_ring_on == "desk":
            return {**disabled, "reason": _("Your calls ring on your desk phone (see your preferences).")}
        line = self.env["telephony.line"].sudo().search(  # sudo: the URL of the company's PBX, not a secret
            [("company_id", "=", self.env.company.id), ("browser_phone_url", "!=", False)], limit=1)
        if not line:
            return {**disabled, "reason": _("No phone line of your company accepts browser phones.")}
        # sudo: the user's own password, which no ordinary read returns (see the field)
        password = self.sudo().telephony_sip_password
        if not password:
            return {**disabled, "reason": _("Your browser phone has no password yet: ask your telephony "
                                            "administrator.")}
        username = f"{self.telephony_extension}-browser"
        return {
            "enabled": True,
            "ring_on": self.telephony_ring_on,
            "websocket_url": line.browser_phone_url,
            "uri": f"sip:{username}@{line._browser_phone_domain()}",
            "username": username,
            "password": password,
            "display_name": self.name,
            "extension": self.telephony_extension,
        }

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    def _telephony_unavailable(self, user_ids, absent=True, busy=True):
        """``{user id: "absent" or "busy"}`` for those of ``user_ids`` a call must not ring now.

        Absent: away or offline in Odoo (not online on the bus). Busy: on a call, or placing one (an outbound
        call still ringing rings their own phone first). The router and the appointment dialler both ask here.
        Read in SQL: the route is asked on every inbound call, before anything rings."""
        unavailable = {}
        if not user_ids:
            return unavailable
        cr = self.env.cr
        if busy:
            self.env["crm.call"].flush_model(["user_id", "state", "direction", "start"])
            cr.execute(SQL(
                """SELECT DISTINCT user_id FROM crm_call
                    WHERE user_id = ANY(%s) AND start >= %s
                      AND (state = ANY(%s) OR (state = 'ringing' AND direction = 'outbound'))""",
                list(user_ids), fields.Datetime.now() - ON_CALL_HORIZON, list(CONNECTED_STATES),
            ))
            unavailable.update(dict.fromkeys((row[0] for row in cr.fetchall()), "busy"))
        if absent:
            cr.execute(SQL("SELECT user_id FROM bus_presence WHERE user_id = ANY(%s) AND status = 'online'",
                           list(user_ids)))
            online = {row[0] for row in cr.fetchall()}
            for user_id in set(user_ids) - online:
                unavailable.setdefault(user_id, "absent")
        return unavailable

    @api.model
    def _telephony_user_for_extension(self, extension, company_id):
        """The internal user of ``company_id`` whose phone ``extension`` is (an empty recordset when none)."""
        return self.browse(self._telephony_users_by_extension(company_id).get(extension) if extension else [])

    @api.model
    @tools.ormcache("company_id")
    def _telephony_users_by_extension(self, company_id):
        """{extension: user id} of a company: every call event asks it, so it is kept in memory until users change.
        Two users with one extension: the first in the users' order answers, as a search would give."""
        # sudo: who answers at an extension is the phone system's business, not the current user's rights
        users = self.sudo().search_read(
            [("telephony_extension", "!=", False), ("company_ids", "in", company_id), ("share", "=", False)],
            ["telephony_extension"],
        )
        owners = {}
        for user in users:
            owners.setdefault(user["telephony_extension"], user["id"])
        return owners
