import logging
import traceback

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.addons.base_automation.models.base_automation import WRITE_TRIGGERS

_logger = logging.getLogger(__name__)

# ir.logging rows of failed call rules carry this logger name, like the server's own log lines.
FAILURE_LOGGER = "odoo.addons.call_logging.automation"


class BaseAutomation(models.Model):
    """Automation Rules on calls never stop a call from being saved.

    A rule on ``crm.call`` whose condition or action fails is skipped for that call: the call and
    everything done before the rule stay, the rule's own changes are rolled back, and the failure
    is written to the server log and to the rule's "Failures" list that administrators see.
    Rules watching the Call Event fire on the event itself, never on the save that raised it nor on
    its clearing; no rule runs on a write of a call's bookkeeping alone (crm.call._write_system_fields).
    """

    # The mixin: whether rules watch calls is cached (_call_rules_watch_writes).
    _name = "base.automation"
    _inherit = ["base.automation", "call.lookup.cache.mixin"]
    _lookup_cache_fields = frozenset({"model_id", "model_name", "trigger", "active"})

    call_failure_count = fields.Integer(string="Failures", compute="_compute_call_failure_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_call_failure_count(self):
        paths = [f"base_automation({rule.id})" for rule in self if rule.id]
        # sudo: the log is readable by administrators only, who are the ones shown the count
        counts = dict(self.env["ir.logging"].sudo()._read_group(
            [("name", "=", FAILURE_LOGGER), ("path", "in", paths)], ["path"], ["__count"],
        ))
        for automation in self:
            automation.call_failure_count = automation.id and counts.get(f"base_automation({automation.id})", 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_call_failures(self):
        """List the failures of this rule on calls, newest first."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Failures of %(rule)s", rule=self.name),
            "res_model": "ir.logging",
            "view_mode": "list,form",
            "domain": self._call_failure_domain(),
        }

    # ------------------------------------------------------------------
    # Automation overrides
    # ------------------------------------------------------------------
    def _filter_pre(self, records, feedback=False):
        # sudo: the rule's own domain, read to apply it, whatever the saving user may read of rules
        if records._name != "crm.call" or not records or not self.sudo().filter_pre_domain:
            return super()._filter_pre(records, feedback=feedback)
        return self._run_skipping_failure(
            records, _("its condition before the update could not be evaluated"), records.browse(),
            lambda: super(BaseAutomation, self)._filter_pre(records, feedback=feedback),
        )

    def _filter_post_export_domain(self, records, feedback=False):
        # sudo: as above, the rule's own domain
        if records._name != "crm.call" or not records or not self.sudo().filter_domain:
            return super()._filter_post_export_domain(records, feedback=feedback)
        return self._run_skipping_failure(
            records, _("its condition could not be evaluated"), (records.browse(), None),
            lambda: super(BaseAutomation, self)._filter_post_export_domain(records, feedback=feedback),
        )

    def _process(self, records, domain_post=None):
        if records._name != "crm.call" or not records:
            return super()._process(records, domain_post=domain_post)
        return self._run_skipping_failure(
            records, _("one of its actions failed"), None,
            lambda: super(BaseAutomation, self)._process(records, domain_post=domain_post),
        )

    def _run_skipping_failure(self, calls, reason, skipped, step):
        """Run one step of this rule on ``calls``; if it fails, undo its changes, log why and answer ``skipped``."""
        try:
            with self.env.cr.savepoint():
                return step()
        except psycopg2.OperationalError:
            # Concurrency errors must reach the request so that Odoo retries it.
            raise
        except Exception:
            self._log_call_failure(calls, reason)
            return skipped

    def _check_trigger_fields(self, record):
        if record._name == "crm.call":
            old_values = self._context.get("old_values")
            # sudo: the rule's trigger fields, read to decide whether it runs
            watched = set(self.sudo().trigger_field_ids.mapped("name"))
            if "call_event" in watched and old_values is None:
                # The creation raised its event with a write of its own, which ran the rule.
                return False
            if old_values is not None:
                touched = set(old_values.get(record.id, ()))
                if "call_event" in watched and touched == {"call_event"} and not record.call_event:
                    return False  # the event cleared again: no event
                if "call_event" not in watched and touched and touched <= record._bookkeeping_fields():
                    return False
        return super()._check_trigger_fields(record)

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    def _call_failure_domain(self):
        self.ensure_one()
        return [("name", "=", FAILURE_LOGGER), ("path", "=", f"base_automation({self.id})")]

    def _log_call_failure(self, calls, reason):
        """Write the failure of this rule on ``calls`` to the server log and to the rule's failure list."""
        self.ensure_one()
        rule = self.sudo()  # sudo: the rule's name and code for the log line, whoever's save skipped it
        details = traceback.format_exc()
        _logger.error("Automation rule %s (#%s) was skipped on calls %s: %s; the calls are saved.\n%s",
                      rule.name, rule.id, calls.ids, reason, details)
        # sudo: any user saving a call records the failure; only administrators read the log
        self.env["ir.logging"].sudo().create({
            "name": FAILURE_LOGGER,
            "type": "server",
            "dbname": self.env.cr.dbname,
            "level": "ERROR",
            "path": f"base_automation({rule.id})",
            "func": rule.name,
            "line": ", ".join(str(call_id) for call_id in calls.ids),
            "message": _("The rule “%(rule)s” was skipped on the calls %(calls)s because %(reason)s. "
                         "The calls were saved.\n\n%(details)s",
                         rule=rule.name, calls=", ".join(calls.mapped("display_name")), reason=reason,
                         details=details),
        })

    @api.model
    @tools.ormcache()
    def _call_rules_watch_writes(self):
        """Whether an active rule may react to a change of a call: every PBX event asks, rules rarely change."""
        # sudo: whether rules exist is asked on behalf of the save, whatever the user may read
        rules = self.sudo().with_context(active_test=True)
        return bool(rules.search_count([("model_name", "=", "crm.call"), ("trigger", "in", WRITE_TRIGGERS)],
                                        limit=1))
