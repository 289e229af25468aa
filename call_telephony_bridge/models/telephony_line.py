import hashlib
import hmac
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.numbers import is_listed, parse_number_list

TOKEN_BYTES = 32


def hash_token(token):
    """The stored form of a bearer token: its SHA-256, so that the database never holds the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class TelephonyLine(models.Model):
    """One phone line or PBX connected to the company: its events token and its rules for callers (T8)."""

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
    token = fields.Char(
        compute="_compute_token",
        inverse="_inverse_token",
        help="Bearer token of the events API. Only its hash is stored: it is shown once, when generated.",
    )
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
        help="Comma-separated extensions that ring when the caller's salesperson does not answer.",
    )
    reassign_to_answering_user = fields.Boolean(
        string="Answering Employee Becomes Responsible",
        help="When a forwarded call is taken by someone else, that employee becomes the lead's salesperson.",
    )
    call_count = fields.Integer(compute="_compute_call_count")

    _sql_constraints = [
        ("token_hash_unique", "unique(token_hash)", "Two lines cannot share a token."),
    ]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_token(self):
        # The token itself is never kept: it can only be set (inverse) or regenerated.
        for line in self:
            line.token = False

    def _inverse_token(self):
        for line in self:
            if line.token:
                line._set_token(line.token)

    def _compute_call_count(self):
        counts = dict(
            self.env["crm.call"]._read_group(
                [("telephony_line_id", "in", self.ids)], ["telephony_line_id"], ["__count"]
            )
        )
        for line in self:
            line.call_count = counts.get(line, 0)

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
        """Give the line a new token (the old one stops working) and show it once: only its hash is kept."""
        self.ensure_one()
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

    def _is_exception_number(self, number):
        """True when calls with ``number`` must leave no trace in the CRM (T8)."""
        self.ensure_one()
        listed = parse_number_list(self.exception_numbers)
        return bool(listed) and is_listed(number, listed, self.company_id.country_id.code)

    def _creates_lead_for(self, direction):
        """True when an unknown number calling in ``direction`` gets a lead automatically (T2)."""
        self.ensure_one()
        return self.unknown_number_action == "create_lead" and self.auto_lead_directions in (direction, "both")

    def _default_extension_list(self):
        self.ensure_one()
        return [ext.strip() for ext in (self.default_extensions or "").split(",") if ext.strip()]

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _set_token(self, token):
        # sudo: only the hash is written, by a line manager who may not read it back
        self.sudo().write({"token_hash": hash_token(token), "token_hint": "…" + token[-4:]})
