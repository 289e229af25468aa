from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class CallCase(TransactionCase):
    """Salespeople of one team, a manager, a contact and a lead to call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Call = cls.env["crm.call"]
        cls.now = fields.Datetime.now().replace(microsecond=0)
        cls.anna = new_test_user(cls.env, "t_anna", groups="sales_team.group_sale_salesman", name="Anna Nowak")
        cls.piotr = new_test_user(cls.env, "t_piotr", groups="sales_team.group_sale_salesman", name="Piotr Zieliński")
        cls.kenji = new_test_user(cls.env, "t_kenji", groups="sales_team.group_sale_salesman", name="Kenji Sato")
        cls.boss = new_test_user(cls.env, "t_boss", groups="sales_team.group_sale_manager", name="Maria Boss")
        cls.team_pl = cls.env["crm.team"].create({
            "name": "Warsaw",
            "member_ids": [Command.link(cls.anna.id), Command.link(cls.piotr.id)],
        })
        cls.team_jp = cls.env["crm.team"].create({"name": "Tokyo", "member_ids": [Command.link(cls.kenji.id)]})
        cls.company = cls.env["res.partner"].create({"name": "Kowalski Sp. z o.o.", "is_company": True})
        cls.contact = cls.env["res.partner"].create({
            "name": "Jan Kowalski", "parent_id": cls.company.id, "phone": "+48 22 123 45 67",
        })
        cls.lead = cls.env["crm.lead"].create({
            "name": "Fleet of 40 phones", "partner_id": cls.contact.id, "phone": "+48 22 123 45 67",
            "user_id": cls.anna.id,
        })

    def log_call(self, user=None, **values):
        """Log a completed call as ``user`` (Anna by default), five minutes ago."""
        values = {
            "state": "done", "direction": "outbound", "start": self.now - timedelta(minutes=5),
            "duration": 150, "partner_id": self.contact.id, **values,
        }
        return self.Call.with_user(user or self.anna).create(values)

    def schedule_call(self, user=None, **values):
        values = {
            "state": "scheduled", "direction": "outbound", "start": self.now + timedelta(days=1),
            "partner_id": self.contact.id, **values,
        }
        return self.Call.with_user(user or self.anna).create(values)
