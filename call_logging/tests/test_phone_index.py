from odoo import Command
from odoo.tests import tagged

from ..hooks import post_init_hook
from .test_phone_identify import UNKNOWN, PhoneCase


@tagged("post_install", "-at_install")
class TestPhoneIndex(PhoneCase):
    """The phone lookup stays exact through everything that happens to contacts and leads."""

    def index_rows(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_id, lead_id, source, e164, national, tail FROM crm_phone_index"
        )
        return sorted(self.env.cr.fetchall(), key=repr)

    def assertIndexExact(self):
        """The index holds exactly what rebuilding it from scratch would hold."""
        rows = self.index_rows()
        self.env["crm.phone.index"]._fill()
        self.assertEqual(rows, self.index_rows())

    def test_creating_contacts_in_a_batch_indexes_them_with_a_fixed_number_of_queries(self):
        def import_contacts(count, offset):
            vals_list = [
                {"name": f"Imported {i}", "phone": f"22 400 {i:02d} {offset:02d}", "country_id": self.poland.id}
                for i in range(count)
            ]
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self.Partner.create(vals_list)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        queries_for_5 = import_contacts(5, 1)
        queries_for_60 = import_contacts(60, 2)
        self.assertLessEqual(queries_for_60, queries_for_5 + 2, "the index costs no query per record")
        self.assertEqual(self.identify("+48 22 400 59 02")["caller_type"], "contact")
        self.assertIndexExact()

    def test_contacts_imported_from_a_file_are_found(self):
        result = self.Partner.load(
            ["name", "phone", "mobile"],
            [["Importowany 1", "+48 22 555 01 01", ""], ["Importowany 2", "", "0048 600 700 800"]],
        )
        self.assertFalse(result["messages"])
        self.assertContact("22 555 01 01", self.Partner.browse(result["ids"][0]))
        self.assertContact("600-700-800", self.Partner.browse(result["ids"][1]))
        self.assertIndexExact()

    def test_changing_a_number_forgets_the_old_one(self):
        self.jan.phone = "+48 22 765 43 21"
        self.assertEqual(self.identify("+48 22 555 12 34"), UNKNOWN)
        self.assertContact("22 765 43 21", self.jan)
        self.jan.mobile = False
        self.assertEqual(self.identify("601 555 777"), UNKNOWN)
        self.assertIndexExact()

    def test_changing_the_country_rereads_national_spellings(self):
        self.jan.write({"country_id": self.germany.id, "phone": "030 5551234"})
        self.assertContact("+49 30 5551234", self.jan)
        self.jan.country_id = self.poland
        self.assertEqual(self.identify("+49 30 5551234"), UNKNOWN)
        self.assertIndexExact()

    def test_changing_the_country_of_a_company_rereads_the_numbers_that_rely_on_it(self):
        tokyo = self.env["res.company"].create({"name": "Calls KK"})
        sato = self.Partner.create({"name": "Sato Kenji", "company_id": tokyo.id, "phone": "03-9876-5432"})
        tokyo.country_id = self.japan
        self.assertContact("+81 3 9876 5432", sato, user=self.env.user)
        self.assertIndexExact()

    def test_deleting_a_contact_removes_its_numbers(self):
        ewa = self.Partner.create({"name": "Ewa", "phone": "+48 22 765 43 21", "phone_ids": [
            Command.create({"type": "home_fax", "number": "+48 22 765 43 22"}),
        ]})
        ewa.unlink()
        self.assertEqual(self.identify("+48 22 765 43 21"), UNKNOWN)
        self.assertEqual(self.identify("+48 22 765 43 22"), UNKNOWN)
        self.assertIndexExact()

    def test_archiving_and_unarchiving_a_lead(self):
        lead = self.Lead.create({"name": "Lead", "phone": "+48 512 345 678"})
        lead.action_archive()
        self.assertEqual(self.identify("+48 512 345 678"), UNKNOWN)
        lead.action_unarchive()
        self.assertEqual(self.identify("+48 512 345 678")["lead_id"], lead.id)
        self.assertIndexExact()

    def test_changing_and_deleting_a_lead(self):
        lead = self.Lead.create({"name": "Lead", "phone": "+48 512 345 678"})
        lead.write({"phone": False, "mobile": "+48 512 000 111"})
        self.assertEqual(self.identify("+48 512 345 678"), UNKNOWN)
        self.assertEqual(self.identify("512 000 111")["lead_id"], lead.id)
        self.assertIndexExact()
        lead.unlink()
        self.assertEqual(self.identify("512 000 111"), UNKNOWN)
        self.assertIndexExact()

    def test_a_lead_follows_the_number_of_its_contact(self):
        anonymous = self.Partner.create({"name": "Customer", "phone": "+48 512 345 678"})
        lead = self.Lead.create({"name": "Lead", "partner_id": anonymous.id})
        self.assertEqual(lead.phone, "+48 512 345 678")
        anonymous.phone = "+48 512 999 888"
        self.assertEqual(lead.phone, "+48 512 999 888")
        self.assertIndexExact()

    def test_giving_a_lead_a_contact_indexes_the_contacts_number(self):
        lead = self.Lead.create({"name": "Lead"})
        lead.partner_id = self.jan
        self.assertIndexExact()
        self.env.cr.execute("SELECT count(*) FROM crm_phone_index WHERE lead_id = %s", (lead.id,))
        self.assertTrue(self.env.cr.fetchone()[0])

    def test_merging_contacts_keeps_the_numbers_of_the_merged_contact(self):
        duplicate = self.Partner.create({
            "name": "Jan Kowalski (old)", "email": False, "phone": "+48 22 765 43 21",
            "phone_ids": [Command.create({"type": "work", "number": "+48 22 765 43 99"})],
        })
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.jan | duplicate).ids, self.jan, extra_checks=False)
        self.assertFalse(duplicate.exists())
        self.assertContact("+48 22 555 12 34", self.jan)
        self.assertContact("+48 22 765 43 99", self.jan)
        self.assertEqual(self.identify("+48 22 765 43 21"), UNKNOWN, "Jan kept his own phone")
        self.assertIndexExact()

    def test_merging_contacts_fills_empty_numbers_from_the_duplicate(self):
        duplicate = self.Partner.create({"name": "Jan (old)", "phone": "+48 22 765 43 21"})
        self.jan.phone = False
        self.env["base.partner.merge.automatic.wizard"]._merge((self.jan | duplicate).ids, self.jan)
        self.assertContact("+48 22 765 43 21", self.jan)
        self.assertIndexExact()

    def test_merging_leads_keeps_one_lead_with_the_numbers(self):
        first = self.Lead.create({"name": "First", "phone": "+48 512 345 678", "type": "opportunity",
                                  "probability": 80})
        second = self.Lead.create({"name": "Second", "mobile": "+48 512 000 111", "type": "opportunity",
                                   "probability": 10})
        merged = (first | second).merge_opportunity()
        self.assertFalse(((first | second) - merged).exists())
        self.assertEqual(self.identify("+48 512 345 678")["lead_id"], merged.id)
        self.assertEqual(self.identify("+48 512 000 111")["lead_id"], merged.id)
        self.assertIndexExact()

    def test_installing_on_a_database_with_contacts_indexes_them(self):
        lead = self.Lead.create({"name": "Lead", "mobile": "+48 512 345 678"})
        self.env.cr.execute("DELETE FROM crm_phone_index")
        self.assertEqual(self.identify("+48 22 555 12 34"), UNKNOWN)
        post_init_hook(self.env)
        self.assertContact("+48 22 555 12 34", self.jan)
        self.assertEqual(self.identify("512 345 678")["lead_id"], lead.id)


