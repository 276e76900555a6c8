"""Estimated wait shown on the kiosk, the paper ticket and the status page.

Method: the people ahead are shared by the counters open for the service, each
taking the mean of recent service times (falling back to the service's
standard minutes when there is no history yet):

    wait ≈ ceil(people_ahead × mean_service_minutes / open_counters)

With no counter open for the service the estimate is unknown (None) rather
than a made-up figure, even with nobody ahead: the resident waits for a
counter to open. With a counter open and nobody ahead the wait is 0.
"""

import math
from collections.abc import Sequence


def mean_service_minutes(recent_minutes: Sequence[float], standard_minutes: float) -> float:
    """Average recent service times, or the standard when there are none."""
    return sum(recent_minutes) / len(recent_minutes) if recent_minutes else standard_minutes


def estimated_wait_minutes(people_ahead: int, service_minutes: float, open_counters: int) -> int | None:
    """Estimate whole minutes until a ticket with `people_ahead` is called."""
    if open_counters <= 0:
        return None
    if people_ahead <= 0:
        return 0
    return math.ceil(people_ahead * service_minutes / open_counters)
