{
    "name": "Call Telephony Bridge",
    "summary": "Connect your PBX: calls land in Odoo by themselves and the caller pops up",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/odoo-calls/call-logging",
    "author": "Odoo Calls contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["call_logging", "bus"],
    "data": [],
}