@tagged("post_install", "-at_install")
class TestPhoneNumbersOfContacts(PhoneCase):
    """A contact carries several typed numbers and is found by any of them."""

    def test_typed_numbers_are_edited_on_the_contact_and_identify_it(self):
        self.jan.with_user(self.anna).write({"phone_ids": [
            Command.create({"type": "office_fax", "number": "+48 22 555 12 99"}),
            Command.create({"type": "home_fax", "number": "22 555 12 98"}),
        ]})
        self.assertEqual(self.jan.phone_ids.mapped("type"), ["office_fax", "home_fax"])
        self.assertContact("(22) 555-12-99", self.jan)
        self.assertContact("0048 22 555 12 98", self.jan)
        fax = self.jan.phone_ids[0]
        fax.number = "+48 22 555 12 97"
        self.assertEqual(self.identify("(22) 555-12-99"), UNKNOWN)
        self.assertContact("22 555 12 97", self.jan)
        self.jan.write({"phone_ids": [Command.unlink(fax.id)]})
        self.assertEqual(self.identify("22 555 12 97"), UNKNOWN)

    def test_every_type_of_number(self):
        types = [value for value, _label in self.env["res.partner.phone"]._fields["type"].selection]
        self.assertEqual(types, ["mobile", "landline", "work", "main", "home_fax", "office_fax", "other"])

    def test_a_typed_number_moved_to_another_contact(self):
        ewa = self.Partner.create({"name": "Ewa"})
        number = self.env["res.partner.phone"].create({"partner_id": self.jan.id, "number": "+48 22 700 00 01"})
        number.partner_id = ewa
        self.assertContact("+48 22 700 00 01", ewa)

    def test_the_contact_search_finds_a_contact_by_any_number_in_any_spelling(self):
        self.jan.write({"phone_ids": [Command.create({"type": "work", "number": "+48 22 700 00 01"})]})
        Partner = self.Partner.with_user(self.anna)
        for spelling in ("0048 22 555 12 34", "(22) 555-12-34", "+48601555777", "22 700 00 01"):
            self.assertEqual(Partner.search([("phone_search_any", "ilike", spelling)]), self.jan, spelling)

    def test_the_contact_search_finds_part_of_a_number(self):
        found = self.Partner.search([("phone_search_any", "ilike", "555 12")])
        self.assertIn(self.jan, found)
        self.assertNotIn(self.kowalski, found)
        self.assertNotIn(self.jan, self.Partner.search([("phone_search_any", "not ilike", "555 12 34")]))

    def test_the_lead_search_finds_a_lead_by_any_spelling(self):
        lead = self.Lead.create({"name": "Lead", "mobile": "+48 512 345 678"})
        self.assertEqual(self.Lead.search([("phone_search_any", "ilike", "0048-512-345-678")]), lead)

    def test_the_contact_form_and_search_offer_the_numbers(self):
        form = self.Partner.get_view(view_type="form")["arch"]
        self.assertIn('name="phone_ids"', form)
        search = self.Partner.get_view(view_type="search")["arch"]
        self.assertIn('name="phone_search_any"', search)
