"""The contexts handed to co-process and broadcast process functions.

Each context is made once per operator and updated per record: the operator sets ``ts`` (the
element's timestamp, ``Long.MIN_VALUE`` when the input carries none, as PyFlink passes Java's
``StreamRecord.getTimestamp()``) and, for keyed operators, the shared
:class:`~kolk._runtime.state.key_context.KeyContext` holds the current key. Timer contexts also
get the firing timer's time domain.

Time queries: keyed contexts ask the operator's
:class:`~kolk._runtime.time.timer_service.InternalTimerService` (its watermark is the combined
watermark of both inputs); non-keyed ones ask the task's
:class:`~kolk._runtime.operators.contexts.TaskTime` and the wall clock through an
:class:`~kolk._runtime.operators.contexts.UnkeyedTimerService`, which refuses timers.

A keyed co-process context is also a ``CoProcessFunction.Context``: Flink runs a
``CoProcessFunction`` on keyed connected streams keyed (``LegacyKeyedCoProcessOperator``), and
PyFlink hands it the keyed context.
"""

from __future__ import annotations

from typing import Any

from kolk._runtime.operators.co_broadcast_state import (
    BroadcastStateStore,
    HeapBroadcastState,
    ReadOnlyBroadcastStateView,
)
from kolk._runtime.operators.contexts import TaskTime, UnkeyedTimerService
from kolk._runtime.state.key_context import NO_KEY_GROUP, KeyContext
from kolk._runtime.time.watermark import NO_TIMESTAMP
from kolk.datastream.functions import (
    BroadcastProcessFunction,
    CoProcessFunction,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
)
from kolk.datastream.state import MapStateDescriptor
from kolk.datastream.time_domain import TimeDomain
from kolk.datastream.timerservice import TimerService
from kolk.util.exceptions import StateAccessException

__all__ = [
    "BroadcastContext",
    "BroadcastReadOnlyContext",
    "CoProcessContext",
    "KeyedBroadcastContext",
    "KeyedBroadcastOnTimerContext",
    "KeyedBroadcastReadOnlyContext",
    "KeyedCoOnTimerContext",
    "KeyedCoProcessContext",
]


def _current_key(key_context: KeyContext) -> Any:
    if key_context.key_group == NO_KEY_GROUP:
        raise StateAccessException("get_current_key() called outside a keyed context")
    return key_context.key


# -- co-process ---------------------------------------------------------------------------------


class CoProcessContext(CoProcessFunction.Context):
    """The context of a non-keyed ``CoProcessFunction``: timestamp and time queries."""

    __slots__ = ("_timer_service", "ts")

    def __init__(self, task_time: TaskTime) -> None:
        self._timer_service = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP

    def timer_service(self) -> TimerService:
        return self._timer_service

    def timestamp(self) -> Any:
        return self.ts


class KeyedCoProcessContext(KeyedCoProcessFunction.Context, CoProcessFunction.Context):
    """The context of ``process_element1/2`` on keyed connected streams."""

    __slots__ = ("_key_context", "_timer_service", "ts")

    def __init__(self, key_context: KeyContext, timer_service: TimerService) -> None:
        self._key_context = key_context
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP

    def get_current_key(self) -> Any:
        return _current_key(self._key_context)

    def timer_service(self) -> TimerService:
        return self._timer_service

    def timestamp(self) -> Any:
        return self.ts


class KeyedCoOnTimerContext(KeyedCoProcessFunction.OnTimerContext, CoProcessFunction.Context):
    """The context of ``KeyedCoProcessFunction.on_timer``: the timer's time and domain."""

    __slots__ = ("_domain", "_key_context", "_timer_service", "ts")

    def __init__(self, key_context: KeyContext, timer_service: TimerService) -> None:
        self._key_context = key_context
        self._timer_service = timer_service
        self._domain = TimeDomain.EVENT_TIME
        self.ts: Any = NO_TIMESTAMP

    def fire(self, timestamp: int, domain: TimeDomain) -> None:
        """Prepares the context for one firing timer."""
        self.ts = timestamp
        self._domain = domain

    def get_current_key(self) -> Any:
        return _current_key(self._key_context)

    def timer_service(self) -> TimerService:
        return self._timer_service

    def timestamp(self) -> Any:
        return self.ts

    def time_domain(self) -> TimeDomain:
        return self._domain


# -- broadcast process (non-keyed) --------------------------------------------------------------


