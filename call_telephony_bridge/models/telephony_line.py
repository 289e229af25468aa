import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools.numbers import is_listed

TOKEN_BYTES = 32
# What any token must have at least: the generated ones have 43.
MIN_TOKEN_LENGTH = 32
TELEPHONY_ADMIN_GROUP = "call_telephony_bridge.group_telephony_admin"
# A bridge asks for dial orders twice a second and says how it is at least this often (see _note_bridge_health);
# one not heard from for BRIDGE_SILENT_AFTER is taken for stopped.
BRIDGE_HEALTH_EVERY = timedelta(seconds=20)
BRIDGE_SILENT_AFTER = timedelta(seconds=60)


def hash_token(token):
    """The stored form of a bearer token: its SHA-256, so that the database never holds the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class TelephonyLine(models.Model):
    """One phone line or PBX connected to the company: its events token and its rules for callers
    (unknown numbers, numbers to ignore, whom to ring)."""

    _name = "telephony.line"
    _description = "Telephony Line"
    _order = "sequence, name, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    number = fields.Char(help="The line's public number, as callers dial it.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    token_hash = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    token_hint = fields.Char(
        string="Token Ends With", readonly=True, copy=False, help="The last characters of the current token."
    )
    unknown_number_action = fields.Selection(
        [("offer", "Offer to Create in the Popup"), ("create_lead", "Create a Lead Automatically")],
        string="Unknown Numbers",
        required=True,
        default="offer",
    )
    auto_lead_directions = fields.Selection(
        [("inbound", "Incoming Calls"), ("outbound", "Outgoing Calls"), ("both", "Incoming and Outgoing Calls")],
        string="Create Leads For",
        required=True,
        default="inbound",
    )
    lead_source_id = fields.Many2one("utm.source", string="Lead Source")
    exception_numbers = fields.Text(
        string="Exception List",
        help="One number per line: calls with them are never recorded in the CRM.",
    )
    default_extensions = fields.Char(
        string="Default Extensions",
        help="Comma-separated extensions (e.g. the reception) that ring last, when nobody before answered, "
             "just before voicemail: after the caller's salesperson and the fallback, or after the queue for "
             "unknown callers.",
    )
    reassign_to_answering_user = fields.Boolean(
        string="Answering Employee Becomes Responsible",
        help="When a forwarded call is taken by someone else, that employee becomes the lead's salesperson.",
    )
    ring_seconds = fields.Integer(
        string="Seconds per Ring",
        required=True,
        default=5,
        help="How long one ring lasts: the route plan gives the PBX rings times this, in seconds.",
    )
    owner_rings = fields.Integer(
        string="Rings for the Owner",
        required=True,
        default=4,
        help="How many rings the caller's responsible salesperson gets before the fallback takes the call; "
             "the manager and the default extensions get as many.",
    )
    owner_fallback = fields.Selection(
        [
            ("queue", "A Queue"),
            ("manager", "The Owner's Manager"),
            ("queue_manager", "A Queue, Then the Owner's Manager"),
            ("manager_queue", "The Owner's Manager, Then a Queue"),
            ("voicemail", "Voicemail"),
        ],
        string="When the Owner Does Not Answer",
        required=True,
        default="voicemail",
        help="Who rings next when the caller's salesperson does not answer. The manager is the employee's "
             "manager when Employees is installed, else the leader of the salesperson's sales team. "
             "Every call ends in voicemail when nobody answers.",
    )
    fallback_queue_id = fields.Many2one(
        "telephony.queue", string="Fallback Queue", check_company=True, ondelete="set null",
        help="The queue that rings when the caller's salesperson does not answer.",
    )
    default_queue_id = fields.Many2one(
        "telephony.queue", string="Queue for Unknown Callers", check_company=True, ondelete="set null",
        help="Callers the CRM does not know, or whom nobody is responsible for, ring this queue.",
    )
    skip_absent_users = fields.Boolean(
        string="Skip Users Away or Offline",
        help="Users who are not online in Odoo right now are not rung.",
    )
    skip_busy_users = fields.Boolean(
        string="Skip Users on a Call",
        default=True,
        help="Users who are already on a call (in progress, on hold, or one they dialled still ringing) are not rung.",
    )
    routing_warning = fields.Text(compute="_compute_routing_warning", string="Routing Problems")
    # What the line's bridge last said of itself (see _note_bridge_health).
    browser_phone_url = fields.Char(
        string="Browser Phone WebSocket",
        help="Asterisk's SIP over WebSocket address for the phones in Odoo, as the users' browsers reach it: "
             "wss://pbx.example.com:8089/ws (ws:// only on this computer). Empty: no browser phone.",
    )
    browser_phone_domain = fields.Char(
        string="Browser Phone SIP Domain", help="The domain of the browser phones' SIP addresses; empty: the "
                                                "WebSocket's host.")
    bridge_seen_at = fields.Datetime(string="Bridge Last Heard", readonly=True, copy=False)
    bridge_ari_connected = fields.Boolean(string="Bridge Connected to the PBX", readonly=True, copy=False)
    bridge_asterisk_version = fields.Char(string="Asterisk Version", readonly=True, copy=False)
    call_count = fields.Integer(compute="_compute_call_count")

    _sql_constraints = [
        ("token_hash_unique", "unique(token_hash)", "Two lines cannot share a token."),
        ("ring_seconds_positive", "CHECK (ring_seconds > 0)", "A ring lasts at least one second."),
        ("owner_rings_positive", "CHECK (owner_rings > 0)", "The owner must ring at least once."),
    ]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_call_count(self):
        counts = dict(
            self.env["crm.call"]._read_group(
                [("telephony_line_id", "in", self.ids)], ["telephony_line_id"], ["__count"]
            )
        )
        for line in self:
            line.call_count = counts.get(line, 0)

    @api.depends("owner_fallback", "fallback_queue_id", "default_queue_id", "default_extensions")
    def _compute_routing_warning(self):
        for line in self:
            line.routing_warning = "\n".join(line._routing_problems()) or False

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("default_extensions")
    def _check_default_extensions(self):
        for line in self:
            for extension in line._default_extension_list():
                if not extension.replace("*", "").replace("#", "").isalnum():
                    raise ValidationError(_("“%s” is not a valid extension.", extension))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_regenerate_token(self):
        """Give the line a new token (the old one stops working) and show it once: only its hash is kept.

        Tokens are only ever generated here, by a telephony administrator: nobody types one."""
        self.ensure_one()
        if not self.env.user.has_group(TELEPHONY_ADMIN_GROUP):
            raise AccessError(_("Only telephony administrators can give a line a new token."))
        self.check_access("write")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._set_token(token)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("New token for %s", self.name),
                "message": _("Copy it into the bridge's TELEPHONY_TOKEN now; it will not be shown again: %s", token),
                "sticky": True,
                "type": "warning",
            },
        }

    def action_view_calls(self):
        """The calls that came through this line."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Calls"),
            "res_model": "crm.call",
            "view_mode": "list,form",
            "domain": [("telephony_line_id", "=", self.id)],
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _find_by_token(self, token):
        """The active line whose token is ``token``, or an empty recordset. Compared in constant time."""
        if not token:
            return self.browse()
        digest = hash_token(token)
        # sudo: the events API is authenticated by this very lookup, before any user is known
        line = self.sudo().search([("token_hash", "=", digest)], limit=1)
        if line and hmac.compare_digest(line.token_hash, digest):
            return line
        return self.browse()

    def _note_bridge_health(self, ari_connected, asterisk_version):
        """Keep what the line's bridge says of itself with each claim of dial orders: whether it follows the
        PBX, and the PBX's version. Written when it changed and every BRIDGE_HEALTH_EVERY, not twice a second."""
        self.ensure_one()
        now = fields.Datetime.now()
        values = {
            "bridge_ari_connected": bool(ari_connected),
            "bridge_asterisk_version": asterisk_version[:40] if isinstance(asterisk_version, str) else False,
        }
        changed = any(self[name] != value for name, value in values.items())
        if changed or not self.bridge_seen_at or self.bridge_seen_at <= now - BRIDGE_HEALTH_EVERY:
            self.write({**values, "bridge_seen_at": now})

    def _bridge_connected(self):
        """True when the bridge of one of these lines is running and follows its PBX: it can place calls."""
        since = fields.Datetime.now() - BRIDGE_SILENT_AFTER
        return any(line.bridge_ari_connected and line.bridge_seen_at and line.bridge_seen_at > since for line in self)

    def _bridge_status(self):
        """How this line's bridge is, in one sentence for its administrator; and whether it can place calls."""
        self.ensure_one()
        if self._bridge_connected():
            return _("%(line)s: the bridge is running and connected to Asterisk %(version)s.",
                     line=self.name, version=self.bridge_asterisk_version or _("of unknown version")), True
        if not self.bridge_seen_at:
            return _("%s: no bridge has been heard from; start it with the line's token.", self.name), False
        seconds = int((fields.Datetime.now() - self.bridge_seen_at).total_seconds())
        if seconds >= BRIDGE_SILENT_AFTER.total_seconds():
            return _("%(line)s: the bridge has not been heard from for %(seconds)s seconds; is it running?",
                     line=self.name, seconds=seconds), False
        return _("%(line)s: the bridge is running but cannot reach the PBX (Asterisk's ARI); see its log.",
                 line=self.name), False

    def _browser_phone_domain(self):
        self.ensure_one()
        return self.browser_phone_domain or urlsplit(self.browser_phone_url or "").hostname or "localhost"

    @api.constrains("browser_phone_url")
    def _check_browser_phone_url(self):
        for line in self:
            url = urlsplit(line.browser_phone_url or "")
            if line.browser_phone_url and (url.scheme not in ("ws", "wss") or not url.hostname):
                raise ValidationError(_("The browser phone's address is a WebSocket URL, such as "
                                        "wss://pbx.example.com:8089/ws."))

    def _is_exception_number(self, number):
        """True when calls with ``number`` must leave no trace in the CRM."""
        self.ensure_one()
        return is_listed(number, self.exception_numbers, self.company_id.country_id.code)

    def _creates_lead_for(self, direction):
        """True when an unknown number calling in ``direction`` gets a lead automatically."""
        self.ensure_one()
        return self.unknown_number_action == "create_lead" and self.auto_lead_directions in (direction, "both")

    def _routing_problems(self):
        """What makes this line route calls differently than its admin may expect, in their words."""
        self.ensure_one()
        problems = []
        if "queue" in self.owner_fallback and not self.fallback_queue_id:
            problems.append(_("No fallback queue is chosen: when the owner does not answer, the queue step is "
                              "skipped."))
        if not self.default_queue_id and not self._default_extension_list():
            problems.append(_("Neither a queue for unknown callers nor default extensions: unknown callers go "
                              "straight to voicemail."))
        chained = self.env["telephony.queue"]
        for queue in self.fallback_queue_id | self.default_queue_id:
            chained = chained.union(*queue._fallback_chain()[0])
        for queue in chained:
            problems += queue._routing_problems()
        return list(dict.fromkeys(problems))

    def _default_extension_list(self):
        self.ensure_one()
        return [ext.strip() for ext in (self.default_extensions or "").split(",") if ext.strip()]

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _set_token(self, token):
        if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"a line token has at least {MIN_TOKEN_LENGTH} characters")
        # sudo: the hash field is for system administrators only; the caller's right to change this line's
        # token was checked (action_regenerate_token) or it is the set-up's own script
        self.sudo().write({"token_hash": hash_token(token), "token_hint": "…" + token[-4:]})
