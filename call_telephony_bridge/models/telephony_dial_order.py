from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.call_logging.models.crm_call_base import LIVE_STATES
from odoo.exceptions import AccessError
from odoo.tools import SQL

# A bridge asks for orders about twice a second: one nobody took this long is not going to be placed.
CLAIM_TIMEOUT = timedelta(seconds=15)
# A bridge that took an order reports on its call within the user's ring time (30 s by default): one silent
# this long lost the order (it died before ringing, or its answer to the claim never reached it).
CLAIMED_SILENCE = timedelta(minutes=2)
# The call's form follows its call; the screen-pop has no card for it (see call_live_status.js).
NOTIFY_GIVEN_BACK = "call_telephony_bridge/given_back"
# The most orders one claim hands out, so that a bridge back after an outage does not dial a burst at once.
CLAIM_LIMIT = 20


class TelephonyDialOrder(models.Model):
    """A click-to-dial call waiting for the PBX bridge to place it.

    Odoo never talks to the PBX itself: dialling logs the user's ringing call and leaves an order with it
    (the user's extension, the number to dial, the caller ID the customer sees). The bridge of one of the
    company's lines claims it over ``/telephony/v1/dial_orders/claim`` - each order goes to exactly one
    bridge - rings the user's phone, then the customer, and reports the call's events under the call's id
    as for any other call. An order nobody claims in time, or one the bridge could not place, gives the call
    back: a scheduled call is scheduled again, a new one is closed as not connected, and the user is told.
    So is the call of an order a bridge took but never reported on (CLAIMED_SILENCE).
    """

    _name = "telephony.dial.order"
    _description = "Dial Order for the PBX Bridge"
    _order = "id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    call_id = fields.Many2one("crm.call", string="Call", required=True, readonly=True, index=True,
                              ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    call_ref = fields.Char(string="PBX Call ID", required=True, readonly=True)
    extension = fields.Char(required=True, readonly=True, help="The user's own phone, rung first.")
    number = fields.Char(string="Number to Dial", required=True, readonly=True)
    caller_id = fields.Char(string="Caller ID", readonly=True, help="The number the customer sees.")
    expires_at = fields.Datetime(required=True, readonly=True)
    claimed_at = fields.Datetime(readonly=True)
    line_id = fields.Many2one("telephony.line", string="Claimed By", readonly=True, ondelete="set null")
    claim_ref = fields.Char(
        string="Claim", readonly=True, index="btree_not_null",
        help="The bridge's id of the claim that took it: the same claim asked again (its answer was lost) gets it "
             "again.")
    scheduled_start = fields.Datetime(
        readonly=True, help="The planned start of the scheduled call that rings: it is scheduled again if the "
                            "order fails.")
    scheduled_user_id = fields.Many2one("res.users", readonly=True)

    _sql_constraints = [
        ("call_ref_unique", "unique(company_id, call_ref)", "A PBX call is placed by one order."),
    ]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _place(self, call, extension, number, caller_id, scheduled=None):
        """Leave the order of ``call`` (ringing already) for the bridges; ``scheduled``: what the call was
        before it rang (its start and owner), when it was a scheduled call."""
        now = fields.Datetime.now()
        # sudo: dial orders are the phone system's own bookkeeping; the user's right on the call was checked
        order = self.sudo().create({
            "call_id": call.id,
            "company_id": call.company_id.id,
            "call_ref": call.external_ref,
            "extension": extension,
            "number": number,
            "caller_id": caller_id or False,
            "expires_at": now + CLAIM_TIMEOUT,
            "scheduled_start": scheduled and scheduled["start"],
            "scheduled_user_id": scheduled and scheduled["user_id"],
        })
        self.env["crm.call.alarm.manager"]._wake_at([order.expires_at])
        return order

    @api.model
    def _claim(self, line, claim_ref, limit=CLAIM_LIMIT):
        """Hand the orders of ``line``'s company nobody has taken yet to that line's bridge, each to one bridge
        only: two bridges asking at once get different orders. What the bridge needs to place each.

        ``claim_ref`` names the claim: a bridge whose answer never came (a time-out) asks again with the same
        one, and gets the orders that claim took as well - the bridge places an order once however often it
        gets it."""
        self._check_phone_system(line)
        self.flush_model()
        now = fields.Datetime.now()
        # One statement: its second half reads the table as it was before the first half's update, so it
        # finds only what this claim took on an earlier asking.
        self.env.cr.execute(SQL(
            """WITH taken AS (
                   UPDATE telephony_dial_order SET claimed_at = %(now)s, line_id = %(line)s, claim_ref = %(claim)s,
                          write_date = %(now)s
                    WHERE id IN (SELECT id FROM telephony_dial_order
                                  WHERE company_id = %(company)s AND claimed_at IS NULL AND expires_at > %(now)s
                                  ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
                RETURNING id, call_ref, extension, number, caller_id)
               SELECT * FROM taken
                UNION ALL
               SELECT id, call_ref, extension, number, caller_id FROM telephony_dial_order
                WHERE claim_ref = %(claim)s AND line_id = %(line)s""",
            now=now, line=line.id, claim=claim_ref, company=line.company_id.id, limit=limit,
        ))
        rows = self.env.cr.dictfetchall()
        self.invalidate_model(["claimed_at", "line_id", "claim_ref"])
        if rows:
            self.env["crm.call.alarm.manager"]._wake_at([now + CLAIMED_SILENCE])
        return [{"call_id": row["call_ref"], "extension": row["extension"], "number": row["number"],
                 "caller_id": row["caller_id"] or None} for row in sorted(rows, key=lambda row: row["id"])]

    @api.model
    def _report_failure(self, line, call_ref, error):
        """The bridge of ``line`` could not place the call it claimed: give the call back. False when ``line``
        claimed no such order."""
        self._check_phone_system(line)
        order = self.search([("company_id", "=", line.company_id.id), ("call_ref", "=", call_ref),
                             ("line_id", "=", line.id)], limit=1)
        if not order:
            return False
        order._give_back(_("The PBX could not place the call: %s", error))
        return True

    @api.model
    def _expire(self, now):
        """Give back the calls whose order nobody claimed in time, or whose bridge never reported on them;
        forget the orders whose calls went on."""
        unclaimed = self.search([("claimed_at", "=", False), ("expires_at", "<=", now)])
        for order in unclaimed:
            order._give_back(_("The PBX did not take the call within %s seconds: its bridge is not running or "
                               "cannot reach Odoo.", int(CLAIM_TIMEOUT.total_seconds())))
        for order in self.search([("claimed_at", "<=", now - CLAIMED_SILENCE)]):
            order._give_back(_("The PBX bridge took the call but never reported on it: it may have stopped."))

    def _give_back(self, message):
        """The call of this order did not go through the PBX: a scheduled call is scheduled again, a new one is
        closed as not connected; the user is told why. The order is done."""
        self.ensure_one()
        # sudo: the phone system gives back the call of its own order (for the cron or a line's bridge)
        call = self.call_id.sudo()
        # Only a call the PBX never reported on is given back: events from it mean the call did go out.
        if call.state in LIVE_STATES and not call.telephony_event_count and call.external_ref == self.call_ref:
            call = call.with_context(lang=call.user_id.lang or self.env.lang)
            former_owner = call.user_id
            if self.scheduled_start:
                # Only the phone system takes a call out of ringing; this one never rang: scheduled again.
                call._telephony_write({
                    "state": "scheduled", "start": self.scheduled_start, "user_id": self.scheduled_user_id.id,
                    "telephony_dialled_at": False, "external_ref": False, "telephony_line_id": False,
                })
            else:
                # Only the phone system closes a PBX call; the PBX placed nothing of this one.
                call._telephony_write({
                    "state": "done", "duration": 0, "telephony_end_reason": "pbx_failed",
                    "telephony_ended_at": fields.Datetime.now(),
                    "result_id": self.env.ref("call_telephony_bridge.result_not_connected").id,
                    "result_note": message,
                })
            former_owner._bus_send("simple_notification", {
                "type": "danger", "title": _("The call was not placed"), "message": message, "sticky": True,
            })
            # The call's open form reads it again (the screen-pop has no card for a call that never rang).
            former_owner._bus_send(NOTIFY_GIVEN_BACK, {"id": call.id})
            call._notify_day_plans()
        # sudo: the order is the phone system's bookkeeping, done with once the call is given back
        self.sudo().unlink()

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _check_phone_system(self, line):
        """Orders are handed out and given back to the superuser code behind a line's token, for that line."""
        if not self.env.su:
            raise AccessError(_("Only the phone system takes dial orders."))
        if not (isinstance(line, models.BaseModel) and line._name == "telephony.line" and len(line) == 1):
            raise AccessError(_("Dial orders are taken for the one phone line that asks."))
