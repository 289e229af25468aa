from . import crm_call, crm_call_purpose, crm_call_result, crm_lead, res_partner, res_users
