import random
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.trust import MANUAL_CREATE, waiving

DEMO_SEED = 20261125
# The language each demo salesperson speaks, where it is installed.
DEMO_LANGUAGES = {
    "call_logging.demo_user_anna": "pl_PL",
    "call_logging.demo_user_piotr": "pl_PL",
    "call_logging.demo_user_kenji": "ja_JP",
    "call_logging.demo_user_yuki": "ja_JP",
}
# What a demo call is made of (see _create_demo_history).
DEMO_FIELDS = frozenset({
    "state", "direction", "start", "user_id", "partner_id", "lead_id", "phone", "purpose_id", "company_id",
    "duration", "result_id", "goal_status", "reminder_minutes", "agenda",
})
# What the salespeople type as an agenda, in their language.
DEMO_AGENDAS = {
    "en_US": ("Go through the offer", "Confirm the delivery date"),
    "pl_PL": ("Omówić ofertę", "Potwierdzić termin dostawy"),
    "ja_JP": ("見積もりの説明", "納期の確認"),
}


class CrmCallDemoMixin(models.AbstractModel):
    """Demo history: a few hundred plausible calls on the demo contacts and leads."""

    _name = "crm.call.demo.mixin"
    _description = "Phone Call: Demo History"

    @api.model
    def _demo_speak_languages(self):
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        for xmlid, lang in DEMO_LANGUAGES.items():
            user = self.env.ref(xmlid, raise_if_not_found=False)
            if user and lang in installed:
                user.lang = lang

    @api.model
    def _generate_demo_calls(self, count):
        """Create ``count`` calls spread over the past eight weeks and the next two, drawn with a fixed seed."""
        rng = random.Random(DEMO_SEED)
        # Marc Demo ("demo") is Odoo's demo Pre-Sales team: his calls fill the Leads Contacted report.
        salespeople = self.env["res.users"].search([("login", "in", ("anna", "piotr", "kenji", "yuki", "demo"))])
        users = self.env.ref("base.user_admin") | salespeople
        contacts = self.env["res.partner"].search([("parent_id", "!=", False), ("phone", "!=", False),
                                                   ("user_id", "in", users.ids)])
        leads = self.env["crm.lead"].search([("user_id", "in", users.ids)])
        purposes = self.env["crm.call.purpose"].search([])
        results = self.env["crm.call.result"].search([])
        if not contacts:
            return self.browse()
        now = fields.Datetime.now().replace(microsecond=0)
        vals_list = []
        for _index in range(count):
            user = rng.choice(users)
            contact = rng.choice(contacts)
            lead = leads.filtered(lambda lead, contact=contact: lead.partner_id == contact)[:1]
            kind = rng.choices(["done", "missed", "cancelled", "scheduled", "overdue"], [62, 10, 5, 17, 6])[0]
            if kind == "scheduled":
                start = now + timedelta(minutes=rng.randint(30, 14 * 24 * 60))
            elif kind == "overdue":
                start = now - timedelta(minutes=rng.randint(30, 3 * 24 * 60))
            else:
                start = now - timedelta(minutes=rng.randint(10, 56 * 24 * 60))
            direction = "inbound" if kind == "missed" else rng.choice(["inbound", "outbound", "outbound"])
            vals = {
                "state": "scheduled" if kind == "overdue" else kind,
                "direction": "outbound" if kind in ("scheduled", "overdue", "cancelled") else direction,
                "start": start,
                "user_id": user.id,
                "partner_id": contact.id,
                "lead_id": lead.id,
                "phone": rng.choice([contact.phone, contact.mobile or contact.phone]),
                "purpose_id": rng.choice(purposes).id if purposes else False,
                "company_id": self.env.company.id,
            }
            if kind == "done":
                vals["duration"] = min(int(rng.lognormvariate(5.2, 0.8)), 3 * 3600)
                vals["result_id"] = rng.choice(results).id if results else False
                vals["goal_status"] = rng.choice(["none", "success", "failure"])
            if kind in ("scheduled", "overdue"):
                vals["reminder_minutes"] = rng.choice([0, 5, 15])
                vals["agenda"] = rng.choice([False, *DEMO_AGENDAS.get(user.lang, DEMO_AGENDAS["en_US"])])
            vals_list.append(vals)
        return self.with_context(mail_notrack=True)._create_demo_history(vals_list)

    @api.model
    def _create_demo_history(self, vals_list):
        """Create demo calls as the history they stand for, from superuser code (the demo data's loading).

        Skips the rules of what may be entered by hand - missed calls come from the PBX, nothing is scheduled
        in the past nor created cancelled - because the demo tells what already happened, overdue calls
        included. Refuses any other caller and any field the demo does not fill."""
        if not self.env.su:
            raise AccessError(_("Only the demo data's loading creates demo history."))
        for vals in vals_list:
            unknown = self._fields_outside(vals, DEMO_FIELDS)
            if unknown:
                raise AccessError(_("The demo history does not fill these fields of a call: %s.", unknown))
        with waiving((MANUAL_CREATE,), self, DEMO_FIELDS, create=True):
            return self.create(vals_list)
