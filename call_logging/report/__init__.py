from . import crm_call_aggregate_mixin
from . import crm_call_report
from . import crm_call_report_month
from . import crm_call_lead_report
