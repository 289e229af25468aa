from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.addons.call_logging.models.crm_call_base import CONNECTED_STATES
from odoo.tools import SQL

# The fields that decide which user an extension rings (see _telephony_users_by_extension).
EXTENSION_OWNER_FIELDS = frozenset({"telephony_extension", "company_ids", "groups_id", "share", "active", "name"})
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

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["telephony_extension", "telephony_open_record_on_answer"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["telephony_open_record_on_answer"]

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
