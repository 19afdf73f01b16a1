"""Watermark generators behind ``WatermarkStrategy`` (Flink's ``WatermarkGenerator``s).

A generator sees every record's timestamp (``on_event``) and is asked periodically, every
``pipeline.auto-watermark-interval`` (200 ms), for the current watermark
(``on_periodic_emit``); the operator emits it only when it grows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kolk._runtime.time.watermark import MIN_WATERMARK

__all__ = [
    "BoundedOutOfOrdernessWatermarks",
    "NoWatermarksGenerator",
    "WatermarkGenerator",
    "WatermarksWithIdleness",
]


class WatermarkGenerator:
    """Base: generates no watermark."""

    def on_event(self, value: Any, timestamp: int) -> None:
        """A record with ``timestamp`` passed."""

    def on_periodic_emit(self) -> int | None:
        """The current watermark, or None for none (may update the generator's state)."""
        return self.peek_watermark()

    def peek_watermark(self) -> int | None:
        """The watermark ``on_periodic_emit`` would give now, without changing anything."""
        return None

    def is_idle(self) -> bool:
        """True when the input counts as idle (see :class:`WatermarksWithIdleness`)."""
        return False


class NoWatermarksGenerator(WatermarkGenerator):
    """``WatermarkStrategy.no_watermarks()``."""


class BoundedOutOfOrdernessWatermarks(WatermarkGenerator):
    """``for_bounded_out_of_orderness(d)``: watermark = max timestamp - d - 1;
    ``for_monotonous_timestamps()`` is the same with d = 0."""

    def __init__(self, out_of_orderness_ms: int) -> None:
        self._delay = out_of_orderness_ms
        self._max_timestamp = MIN_WATERMARK + out_of_orderness_ms + 1

    def on_event(self, value: Any, timestamp: int) -> None:
        if timestamp > self._max_timestamp:
            self._max_timestamp = timestamp

    def peek_watermark(self) -> int | None:
        return self._max_timestamp - self._delay - 1


class WatermarksWithIdleness(WatermarkGenerator):
    """``with_idleness(timeout)``: the input is idle once no record arrived for ``timeout``
    of processing time; the next record makes it active again."""

    def __init__(
        self, inner: WatermarkGenerator, timeout_ms: int, clock: Callable[[], float]
    ) -> None:
        self._inner = inner
        self._timeout = timeout_ms
        self._clock = clock
        self._last_activity = clock()
        self._idle = False

    def on_event(self, value: Any, timestamp: int) -> None:
        self._inner.on_event(value, timestamp)
        self._last_activity = self._clock()
        self._idle = False

    def on_periodic_emit(self) -> int | None:
        if self._clock() - self._last_activity >= self._timeout:
            self._idle = True
            return None
        return self._inner.on_periodic_emit()

    def peek_watermark(self) -> int | None:
        if self._clock() - self._last_activity >= self._timeout:
            return None
        return self._inner.peek_watermark()

    def is_idle(self) -> bool:
        return self._idle
