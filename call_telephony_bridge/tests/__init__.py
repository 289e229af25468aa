from . import test_call_state, test_events_endpoint
