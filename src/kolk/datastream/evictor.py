"""Window evictors (Flink's ``org.apache.flink.streaming.api.windowing.evictors``).

PyFlink 2.3 has no evictor API; kolk adds Flink's, under Flink's names, for
``window(...).evictor(...)``. An evictor removes elements from a window's pane just before
and/or just after the window function runs; the pane then keeps every element (not a running
reduction), as in Flink's ``EvictingWindowOperator``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kolk.common import Time

__all__ = [
    "CountEvictor",
    "DeltaEvictor",
    "Evictor",
    "EvictorContext",
    "TimeEvictor",
    "TimestampedValue",
]

T = TypeVar("T")
W = TypeVar("W")


class TimestampedValue(Generic[T]):
    """An element of a pane with its timestamp (None when the record has none)."""

    __slots__ = ("_timestamp", "_value")

    def __init__(self, value: T, timestamp: int | None = None) -> None:
        self._value = value
        self._timestamp = timestamp

    def get_value(self) -> T:
        """The element."""
        return self._value

    def get_timestamp(self) -> int:
        """The element's timestamp; raises ValueError when it has none."""
        if self._timestamp is None:
            raise ValueError("the element has no timestamp")
        return self._timestamp

    def has_timestamp(self) -> bool:
        """True if the element carries a timestamp."""
        return self._timestamp is not None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TimestampedValue)
            and other._value == self._value
            and other._timestamp == self._timestamp
        )

    def __hash__(self) -> int:
        return hash((self._value, self._timestamp))

    def __repr__(self) -> str:
        return f"TimestampedValue({self._value!r}, {self._timestamp!r})"


class EvictorContext(abc.ABC):
    """What an evictor may ask of its operator."""

    @abc.abstractmethod
    def get_current_processing_time(self) -> int:
        """The current processing time in ms."""

    @abc.abstractmethod
    def get_current_watermark(self) -> int:
        """The current event-time watermark."""


class Evictor(abc.ABC, Generic[T, W]):
    """Removes elements from a pane; ``elements`` is a list it may change in place."""

    @abc.abstractmethod
    def evict_before(
        self, elements: list[TimestampedValue[T]], size: int, window: W, ctx: EvictorContext
    ) -> None:
        """Called before the window function."""

    @abc.abstractmethod
    def evict_after(
        self, elements: list[TimestampedValue[T]], size: int, window: W, ctx: EvictorContext
    ) -> None:
        """Called after the window function."""


class _BeforeOrAfterEvictor(Evictor[Any, Any]):
    """Evicts either before the window function or, with ``do_evict_after``, after it."""

    do_evict_after: bool

    def evict_before(self, elements: list[Any], size: int, window: Any, ctx: Any) -> None:
        if not self.do_evict_after:
            self._evict(elements, size)

    def evict_after(self, elements: list[Any], size: int, window: Any, ctx: Any) -> None:
        if self.do_evict_after:
            self._evict(elements, size)

    @abc.abstractmethod
    def _evict(self, elements: list[Any], size: int) -> None:
        """Removes the evicted elements from ``elements`` in place."""


class CountEvictor(_BeforeOrAfterEvictor):
    """Keeps at most ``max_count`` elements: evicts the first ``size - max_count``."""

    def __init__(self, max_count: int, do_evict_after: bool = False) -> None:
        if max_count < 0:
            raise ValueError("max_count must be >= 0")
        self.max_count = max_count
        self.do_evict_after = do_evict_after

    @staticmethod
    def of(max_count: int, do_evict_after: bool = False) -> CountEvictor:
        """An evictor keeping the last ``max_count`` elements (after the function if asked)."""
        return CountEvictor(max_count, do_evict_after)

    def _evict(self, elements: list[Any], size: int) -> None:
        if size > self.max_count:
            del elements[: size - self.max_count]


class TimeEvictor(_BeforeOrAfterEvictor):
    """Keeps the elements of the last ``window_size`` of event time: evicts those with a
    timestamp <= (the largest timestamp in the pane) - ``window_size``. Elements without
    timestamps are left alone."""

    def __init__(self, window_size: int, do_evict_after: bool = False) -> None:
        self.window_size = window_size
        self.do_evict_after = do_evict_after

    @staticmethod
    def of(window_size: Time, do_evict_after: bool = False) -> TimeEvictor:
        """An evictor keeping the last ``window_size`` of elements."""
        return TimeEvictor(window_size.to_milliseconds(), do_evict_after)

    def _evict(self, elements: list[Any], size: int) -> None:
        if not elements or not elements[0].has_timestamp():
            return
        cutoff = max(e.get_timestamp() for e in elements) - self.window_size
        elements[:] = [e for e in elements if e.get_timestamp() > cutoff]


class DeltaEvictor(_BeforeOrAfterEvictor):
    """Evicts the elements whose ``delta_function(element, last element)`` is >=
    ``threshold``."""

    def __init__(
        self,
        threshold: float,
        delta_function: Callable[[Any, Any], float],
        do_evict_after: bool = False,
    ) -> None:
        self.threshold = threshold
        self.delta_function = delta_function
        self.do_evict_after = do_evict_after

    @staticmethod
    def of(
        threshold: float, delta_function: Callable[[Any, Any], float], do_evict_after: bool = False
    ) -> DeltaEvictor:
        """An evictor by distance to the last element."""
        return DeltaEvictor(threshold, delta_function, do_evict_after)

    def _evict(self, elements: list[Any], size: int) -> None:
        if not elements:
            return
        last = elements[-1].get_value()
        delta = self.delta_function
        elements[:] = [e for e in elements if delta(e.get_value(), last) < self.threshold]
