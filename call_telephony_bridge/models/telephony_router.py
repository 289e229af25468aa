import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.call_logging.models.crm_call_base import CONNECTED_STATES
from odoo.addons.call_logging.tools.phone_normalize import digits_of
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The line's fallback after the owner, as the kinds of targets it rings, in order.
OWNER_FALLBACKS = {
    "queue": ("queue",),
    "manager": ("manager",),
    "queue_manager": ("queue", "manager"),
    "manager_queue": ("manager", "queue"),
    "voicemail": (),
}
# Longest idle looks at the calls of this period; a member without any is the one idle the longest.
IDLE_HORIZON = timedelta(days=14)


class TelephonyRouter(models.AbstractModel):
    """Where the PBX should ring an inbound call: the plan ``GET /telephony/v1/route`` answers.

    A known caller's responsible user rings first (the line's rings for the owner); then the
    line's fallback: a queue (and the queues it falls back to), the owner's manager, both in
    either order, or nothing; then the line's default extensions; then voicemail. An unknown
    caller (or one nobody is responsible for) rings the line's queue for unknown callers, then
    the default extensions, then voicemail. Rings are turned into seconds with the line's
    length of a ring. Nobody rings twice; users without an extension, and (per line) users
    away or offline in Odoo or already on a call, are left out; a step left without anyone is
    dropped. Bad configuration never drops a call: what cannot ring is skipped, the rest goes
    on, every call ends in voicemail, and each problem is returned in ``notices`` and logged.
    """

    _name = "telephony.router"
    _description = "Telephony Call Routing"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _route(self, line, from_number, to_number, call_ref=None):
        """The ring plan for a call from ``from_number`` to ``to_number`` arriving on ``line``.

        The caller is identified and the exception list checked here, once per call: given the PBX's
        id of the call (``call_ref``), the decision is kept for the call's events (see
        ``telephony.route.decision``).

        :return: ``{"steps": [{"extensions", "timeout", "rings", "target"}], "fallback", "skip",
            "caller_type", "notices"}``, documented with examples in the addon's README.
        """
        line = line.with_env(self.env)
        problems = []
        skip = line._is_exception_number(from_number)
        who = {"partner_id": False, "lead_id": False, "user_id": False, "caller_type": "unknown"}
        # Calls with exception-list numbers leave no trace: no lookup, they ring as an unknown caller would.
        if not skip and digits_of(from_number):
            who = self.env["crm.call"].identify_number(from_number, company_id=line.company_id.id)
        if not skip and call_ref:
            self.env["telephony.route.decision"]._remember(line, call_ref, from_number.strip(), who)
        owner = self.env["res.users"].browse(who["user_id"])
        caller_type = who["caller_type"]
        targets = self._targets(line, owner, problems)
        steps = self._steps(line, targets, problems)
        for problem in problems:
            _logger.warning("routing on line %s (id %s): %s", line.name, line.id, problem)
        notices = problems
        if skip:
            notices = [_("The number is on the line's exception list: it rings like an unknown caller, "
                         "nothing is recorded, and it is not sent to voicemail."), *problems]
        return {
            "steps": steps,
            # A voicemail would be a trace in the CRM: an exception-list caller nobody answers hears the end.
            "fallback": "hangup" if skip else "voicemail",
            "skip": skip,
            "caller_type": caller_type,
            "notices": notices,
        }

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _targets(self, line, owner, notices):
        """Who rings, in order, before availability: ``(target, users, rings, together)`` tuples.

        ``together`` rings the users in one step; otherwise each gets a step of their own.
        """
        targets = []
        if owner:
            targets.append(("owner", owner, line.owner_rings, True))
            for kind in OWNER_FALLBACKS[line.owner_fallback]:
                if kind == "queue":
                    if not line.fallback_queue_id:
                        notices.append(_("The line falls back to a queue but none is chosen: it is skipped."))
                    targets += self._queue_targets(line.fallback_queue_id, notices)
                else:
                    targets += self._manager_targets(line, owner, notices)
        else:
            targets += self._queue_targets(line.default_queue_id, notices)
        extensions = line._default_extension_list()
        if extensions:
            targets.append(("default", extensions, line.owner_rings, True))
        return targets

    def _queue_targets(self, queue, notices):
        """The targets of ``queue`` and of the queues it falls back to, each queue once."""
        if not queue:
            return []
        chain, looped = queue._fallback_chain()
        if looped:
            notices.append(_("The queues fall back to each other in a loop (back to “%s”): each rang once.",
                             looped.name))
        targets = []
        # An archived queue no longer rings; the queue it falls back to still does.
        for each in [chained for chained in chain if chained.active]:
            members = each.member_ids.user_id
            if not members:
                notices.append(_("The queue “%s” has no members: it is skipped.", each.name))
                continue
            target = f"queue:{each.id}"
            if each.distribution == "ring_all":
                targets.append((target, members, each.rings_per_member, True))
                continue
            if each.distribution == "round_robin":
                start = each._take_round_robin_turn() % len(members)
                members = members[start:] + members[:start]
            elif each.distribution == "longest_idle":
                members = self._by_longest_idle(members)
            targets += [(target, member, each.rings_per_member, False) for member in members]
        return targets

    def _manager_targets(self, line, owner, notices):
        manager = self._manager_of(owner)
        if not manager:
            notices.append(_("%s has no manager (sales team leader or, with Employees, employee manager) "
                             "other than themselves: the manager step is skipped.", owner.name))
            return []
        return [("manager", manager, line.owner_rings, True)]

    def _manager_of(self, user):
        """``user``'s manager: their employee's manager when Employees (hr) is installed, else (or when that
        gives nobody) the leader of their sales team; never ``user`` themselves."""
        if "employee_id" in user._fields:
            manager = user.employee_id.parent_id.user_id
            if manager and manager != user:
                return manager
        leader = user.sale_team_id.user_id
        return leader if leader != user else user.browse()

    def _steps(self, line, targets, notices):
        """Targets into the plan's steps: extensions, seconds, availability and no one twice."""
        users = self.env["res.users"].union(*(t[1] for t in targets if not isinstance(t[1], list)))
        away = self._unavailable_users(line, users)
        extension_of = self._extensions(users)
        no_extension = users.filtered(lambda user: not extension_of.get(user.id))
        rung = set()
        steps = []
        for target, who, rings, together in targets:
            if isinstance(who, list):
                extensions = who
            else:
                extensions = [extension_of[user.id] for user in who
                              if extension_of.get(user.id) and user.id not in away]
            groups = [extensions] if together else [[extension] for extension in extensions]
            for group in groups:
                fresh = [extension for extension in dict.fromkeys(group) if extension not in rung]
                if not fresh:
                    continue
                rung.update(fresh)
                steps.append({"extensions": fresh, "timeout": rings * line.ring_seconds, "rings": rings,
                              "target": target})
        if no_extension:
            notices.append(_("%s have no phone extension: they cannot ring.", ", ".join(no_extension.mapped("name"))))
        return steps

    def _extensions(self, users):
        """``{user id: extension}`` in one query: the route is asked on every call, before it rings."""
        if not users:
            return {}
        users.flush_model(["telephony_extension"])
        self.env.cr.execute(SQL("SELECT id, telephony_extension FROM res_users WHERE id = ANY(%s)", users.ids))
        return dict(self.env.cr.fetchall())

    def _unavailable_users(self, line, users):
        """Ids of ``users`` the line must not ring now: as the line says, away or offline, or already on a call."""
        if not (line.skip_absent_users or line.skip_busy_users):
            return set()
        return set(self.env["res.users"]._telephony_unavailable(
            users.ids, absent=line.skip_absent_users, busy=line.skip_busy_users))

    def _by_longest_idle(self, members):
        """``members`` ordered by how long ago their last call ended, the longest first (order breaks ties).

        Read from the calls themselves, so no counter can drift or race: a member on a call is idle since now.
        """
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            """SELECT user_id,
                      MAX(CASE WHEN state = ANY(%s) THEN %s ELSE COALESCE(telephony_ended_at, stop, start) END)
                 FROM crm_call
                WHERE user_id = ANY(%s) AND state = ANY(%s) AND start >= %s
                GROUP BY user_id""",
            list(CONNECTED_STATES), now, members.ids, ["done", *CONNECTED_STATES], now - IDLE_HORIZON,
        ))
        last_busy = dict(self.env.cr.fetchall())
        position = {user: index for index, user in enumerate(members)}
        never = fields.Datetime.to_datetime("1970-01-01")
        return members.sorted(lambda user: (last_busy.get(user.id) or never, position[user]))
