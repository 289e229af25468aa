from . import crm_call
from . import crm_call_demo
from . import crm_call_purpose
from . import crm_call_result
from . import crm_lead
from . import res_partner
from . import res_users
