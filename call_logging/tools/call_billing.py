"""How a call's length becomes billed time and an amount: plain functions, no ORM."""

import math

ROUNDING_PER_SECOND = "second"
ROUNDING_PER_STARTED_MINUTE = "minute"


def billed_seconds(duration, rounding):
    """Seconds billed for a call of ``duration`` seconds: as is, or every started minute in full."""
    duration = max(int(duration or 0), 0)
    if rounding == ROUNDING_PER_STARTED_MINUTE:
        return math.ceil(duration / 60) * 60
    if rounding == ROUNDING_PER_SECOND:
        return duration
    raise ValueError(f"Unknown billing rounding {rounding!r}")


def billed_amount(seconds, rate_per_minute):
    """Amount for ``seconds`` of billed time at ``rate_per_minute`` (not yet rounded to the currency)."""
    return seconds * (rate_per_minute or 0.0) / 60.0
