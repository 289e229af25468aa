from . import crm_call_ask_number, crm_call_followup, crm_call_reschedule, crm_call_start, crm_call_wrap_up
from . import crm_call_ask_number_appointment
from . import crm_call_billing_wizard
