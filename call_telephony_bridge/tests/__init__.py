from . import (
    test_appointment_dialing,
    test_call_state,
    test_click_to_dial,
    test_concurrency,
    test_end_to_end_bridge,
    test_events_endpoint,
    test_route_endpoint,
    test_screen_pop,
)
