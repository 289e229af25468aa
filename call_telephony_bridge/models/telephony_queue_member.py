from odoo import fields, models


class TelephonyQueueMember(models.Model):
    """One user in a call queue, at their place in the queue's order."""

    _name = "telephony.queue.member"
    _description = "Call Queue Member"
    _order = "sequence, id"
    _rec_name = "user_id"

    queue_id = fields.Many2one("telephony.queue", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one(
        "res.users",
        string="User",
        required=True,
        ondelete="cascade",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    company_id = fields.Many2one(related="queue_id.company_id", store=True, index=True)
    telephony_extension = fields.Char(related="user_id.telephony_extension", string="Extension")

    _sql_constraints = [
        ("user_once_per_queue", "unique(queue_id, user_id)", "A user can be in a queue only once."),
    ]
