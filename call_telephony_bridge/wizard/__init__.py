from . import crm_call_ask_number
