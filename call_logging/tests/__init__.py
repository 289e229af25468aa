from . import test_call_flows
from . import test_call_rules
from . import test_call_access
from . import test_call_history
from . import test_ui_tours
from . import test_phone_identify
from . import test_phone_index
from . import test_call_reports
