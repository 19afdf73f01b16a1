"""Clocks: the processing-time source of a task executor, replaceable in tests."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Milliseconds of processing time, and a way to wait for a later moment."""

    def now_ms(self) -> float:
        """Current processing time in milliseconds."""
        ...

    def sleep_until(self, deadline_ms: float) -> None:
        """Blocks (or jumps) until ``now_ms() >= deadline_ms``."""
        ...


class SystemClock:
    """The wall clock: milliseconds since the epoch (what ``current_processing_time()`` and
    processing-time timers use, as in Flink)."""

    def now_ms(self) -> float:
        return time.time() * 1000.0

    def sleep_until(self, deadline_ms: float) -> None:
        delay = deadline_ms / 1000.0 - time.time()
        if delay > 0:
            time.sleep(delay)


class ManualClock:
    """A clock that moves only when told to, or when the executor waits for a deadline."""

    def __init__(self, start_ms: float = 0.0) -> None:
        self._now = start_ms

    def now_ms(self) -> float:
        return self._now

    def advance(self, ms: float) -> None:
        """Moves time forward."""
        self._now += ms

    def sleep_until(self, deadline_ms: float) -> None:
        self._now = max(self._now, deadline_ms)
