import io
from datetime import datetime, time, timedelta

import pytz
import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import date_utils
from odoo.tools.misc import format_date, format_datetime

from ..tools.call_duration import format_duration


class CrmCallBillingWizard(models.TransientModel):
    """Billing details: the billable calls of customers over a period, with their rate, rounding and totals.

    Printed as a PDF per customer or exported to a spreadsheet. Only the calls the user may read are billed.
    """

    _name = "crm.call.billing.wizard"
    _description = "Call Billing Details"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_period()[0])
    date_to = fields.Date(string="To", required=True, default=lambda self: self._default_period()[1])
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", domain="[('is_company', '=', True)]",
        help="Leave empty to bill every customer with billable calls in the period.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    unpriced_customers = fields.Char(
        string="Customers Without a Rate", compute="_compute_unpriced_customers",
        help="Customers with billable calls in the period whose rate per minute is 0: they would be billed nothing.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("date_from", "date_to", "partner_ids", "company_id")
    def _compute_unpriced_customers(self):
        for wizard in self:
            if not (wizard.date_from and wizard.date_to and wizard.company_id):
                wizard.unpriced_customers = False
                continue
            groups = self.env["crm.call"]._read_group(wizard._billable_calls_domain(), ["commercial_partner_id"])
            names = sorted(customer.display_name for [customer] in groups
                           if not customer._call_billing_terms(wizard.company_id)[0])
            wizard.unpriced_customers = ", ".join(names) or False

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(_("The period must start before it ends."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_print(self):
        """The billing details as a PDF, one page per customer."""
        self.ensure_one()
        self._ensure_calls_to_bill()
        return self.env.ref("call_logging.action_report_call_billing").report_action(self)

    def action_export_xlsx(self):
        """The billing details as a spreadsheet: one line per call, with each customer's total."""
        self.ensure_one()
        self._ensure_calls_to_bill()
        attachment = self.env["ir.attachment"].create({
            "name": _("Call billing %(date_from)s - %(date_to)s.xlsx", date_from=self.date_from, date_to=self.date_to),
            "raw": self._billing_xlsx(),
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "res_model": self._name,
            "res_id": self.id,
        })
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    def action_view_calls(self):
        """The billable calls of the period in a list, to check or untick before billing."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Billable Calls"),
            "res_model": "crm.call",
            "view_mode": "list,form",
            "views": [(self.env.ref("call_logging.crm_call_view_list_billing").id, "list"), (False, "form")],
            "domain": self._billable_calls_domain(billable_only=False),
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _billing_lines(self):
        """Per customer (by name): its terms and currency, its billable calls with billed time and amount, and
        totals."""
        self.ensure_one()
        calls = self.env["crm.call"].search(self._billable_calls_domain(), order="start, id")
        roundings = dict(self.env["res.company"]._fields["call_billing_rounding"]._description_selection(self.env))
        customers = {}
        for call in calls:
            customer = call.commercial_partner_id
            line = customers.get(customer.id)
            if line is None:
                rate, rounding, currency = customer._call_billing_terms(self.company_id)
                line = customers[customer.id] = {
                    "customer": customer,
                    "rate": rate,
                    "rounding": roundings[rounding],
                    "currency": currency,
                    "calls": [],
                    "call_count": 0,
                    "duration": 0,
                    "billed_seconds": 0,
                    "amount": 0.0,
                }
            line["calls"].append(call)
            line["call_count"] += 1
            line["duration"] += call.duration
            line["billed_seconds"] += call.billed_seconds
            line["amount"] += call.billing_amount
        for line in customers.values():
            line["amount"] = line["currency"].round(line["amount"])
        return sorted(customers.values(), key=lambda line: (line["customer"].name or "", line["customer"].id))

    def _billable_calls_domain(self, billable_only=True):
        start, stop = self._utc_bounds()
        domain = [
            ("state", "=", "done"),
            ("commercial_partner_id", "!=", False),
            ("start", ">=", start),
            ("start", "<", stop),
            ("company_id", "=", self.company_id.id),
        ]
        if billable_only:
            domain.append(("is_billable", "=", True))
        if self.partner_ids:
            domain.append(("commercial_partner_id", "in", self.partner_ids.commercial_partner_id.ids))
        return domain

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------
    @api.model
    def _default_period(self):
        """Last month, the usual billing period."""
        first_of_month = date_utils.start_of(fields.Date.context_today(self), "month")
        return first_of_month - relativedelta(months=1), first_of_month - timedelta(days=1)

    def _utc_bounds(self):
        """The period's days in the user's time zone, as UTC datetimes [start, stop)."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        start = tz.localize(datetime.combine(self.date_from, time.min))
        stop = tz.localize(datetime.combine(self.date_to + timedelta(days=1), time.min))
        return (start.astimezone(pytz.utc).replace(tzinfo=None), stop.astimezone(pytz.utc).replace(tzinfo=None))

    def _format_duration(self, seconds):
        """A length in the calls' one format (mm:ss, h:mm:ss from one hour on), for the printed details."""
        return format_duration(seconds)

    def _ensure_calls_to_bill(self):
        if not self.env["crm.call"].search_count(self._billable_calls_domain(), limit=1):
            raise UserError(_("There is no billable call in this period."))

    def _billing_xlsx(self):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(_("Call Billing"))
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        bold_money = workbook.add_format({"bold": True, "num_format": "#,##0.00"})
        headers = [_("Customer"), _("Date"), _("Subject"), _("Contact"), _("Salesperson"), _("Duration"),
                   _("Duration (s)"), _("Billed Time (s)"), _("Rate per Minute"), _("Rounding"), _("Amount"),
                   _("Currency")]
        sheet.write_row(0, 0, headers, bold)
        row = 1
        for line in self._billing_lines():
            for call in line["calls"]:
                sheet.write_row(row, 0, [
                    line["customer"].name, format_datetime(self.env, call.start), call.name or "",
                    call.partner_id.name or "", call.user_id.name or "", format_duration(call.duration),
                    call.duration, call.billed_seconds,
                ])
                sheet.write_number(row, 8, line["rate"], money)
                sheet.write_string(row, 9, line["rounding"])
                sheet.write_number(row, 10, call.billing_amount, money)
                sheet.write_string(row, 11, line["currency"].name)
                row += 1
            sheet.write_string(row, 0, _("Total %s", line["customer"].name), bold)
            sheet.write_number(row, 6, line["duration"], bold)
            sheet.write_number(row, 7, line["billed_seconds"], bold)
            sheet.write_number(row, 10, line["amount"], bold_money)
            sheet.write_string(row, 11, line["currency"].name, bold)
            row += 2
        sheet.write_string(row, 0, _("Period: %(date_from)s - %(date_to)s",
                                     date_from=format_date(self.env, self.date_from),
                                     date_to=format_date(self.env, self.date_to)))
        sheet.set_column(0, 4, 24)
        sheet.set_column(5, 11, 14)
        workbook.close()
        return output.getvalue()
