"""Time domains of timers (mirrors ``pyflink.datastream.time_domain``)."""

from __future__ import annotations

from enum import Enum

__all__ = ["TimeDomain"]


class TimeDomain(Enum):
    """Whether a timer fires on event time (watermarks) or processing time (the clock)."""

    EVENT_TIME = 0
    PROCESSING_TIME = 1
