# The mixins first: other models inherit them.
from . import crm_phone_index_mixin
from . import lookup_cache_mixin
from . import crm_call
from . import crm_call_target_mixin
from . import crm_call_automation
from . import base_automation
from . import crm_call_demo
from . import crm_call_purpose
from . import crm_call_result
from . import crm_lead
from . import crm_phone_index
from . import res_partner
from . import res_partner_phone
from . import res_users
from . import base_partner_merge_automatic_wizard
from . import crm_call_billing
from . import crm_call_subject
from . import crm_call_report_sync
from . import crm_team
from . import res_company
from . import res_partner_billing
from . import crm_call_appointment
from . import res_partner_managers
from . import res_partner_phone_appointment
from . import res_config_settings
# Last: its checks must run before every other override of crm.call (see its docstring).
from . import crm_call_system_fields
