"""Timers per key and namespace (Flink's ``InternalTimerServiceImpl``).

A timer is (timestamp, key, namespace); registering the same timer twice is a no-op, and a
timer fires once. Event-time timers fire, in timestamp order, when the watermark reaches their
timestamp (:meth:`InternalTimerService.advance_watermark`), *before* the watermark is
forwarded; processing-time timers fire when the clock reaches them
(:meth:`InternalTimerService.on_processing_time`). Before calling back, the service makes the
timer's key the current key, so keyed state and ``ctx.get_current_key()`` work in ``on_timer``.

Threading model: owned by one keyed operator of one subtask; all calls on its task's thread.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from kolk._runtime.time.watermark import MIN_WATERMARK

__all__ = ["VOID_NAMESPACE", "InternalTimer", "InternalTimerService", "Triggerable"]

#: The namespace of timers registered through a process function's timer service.
VOID_NAMESPACE: Any = None


class InternalTimer(NamedTuple):
    """A registered timer."""

    timestamp: int
    key: Any
    key_group: int
    namespace: Any


class Triggerable(Protocol):
    """The operator called back when its timers fire."""

    def on_event_time(self, timer: InternalTimer) -> None:
        """An event-time timer fired (the watermark reached its timestamp)."""

    def on_processing_time(self, timer: InternalTimer) -> None:
        """A processing-time timer fired (the clock reached its timestamp)."""


class _TimerQueue:
    """A min-heap of timers by timestamp with a set for deduplication (Flink's
    ``HeapPriorityQueueSet``); deletion is lazy. Ties fire in registration order."""

    __slots__ = ("_heap", "_live", "_sequence")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, InternalTimer]] = []
        self._live: set[tuple[int, Any, Any]] = set()
        self._sequence = itertools.count()

    def add(self, timer: InternalTimer) -> bool:
        identity = (timer.timestamp, timer.key, timer.namespace)
        if identity in self._live:
            return False
        self._live.add(identity)
        heapq.heappush(self._heap, (timer.timestamp, next(self._sequence), timer))
        return True

    def remove(self, timestamp: int, key: Any, namespace: Any) -> None:
        self._live.discard((timestamp, key, namespace))

    def peek_timestamp(self) -> int | None:
        heap = self._heap
        while heap:
            timer = heap[0][2]
            if (timer.timestamp, timer.key, timer.namespace) in self._live:
                return timer.timestamp
            heapq.heappop(heap)
        return None

    def pop(self) -> InternalTimer:
        timer = heapq.heappop(self._heap)[2]
        self._live.discard((timer.timestamp, timer.key, timer.namespace))
        return timer

    def __len__(self) -> int:
        return len(self._live)


class InternalTimerService:
    """Event- and processing-time timers of one keyed operator.

    Args:
        key_context: the operator's key context (read on register, set on fire).
        triggerable: called back when timers fire.
        processing_time: the current processing time in ms.
        schedule_processing_time: asks the task to call :meth:`on_processing_time` at (or
            after) the given time; called whenever a new earliest processing-time timer appears.
    """

    def __init__(
        self,
        key_context: Any,
        triggerable: Triggerable,
        processing_time: Callable[[], int],
        schedule_processing_time: Callable[[int], None],
    ) -> None:
        self._key_context = key_context
        self._triggerable = triggerable
        self._processing_time = processing_time
        self._schedule = schedule_processing_time
        self._event_timers = _TimerQueue()
        self._processing_timers = _TimerQueue()
        self.current_watermark = MIN_WATERMARK
        self.num_fired_timers = 0

    def current_processing_time(self) -> int:
        """The current processing time in ms."""
        return self._processing_time()

    def _current(self) -> tuple[Any, int]:
        ctx = self._key_context
        return ctx.key, ctx.key_group

    def register_event_time_timer(self, namespace: Any, timestamp: int) -> None:
        """Registers an event-time timer for the current key (no-op if it exists)."""
        key, key_group = self._current()
        self._event_timers.add(InternalTimer(timestamp, key, key_group, namespace))

    def delete_event_time_timer(self, namespace: Any, timestamp: int) -> None:
        """Deletes the current key's event-time timer at ``timestamp``, if any."""
        self._event_timers.remove(timestamp, self._key_context.key, namespace)

    def register_processing_time_timer(self, namespace: Any, timestamp: int) -> None:
        """Registers a processing-time timer for the current key (no-op if it exists)."""
        key, key_group = self._current()
        earliest = self._processing_timers.peek_timestamp()
        if self._processing_timers.add(InternalTimer(timestamp, key, key_group, namespace)) and (
            earliest is None or timestamp < earliest
        ):
            self._schedule(timestamp)

    def delete_processing_time_timer(self, namespace: Any, timestamp: int) -> None:
        """Deletes the current key's processing-time timer at ``timestamp``, if any."""
        self._processing_timers.remove(timestamp, self._key_context.key, namespace)

    def advance_watermark(self, watermark: int) -> None:
        """Fires every event-time timer with timestamp <= ``watermark``, in order."""
        self.current_watermark = watermark
        queue = self._event_timers
        ctx = self._key_context
        while True:
            timestamp = queue.peek_timestamp()
            if timestamp is None or timestamp > watermark:
                break
            timer = queue.pop()
            ctx.key = timer.key
            ctx.key_group = timer.key_group
            self.num_fired_timers += 1
            self._triggerable.on_event_time(timer)
        ctx.key = None
        ctx.key_group = -1

    def on_processing_time(self, now: int) -> None:
        """Fires every processing-time timer with timestamp <= ``now``; re-schedules the rest."""
        queue = self._processing_timers
        ctx = self._key_context
        while True:
            timestamp = queue.peek_timestamp()
            if timestamp is None:
                break
            if timestamp > now:
                self._schedule(timestamp)
                break
            timer = queue.pop()
            ctx.key = timer.key
            ctx.key_group = timer.key_group
            self.num_fired_timers += 1
            self._triggerable.on_processing_time(timer)
        ctx.key = None
        ctx.key_group = -1

    def num_event_time_timers(self) -> int:
        """Registered event-time timers (tests, metrics)."""
        return len(self._event_timers)

    def num_processing_time_timers(self) -> int:
        """Registered processing-time timers (tests, metrics)."""
        return len(self._processing_timers)
