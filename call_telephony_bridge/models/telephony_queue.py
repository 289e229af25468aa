import logging

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models, sql_db
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Concurrent calls hold the round robin row for a few milliseconds; longer means our own transaction holds it.
TURN_LOCK_TIMEOUT_MS = 1000

DISTRIBUTIONS = [
    ("in_order", "In Order"),
    ("round_robin", "Round Robin"),
    ("ring_all", "Ring All"),
    ("longest_idle", "Longest Idle"),
]


class TelephonyQueue(models.Model):
    """A named group of users who take the calls the owner did not.

    The distribution method says in which order the members ring: one after the
    other in their order, one after the other starting with the next member in turn
    (round robin), all at once, or one after the other starting with the member idle
    the longest. Each member rings ``rings_per_member`` rings (all of them together
    for "ring all"); then the queue's fallback takes the call: voicemail (after the
    line's last steps) or another queue. ``telephony.router`` turns all that into steps.
    """

    _name = "telephony.queue"
    _description = "Call Queue"
    _order = "sequence, name, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    member_ids = fields.One2many("telephony.queue.member", "queue_id", string="Members", copy=True)
    member_count = fields.Integer(compute="_compute_member_count", string="Members Count")
    distribution = fields.Selection(
        DISTRIBUTIONS,
        string="Distribution",
        required=True,
        default="in_order",
        help="In Order: the members ring one after the other, in their order.\n"
             "Round Robin: one after the other, each call starting with the next member in turn.\n"
             "Ring All: all the members ring at once.\n"
             "Longest Idle: one after the other, starting with the member whose last call ended the longest ago.",
    )
    rings_per_member = fields.Integer(
        string="Rings per Member",
        required=True,
        default=3,
        help="How many rings each member gets before the call moves on (Ring All: how long they all ring). "
             "The line says how long a ring lasts.",
    )
    fallback = fields.Selection(
        [("voicemail", "Voicemail"), ("queue", "Another Queue")],
        string="When Nobody Answers",
        required=True,
        default="voicemail",
        help="Voicemail: the call goes on with the line's last steps (manager, default extensions), "
             "then to voicemail.\nAnother Queue: that queue's members ring next.",
    )
    fallback_queue_id = fields.Many2one(
        "telephony.queue",
        string="Next Queue",
        check_company=True,
        domain="[('id', '!=', id)]",
        ondelete="set null",
    )
    round_robin_turn = fields.Integer(
        readonly=True,
        default=0,
        copy=False,
        help="How many calls this queue has distributed in round robin: the next call starts with the member "
             "after the last one's first.",
    )
    routing_warning = fields.Text(compute="_compute_routing_warning", string="Routing Problems")

    _sql_constraints = [
        ("rings_per_member_positive", "CHECK (rings_per_member > 0)", "A member must ring at least once."),
    ]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("member_ids")
    def _compute_member_count(self):
        for queue in self:
            queue.member_count = len(queue.member_ids)

    @api.depends("member_ids.user_id.telephony_extension", "fallback", "fallback_queue_id.fallback_queue_id")
    def _compute_routing_warning(self):
        for queue in self:
            queue.routing_warning = "\n".join(queue._routing_problems()) or False

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _routing_problems(self):
        """What makes this queue route calls differently than its admin may expect, in their words."""
        self.ensure_one()
        problems = []
        if not self.member_ids:
            problems.append(_("The queue “%s” has no members: its calls go straight on to its fallback.", self.name))
        without = self.member_ids.user_id.filtered(lambda user: not user.telephony_extension)
        if without:
            problems.append(_(
                "%(users)s in the queue “%(queue)s” have no phone extension: they are skipped.",
                users=", ".join(without.mapped("name")), queue=self.name,
            ))
        if self.fallback == "queue" and not self.fallback_queue_id:
            problems.append(_("The queue “%s” has no next queue: it ends in voicemail.", self.name))
        _chain, looped = self._fallback_chain()
        if looped:
            problems.append(_(
                "The queues fall back to each other in a loop (back to “%(queue)s”): a call goes through each "
                "of them once, then to voicemail.",
                queue=looped.name,
            ))
        return problems

    def _fallback_chain(self):
        """The queues a call goes through from this one, in order, each once; and the queue the chain loops
        back to (an empty recordset when it ends)."""
        chain = []
        queue = self
        while queue:
            if queue in chain:
                return chain, queue
            chain.append(queue)
            queue = queue.fallback_queue_id if queue.fallback == "queue" else queue.browse()
        return chain, self.browse()

    def _take_round_robin_turn(self):
        """This call's turn in the queue's round robin: a number no concurrent call gets.

        Incremented in a transaction of its own, committed at once, in READ COMMITTED: concurrent calls wait
        for each other on the row for a moment instead of failing on a serialization conflict, and the
        turn is not held (nor lost) by the route request's own transaction. A queue that this transaction
        created and has not committed yet is not visible there, and one it changed is locked by it: then
        the turn is taken in this transaction.
        """
        self.ensure_one()
        self.flush_recordset(["round_robin_turn"])
        query = SQL("UPDATE telephony_queue SET round_robin_turn = COALESCE(round_robin_turn, 0) + 1 WHERE id = %s "
                    "RETURNING round_robin_turn", self.id)
        row = None
        try:
            with self.pool.cursor() as cr:
                # A test cursor shares the test's transaction: its isolation cannot change.
                if isinstance(cr, sql_db.Cursor):
                    cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
                    cr.execute(SQL("SET LOCAL lock_timeout = %s", f"{TURN_LOCK_TIMEOUT_MS}ms"))
                    # A turn lost in a crash only shifts the rotation: no need to wait for the disk.
                    cr.execute(SQL("SET LOCAL synchronous_commit = off"))
                cr.execute(query)
                row = cr.fetchone()
        except pg_errors.LockNotAvailable:
            _logger.info("queue %s: round robin row locked by this transaction; turn taken in it", self.id)
        if row is None:
            self.env.cr.execute(query)
            row = self.env.cr.fetchone()
        self.invalidate_recordset(["round_robin_turn"])
        return row[0] - 1
