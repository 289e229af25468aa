{
    "name": "Call Telephony Bridge",
    "summary": "Connect your PBX: calls land in Odoo by themselves and the caller pops up",
    "description": """
Connects Asterisk (through the project's bridge, which alone talks to it) or any PBX (through the events API) to
Call Logging: every call is recorded by itself, the caller's card pops up on the screen of the
person whose phone rings, calls are routed to the salesperson, a queue or the manager, and
click-to-dial and automatic phone appointments go through the PBX.
Translated into Polish and Japanese.
""",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "website": "https://github.com/odoo-calls/call-logging",
    "author": "Odoo Calls contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["call_logging", "bus", "utm"],
    "data": [
        "security/telephony_groups.xml",
        "security/ir.model.access.csv",
        "security/telephony_security.xml",
        "data/crm_call_result_data.xml",
        "views/telephony_queue_views.xml",
        "views/telephony_line_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_users_views.xml",
        "views/crm_call_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/telephony_menus.xml",
        "views/crm_call_appointment_dialer_views.xml",
        "report/crm_call_report_views.xml",
    ],
    "demo": [
        "demo/call_telephony_bridge_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "call_telephony_bridge/static/src/**/*",
        ],
        "web.assets_tests": [
            "call_telephony_bridge/static/tests/tours/**/*",
        ],
    },
}
