# The mixins first: contacts, leads and calls inherit them; crm.call lists its aspects (see crm_call.py).
from . import telephony_dial_mixin
from . import crm_call_telephony_mixin
from . import crm_call_appointment_dialer_mixin
from . import crm_call_telephony_demo_mixin
from . import (
    crm_call,
    crm_call_alarm_manager,
    crm_call_result,
    crm_lead,
    res_config_settings,
    res_partner,
    res_users,
    telephony_call_event,
    telephony_call_lifecycle,
    telephony_dial_order,
    telephony_line,
    telephony_queue,
    telephony_queue_member,
    telephony_route_decision,
    telephony_router,
)
# Last, the wait figures of the call statistics: their set-up reads the calls' PBX fields.
from .call_statistics import crm_call_report
