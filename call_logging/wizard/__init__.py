from . import crm_call_ask_number, crm_call_followup, crm_call_reschedule
from . import crm_call_ask_number_appointment