class BroadcastContext(BroadcastProcessFunction.Context):
    """The context of ``BroadcastProcessFunction.process_broadcast_element``: writable state."""

    __slots__ = ("_states", "_time", "ts")

    def __init__(self, states: BroadcastStateStore, task_time: TaskTime) -> None:
        self._states = states
        self._time = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP

    def get_broadcast_state(self, state_descriptor: MapStateDescriptor) -> HeapBroadcastState:
        return self._states.get_broadcast_state(state_descriptor)

    def timestamp(self) -> Any:
        return self.ts

    def current_processing_time(self) -> int:
        return self._time.current_processing_time()

    def current_watermark(self) -> int:
        return self._time.current_watermark()


class BroadcastReadOnlyContext(BroadcastProcessFunction.ReadOnlyContext):
    """The context of ``BroadcastProcessFunction.process_element``: read-only state."""

    __slots__ = ("_states", "_time", "ts")

    def __init__(self, states: BroadcastStateStore, task_time: TaskTime) -> None:
        self._states = states
        self._time = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP

    def get_broadcast_state(
        self, state_descriptor: MapStateDescriptor
    ) -> ReadOnlyBroadcastStateView:
        return self._states.get_read_only_broadcast_state(state_descriptor)

    def timestamp(self) -> Any:
        return self.ts

    def current_processing_time(self) -> int:
        return self._time.current_processing_time()

    def current_watermark(self) -> int:
        return self._time.current_watermark()


# -- keyed broadcast process --------------------------------------------------------------------


class KeyedBroadcastContext(KeyedBroadcastProcessFunction.Context):
    """The context of ``KeyedBroadcastProcessFunction.process_broadcast_element``: writable
    broadcast state, time queries; no key and no timers (as in Flink)."""

    __slots__ = ("_states", "_timer_service", "ts")

    def __init__(self, states: BroadcastStateStore, timer_service: TimerService) -> None:
        self._states = states
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP

    def get_broadcast_state(self, state_descriptor: MapStateDescriptor) -> HeapBroadcastState:
        return self._states.get_broadcast_state(state_descriptor)

    def timestamp(self) -> Any:
        return self.ts

    def current_processing_time(self) -> int:
        return self._timer_service.current_processing_time()

    def current_watermark(self) -> int:
        return self._timer_service.current_watermark()


class KeyedBroadcastReadOnlyContext(KeyedBroadcastProcessFunction.ReadOnlyContext):
    """The context of ``KeyedBroadcastProcessFunction.process_element``: read-only broadcast
    state, the current key and its timers."""

    __slots__ = ("_key_context", "_states", "_timer_service", "ts")

    def __init__(
        self, states: BroadcastStateStore, key_context: KeyContext, timer_service: TimerService
    ) -> None:
        self._states = states
        self._key_context = key_context
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP

    def get_broadcast_state(
        self, state_descriptor: MapStateDescriptor
    ) -> ReadOnlyBroadcastStateView:
        return self._states.get_read_only_broadcast_state(state_descriptor)

    def get_current_key(self) -> Any:
        return _current_key(self._key_context)

    def timer_service(self) -> TimerService:
        return self._timer_service

    def timestamp(self) -> Any:
        return self.ts

    def current_processing_time(self) -> int:
        return self._timer_service.current_processing_time()

    def current_watermark(self) -> int:
        return self._timer_service.current_watermark()


class KeyedBroadcastOnTimerContext(KeyedBroadcastProcessFunction.OnTimerContext):
    """The context of ``KeyedBroadcastProcessFunction.on_timer``."""

    __slots__ = ("_domain", "_key_context", "_states", "_timer_service", "ts")

    def __init__(
        self, states: BroadcastStateStore, key_context: KeyContext, timer_service: TimerService
    ) -> None:
        self._states = states
        self._key_context = key_context
        self._timer_service = timer_service
        self._domain = TimeDomain.EVENT_TIME
        self.ts: Any = NO_TIMESTAMP

    def fire(self, timestamp: int, domain: TimeDomain) -> None:
        """Prepares the context for one firing timer."""
        self.ts = timestamp
        self._domain = domain

    def get_broadcast_state(
        self, state_descriptor: MapStateDescriptor
    ) -> ReadOnlyBroadcastStateView:
        return self._states.get_read_only_broadcast_state(state_descriptor)

    def get_current_key(self) -> Any:
        return _current_key(self._key_context)

    def timer_service(self) -> TimerService:
        return self._timer_service

    def time_domain(self) -> TimeDomain:
        return self._domain

    def timestamp(self) -> Any:
        return self.ts

    def current_processing_time(self) -> int:
        return self._timer_service.current_processing_time()

    def current_watermark(self) -> int:
        return self._timer_service.current_watermark()
