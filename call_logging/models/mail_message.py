from odoo import fields, models


class MailMessage(models.Model):
    """A call's note on its customer's timeline reads in the reader's language.

    The note is stored once, in the language of the person who talked (what an email digest or a
    search finds); the chatter shows it rendered again in the reader's language from the call it
    summarizes, while that call exists."""

    _inherit = "mail.message"

    call_summary_id = fields.Many2one(
        "crm.call", string="Call Summarized", readonly=True, index="btree_not_null", ondelete="set null",
    )

    def _to_store(self, store, /, *, fields=None, **kwargs):
        super()._to_store(store, fields=fields, **kwargs)
        if fields is not None and "body" not in fields:
            return
        # sudo: the note says to whoever may read it what the stored body says; only the language changes
        for message in self.sudo().filtered("call_summary_id"):
            store.add(message, {"body": message.call_summary_id._summary_body()})
