from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

UNKNOWN = {"partner_id": False, "lead_id": False, "user_id": False, "caller_type": "unknown"}


class PhoneCase(TransactionCase):
    """A Polish company with its switchboard, one of its people, and a salesperson who answers calls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.poland = cls.env.ref("base.pl")
        cls.japan = cls.env.ref("base.jp")
        cls.germany = cls.env.ref("base.de")
        cls.usa = cls.env.ref("base.us")
        cls.env.company.country_id = cls.poland
        # Records installed before (Employees' work contacts, without company or country) were read with the
        # country the company had then: read them again, so that every test starts from an exact index.
        cls.env["crm.phone.index"]._fill()
        cls.anna = new_test_user(
            cls.env, "t_phone_anna", groups="sales_team.group_sale_salesman_all_leads,base.group_partner_manager",
            name="Anna Nowak",
        )
        cls.piotr = new_test_user(cls.env, "t_phone_piotr", groups="sales_team.group_sale_salesman",
                                  name="Piotr Zieliński")
        cls.Partner = cls.env["res.partner"]
        cls.Lead = cls.env["crm.lead"]
        cls.Call = cls.env["crm.call"]
        cls.kowalski = cls.Partner.create({
            "name": "Kowalski Sp. z o.o.", "is_company": True, "country_id": cls.poland.id,
            "phone": "+48 22 100 20 30", "user_id": cls.anna.id,
        })
        cls.jan = cls.Partner.create({
            "name": "Jan Kowalski", "parent_id": cls.kowalski.id, "country_id": cls.poland.id,
            "phone": "22 555 12 34", "mobile": "601 555 777",
        })

    def identify(self, number, user=None, company_id=None):
        return self.Call.with_user(user or self.anna).identify_number(number, company_id=company_id)

    def assertContact(self, number, partner, **kwargs):
        result = self.identify(number, **kwargs)
        self.assertEqual(result["partner_id"], partner.id, f"{number!r} should find {partner.name}: {result}")
        return result

    def set_last_activity(self, record, when):
        """Pretend ``record`` was last modified at ``when`` (a whole transaction shares one write date)."""
        self.env.flush_all()
        self.env.cr.execute(f'UPDATE "{record._table}" SET write_date = %s WHERE id = %s', (when, record.id))
        record.invalidate_recordset(["write_date"])


@tagged("post_install", "-at_install")
class TestPhoneIdentify(PhoneCase):
    """Caller identification: who is behind a number, whatever its spelling."""

    def test_every_spelling_of_a_contacts_number_finds_the_contact(self):
        for spelling in (
            "+48 22 555 12 34", "+48225551234", "0048225551234", "00 48 22 555 12 34", "(22) 555-12-34",
            "225551234", "022 555 12 34", "+48 (22) 555 12 34", "+48 (0)22 555 12 34", "+48-22-555-12-34",
            "+48.22.555.12.34", "+48,22,555,12,34", "+48 22 555 12 34 x12", "+48 22 555 12 34 ext. 12",
            "+48225551234;ext=12", "+48225551234,,12", "tel:+48225551234",
        ):
            self.assertEqual(self.identify(spelling), {
                "partner_id": self.jan.id, "lead_id": False, "user_id": self.anna.id, "caller_type": "contact",
            }, spelling)

    def test_the_mobile_of_a_contact_finds_it_too(self):
        self.assertContact("+48 601 555 777", self.jan)
        self.assertContact("0048-601-555-777", self.jan)

    def test_the_interface_examples_find_the_same_stored_contact(self):
        for spelling in ("+48 22 555 12 34", "0048225551234", "(22) 555-12-34", "225551234"):
            self.assertContact(spelling, self.jan)

    def test_national_spellings_of_japan_germany_and_the_usa(self):
        tanaka = self.Partner.create({"name": "Tanaka Hiroshi", "country_id": self.japan.id, "phone": "03-5555-1234"})
        mueller = self.Partner.create({"name": "Anna Müller", "country_id": self.germany.id, "phone": "030 5551234"})
        smith = self.Partner.create({"name": "John Smith", "country_id": self.usa.id, "phone": "(212) 555-0123"})
        self.assertContact("+81 3 5555 1234", tanaka)
        self.assertContact("0081355551234", tanaka)
        self.assertContact("+49 (0)30 5551234", mueller)
        self.assertContact("0049 30 555 12 34", mueller)
        self.assertContact("+1 212 555 0123", smith)
        self.assertContact("+1 (212) 555-0123 ext. 12", smith)

    def test_a_national_spelling_is_read_with_the_country_of_the_given_company(self):
        tokyo = self.env["res.company"].create({"name": "Calls KK", "country_id": self.japan.id})
        self.anna.company_ids = [Command.link(tokyo.id)]
        tanaka = self.Partner.create({
            "name": "Tanaka Hiroshi", "country_id": self.japan.id, "phone": "+81 3 5555 1234",
        })
        self.assertEqual(self.identify("03-5555-1234")["caller_type"], "unknown")
        self.assertContact("03-5555-1234", tanaka, company_id=tokyo.id)

    def test_a_line_reads_national_spellings_with_the_new_country_of_its_company(self):
        branch = self.env["res.company"].create({"name": "Calls Branch", "country_id": self.poland.id})
        self.anna.company_ids = [Command.link(branch.id)]
        tanaka = self.Partner.create({"name": "Tanaka Hiroshi", "phone": "+81 3 5555 1234"})
        self.assertEqual(self.identify("03-5555-1234", company_id=branch.id), UNKNOWN)
        branch.country_id = self.japan
        self.assertContact("03-5555-1234", tanaka, company_id=branch.id)

    def test_a_number_without_a_country_of_its_own_is_read_with_its_companys(self):
        tokyo = self.env["res.company"].create({"name": "Calls KK", "country_id": self.japan.id})
        sato = self.Partner.create({"name": "Sato Kenji", "company_id": tokyo.id, "phone": "03-9876-5432"})
        self.assertContact("+81 3 9876 5432", sato, user=self.env.user)

    def test_bad_input_is_unknown_and_never_raises(self):
        for bad in (None, "", "   ", "abc", "1" * 5000, "+", "201", 42, ["+48225551234"]):
            self.assertEqual(self.identify(bad), UNKNOWN, repr(bad)[:40])

    def test_full_width_digits_typed_by_a_japanese_input_method_find_the_contact(self):
        self.assertContact("\uff12\uff12\u3000\uff15\uff15\uff15\u3000\uff11\uff12\u3000\uff13\uff14", self.jan)
        self.assertContact("\uff0b\uff14\uff18\u3000\uff16\uff10\uff11\u3000\uff15\uff15\uff15\u3000\uff17\uff17\uff17",
                           self.jan)

    def test_a_mobile_typed_nationally_is_found_like_the_landline_when_the_company_has_no_country(self):
        self.env.company.country_id = False
        self.assertContact("22 555 12 34", self.jan)
        self.assertContact("601 555 777", self.jan)
        loose = self.Partner.create({"name": "No Country Mobile", "mobile": "602 444 333"})
        self.assertContact("602 444 333", loose)
        self.assertContact("+48 602 444 333", loose)

    def test_a_number_nobody_has_is_unknown(self):
        self.assertEqual(self.identify("+48 22 999 99 99"), UNKNOWN)
        self.assertEqual(self.identify("+49 221 234567"), UNKNOWN, "the same national digits in another country")

    def test_a_contact_person_beats_its_company(self):
        self.jan.phone = "+48 22 100 20 30"
        self.assertEqual(self.identify("22 100 20 30"), {
            "partner_id": self.jan.id, "lead_id": False, "user_id": self.anna.id, "caller_type": "contact",
        })

    def test_the_company_switchboard_finds_the_account(self):
        self.assertEqual(self.identify("+48 22 100 20 30"), {
            "partner_id": self.kowalski.id, "lead_id": False, "user_id": self.anna.id, "caller_type": "account",
        })

    def test_a_contact_beats_an_open_lead_with_the_same_number(self):
        self.Lead.create({"name": "Fleet of 40 phones", "phone": "+48 22 555 12 34", "user_id": self.piotr.id})
        self.assertContact("+48 22 555 12 34", self.jan)

    def test_an_open_lead_is_found_when_no_contact_has_the_number(self):
        lead = self.Lead.create({"name": "Fleet of 40 phones", "phone": "+48 512 345 678", "user_id": self.anna.id})
        self.assertEqual(self.identify("512-345-678"), {
            "partner_id": False, "lead_id": lead.id, "user_id": self.anna.id, "caller_type": "lead",
        })

    def test_won_and_lost_leads_are_not_callers(self):
        won = self.Lead.create({"name": "Won", "phone": "+48 512 345 678", "type": "opportunity"})
        won.action_set_won()
        lost = self.Lead.create({"name": "Lost", "phone": "+48 512 345 679", "type": "opportunity"})
        lost.action_set_lost()
        self.assertEqual(self.identify("+48 512 345 678"), UNKNOWN)
        self.assertEqual(self.identify("+48 512 345 679"), UNKNOWN)

    def test_a_tie_goes_to_the_most_recently_active_record(self):
        ewa = self.Partner.create({"name": "Ewa Kowalska", "parent_id": self.kowalski.id, "phone": "+48 22 555 12 34"})
        self.set_last_activity(self.jan, "2024-05-01 10:00:00")
        self.set_last_activity(ewa, "2024-03-01 10:00:00")
        self.assertContact("+48 22 555 12 34", self.jan)
        self.set_last_activity(ewa, "2024-06-01 10:00:00")
        self.assertContact("+48 22 555 12 34", ewa)

    def test_a_tie_between_leads_goes_to_the_most_recently_active(self):
        old = self.Lead.create({"name": "Old", "phone": "+48 512 345 678"})
        new = self.Lead.create({"name": "New", "phone": "512 345 678"})
        self.set_last_activity(old, "2024-06-01 10:00:00")
        self.set_last_activity(new, "2024-01-01 10:00:00")
        self.assertEqual(self.identify("+48512345678")["lead_id"], old.id)

    def test_an_exact_number_beats_a_number_whose_country_was_unknown(self):
        self.env.company.country_id = False
        loose = self.Partner.create({"name": "No Country", "phone": "22 555 12 34"})
        self.set_last_activity(loose, "2030-01-01 10:00:00")
        self.assertContact("+48 22 555 12 34", self.jan)
        self.jan.phone = False
        self.assertContact("+48 22 555 12 34", loose)

    def test_a_number_kept_with_a_carrier_prefix_is_found_by_its_last_nine_digits(self):
        self.env.company.country_id = False
        prefixed = self.Partner.create({"name": "Old Import", "phone": "1033 22 987 65 43"})
        self.assertContact("+48 22 987 65 43", prefixed)

    def test_a_number_without_country_is_found_from_a_line_without_country(self):
        self.env.company.country_id = False
        self.assertContact("225551234", self.jan)

    def test_archived_contacts_are_skipped(self):
        self.jan.action_archive()
        self.assertEqual(self.identify("+48 22 555 12 34"), UNKNOWN)
        self.jan.action_unarchive()
        self.assertContact("+48 22 555 12 34", self.jan)

    def test_an_archived_person_leaves_the_number_to_the_next_candidate(self):
        self.Partner.create({"name": "Jan's desk", "is_company": True, "phone": "+48 22 555 12 34"})
        self.jan.action_archive()
        self.assertEqual(self.identify("+48 22 555 12 34")["caller_type"], "account")

    def test_records_of_another_company_are_skipped(self):
        krakow = self.env["res.company"].create({"name": "Calls Kraków", "country_id": self.poland.id})
        nowak = self.Partner.create({"name": "Adam Nowak", "company_id": krakow.id, "phone": "+48 12 345 67 89"})
        self.assertEqual(self.identify("+48 12 345 67 89"), UNKNOWN, "Anna does not work for Kraków")
        self.anna.company_ids = [Command.link(krakow.id)]
        self.assertEqual(self.identify("+48 12 345 67 89", company_id=self.env.company.id), UNKNOWN)
        self.assertContact("+48 12 345 67 89", nowak, company_id=krakow.id)

    def test_leads_the_user_may_not_read_are_skipped(self):
        lead = self.Lead.create({"name": "Anna's lead", "phone": "+48 512 345 678", "user_id": self.anna.id})
        self.assertEqual(self.identify("+48 512 345 678", user=self.piotr), UNKNOWN)
        self.assertEqual(self.identify("+48 512 345 678")["lead_id"], lead.id)

    def test_a_user_without_crm_rights_still_gets_an_answer(self):
        clerk = new_test_user(self.env, "t_phone_clerk", groups="base.group_user")
        self.Lead.create({"name": "Lead", "phone": "+48 512 345 678"})
        self.assertEqual(self.identify("+48 512 345 678", user=clerk), UNKNOWN)
        self.assertContact("+48 22 555 12 34", self.jan, user=clerk)

    def test_the_salesperson_of_a_person_is_its_companys_when_it_has_none(self):
        self.assertEqual(self.identify("+48 22 555 12 34")["user_id"], self.anna.id)
        self.jan.user_id = self.piotr
        self.assertEqual(self.identify("+48 22 555 12 34")["user_id"], self.piotr.id)
