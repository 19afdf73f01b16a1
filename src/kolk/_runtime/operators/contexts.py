"""The contexts handed to process functions, and their timer services.

``ctx.timestamp()`` is the record's timestamp, or ``Long.MIN_VALUE`` when it has none (what
PyFlink passes: Java's ``StreamRecord.getTimestamp()``); the fused loop sets ``ts`` per
record on streams that carry timestamps. ``ctx.timer_service()`` reads the task's watermark
and the clock; keyed contexts register timers for the current key.
"""

from __future__ import annotations

import time
from typing import Any

from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.timer_service import VOID_NAMESPACE, InternalTimerService
from kolk._runtime.time.watermark import MIN_WATERMARK, NO_TIMESTAMP
from kolk.datastream.functions import KeyedProcessFunction, ProcessFunction
from kolk.datastream.time_domain import TimeDomain
from kolk.datastream.timerservice import TimerService
from kolk.util.exceptions import StateAccessException

__all__ = [
    "CurrentKey",
    "ElementTimestamp",
    "FiringTimer",
    "KeyedProcessContext",
    "KeyedTimerService",
    "OnTimerContext",
    "ProcessContext",
    "TaskTime",
    "TimeQueries",
    "Timers",
    "UnkeyedTimerService",
]


class TaskTime:
    """The task's current input watermark (updated by the task, read by contexts)."""

    __slots__ = ("watermark",)

    def __init__(self) -> None:
        self.watermark = MIN_WATERMARK


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class UnkeyedTimerService(TimerService):
    """A non-keyed function's timer service: time queries only (as in Flink)."""

    def __init__(self, task_time: TaskTime) -> None:
        self._task_time = task_time

    def current_processing_time(self) -> int:
        return _wall_clock_ms()

    def current_watermark(self) -> int:
        return self._task_time.watermark

    def _refuse(self) -> None:
        raise RuntimeError(
            "Setting timers is only supported on a keyed streams. Apply key_by(...) and use a "
            "KeyedProcessFunction to register timers."
        )

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._refuse()

    def register_event_time_timer(self, timestamp: int) -> None:
        self._refuse()

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._refuse()

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._refuse()


class KeyedTimerService(TimerService):
    """A keyed function's timer service: timers for the current key."""

    def __init__(self, timers: InternalTimerService) -> None:
        self._timers = timers

    def current_processing_time(self) -> int:
        return self._timers.current_processing_time()

    def current_watermark(self) -> int:
        return self._timers.current_watermark

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._timers.register_processing_time_timer(VOID_NAMESPACE, timestamp)

    def register_event_time_timer(self, timestamp: int) -> None:
        self._timers.register_event_time_timer(VOID_NAMESPACE, timestamp)

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._timers.delete_processing_time_timer(VOID_NAMESPACE, timestamp)

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._timers.delete_event_time_timer(VOID_NAMESPACE, timestamp)


# -- parts shared by the contexts (mixins: put them before the PyFlink context class) ----------


class ElementTimestamp:
    """``timestamp()``: the ``ts`` the operator sets per record (or the firing timer's time)."""

    ts: Any

    def timestamp(self) -> Any:
        return self.ts


class TimeQueries:
    """``current_processing_time()`` / ``current_watermark()`` from ``_timer_service``."""

    _timer_service: TimerService

    def current_processing_time(self) -> int:
        return self._timer_service.current_processing_time()

    def current_watermark(self) -> int:
        return self._timer_service.current_watermark()


class Timers(TimeQueries):
    """``timer_service()`` too (contexts that may register timers or ask the service)."""

    def timer_service(self) -> TimerService:
        return self._timer_service


class CurrentKey:
    """``get_current_key()`` from ``_key_context``; refused while no key is set."""

    _key_context: KeyContext

    def get_current_key(self) -> Any:
        if self._key_context.key_group < 0:
            raise StateAccessException("get_current_key() called outside a keyed context")
        return self._key_context.key


class FiringTimer:
    """``fire()`` prepares the context for a firing timer; ``time_domain()`` reports it."""

    ts: Any
    _domain: TimeDomain

    def fire(self, timestamp: int, domain: TimeDomain) -> None:
        """Prepares the context for one firing timer."""
        self.ts = timestamp
        self._domain = domain

    def time_domain(self) -> TimeDomain:
        return self._domain


class ProcessContext(ElementTimestamp, Timers, ProcessFunction.Context):
    """The context of ``ProcessFunction.process_element``."""

    def __init__(self, task_time: TaskTime) -> None:
        self._timer_service = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP


class KeyedProcessContext(ElementTimestamp, CurrentKey, Timers, KeyedProcessFunction.Context):
    """The context of ``KeyedProcessFunction.process_element``: the current key, timers."""

    def __init__(self, key_context: KeyContext, timer_service: TimerService) -> None:
        self._key_context = key_context
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP


class OnTimerContext(
    FiringTimer, ElementTimestamp, CurrentKey, Timers, KeyedProcessFunction.OnTimerContext
):
    """The context of ``KeyedProcessFunction.on_timer``: the firing timer's time and domain."""

    def __init__(self, key_context: KeyContext, timer_service: TimerService) -> None:
        self._key_context = key_context
        self._timer_service = timer_service
        self._domain = TimeDomain.EVENT_TIME
        self.ts: Any = NO_TIMESTAMP
