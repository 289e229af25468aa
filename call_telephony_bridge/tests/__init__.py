from . import (
    test_appointment_dialing,
    test_call_state,
    test_click_to_dial,
    test_concurrency,
    test_end_to_end_bridge,
    test_event_batches,
    test_events_endpoint,
    test_route_endpoint,
    test_routing,
    test_routing_concurrency,
    test_routing_end_to_end,
    test_screen_pop,
)
