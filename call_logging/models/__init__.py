# The mixins first: other models inherit them.
from . import crm_phone_index_mixin
from . import lookup_cache_mixin
# crm.call's aspects, then crm.call itself, which lists them in the order their hooks run (see crm_call.py).
from . import crm_call_base
from . import crm_call_system_fields_mixin
from . import crm_call_activity_mixin
from . import crm_call_appointment_mixin
from .call_statistics import crm_call_statistics_mixin
from . import crm_call_subject_mixin
from . import crm_call_billing_mixin
from . import crm_call_demo_mixin
from . import crm_call_automation_mixin
from . import crm_call_alarm_mixin
from . import crm_call_alarm_manager
from . import crm_call
from . import crm_call_target_mixin
from . import base_automation
from . import crm_call_purpose
from . import crm_call_result
from . import crm_lead
from . import crm_phone_index
from . import res_partner
from . import res_partner_phone
from . import res_users
from . import base_partner_merge_automatic_wizard
from . import crm_team
from . import mail_activity
from . import mail_message
from . import res_company
from . import res_partner_billing
from . import res_partner_managers
from . import res_partner_phone_appointment
from . import res_config_settings
from . import ir_module
# Last, the statistics' tables: their set-up reads the calls and what they point to (see call_statistics/).
from .call_statistics import crm_call_aggregate_mixin, crm_call_report, crm_call_report_month, crm_call_lead_report
