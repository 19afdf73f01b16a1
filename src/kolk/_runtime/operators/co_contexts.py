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
from kolk._runtime.operators.contexts import (
    CurrentKey,
    ElementTimestamp,
    FiringTimer,
    TaskTime,
    TimeQueries,
    Timers,
    UnkeyedTimerService,
)
from kolk._runtime.state.key_context import KeyContext
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


class _ReadOnlyStates:
    """``get_broadcast_state()`` as a read-only view (the element side)."""

    _states: BroadcastStateStore

    def get_broadcast_state(
        self, state_descriptor: MapStateDescriptor
    ) -> ReadOnlyBroadcastStateView:
        return self._states.get_read_only_broadcast_state(state_descriptor)


class _WritableStates:
    """``get_broadcast_state()`` read-write (the broadcast side)."""

    _states: BroadcastStateStore

    def get_broadcast_state(self, state_descriptor: MapStateDescriptor) -> HeapBroadcastState:
        return self._states.get_broadcast_state(state_descriptor)


# -- co-process ---------------------------------------------------------------------------------


class CoProcessContext(ElementTimestamp, Timers, CoProcessFunction.Context):
    """The context of a non-keyed ``CoProcessFunction``: timestamp and time queries."""

    def __init__(self, task_time: TaskTime) -> None:
        self._timer_service = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP


class KeyedCoProcessContext(
    ElementTimestamp,
    CurrentKey,
    Timers,
    KeyedCoProcessFunction.Context,
    CoProcessFunction.Context,
):
    """The context of ``process_element1/2`` on keyed connected streams."""

    def __init__(self, key_context: KeyContext, timer_service: TimerService) -> None:
        self._key_context = key_context
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP


class KeyedCoOnTimerContext(
    FiringTimer,
    ElementTimestamp,
    CurrentKey,
    Timers,
    KeyedCoProcessFunction.OnTimerContext,
    CoProcessFunction.Context,
):
    """The context of ``KeyedCoProcessFunction.on_timer``: the timer's time and domain."""

    def __init__(self, key_context: KeyContext, timer_service: TimerService) -> None:
        self._key_context = key_context
        self._timer_service = timer_service
        self._domain = TimeDomain.EVENT_TIME
        self.ts: Any = NO_TIMESTAMP


# -- broadcast process (non-keyed) --------------------------------------------------------------


class BroadcastContext(
    _WritableStates, ElementTimestamp, TimeQueries, BroadcastProcessFunction.Context
):
    """The context of ``BroadcastProcessFunction.process_broadcast_element``: writable state."""

    def __init__(self, states: BroadcastStateStore, task_time: TaskTime) -> None:
        self._states = states
        self._timer_service = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP


class BroadcastReadOnlyContext(
    _ReadOnlyStates, ElementTimestamp, TimeQueries, BroadcastProcessFunction.ReadOnlyContext
):
    """The context of ``BroadcastProcessFunction.process_element``: read-only state."""

    def __init__(self, states: BroadcastStateStore, task_time: TaskTime) -> None:
        self._states = states
        self._timer_service = UnkeyedTimerService(task_time)
        self.ts: Any = NO_TIMESTAMP


# -- keyed broadcast process --------------------------------------------------------------------


class KeyedBroadcastContext(
    _WritableStates, ElementTimestamp, TimeQueries, KeyedBroadcastProcessFunction.Context
):
    """The context of ``KeyedBroadcastProcessFunction.process_broadcast_element``: writable
    broadcast state, time queries; no key and no timers (as in Flink)."""

    def __init__(self, states: BroadcastStateStore, timer_service: TimerService) -> None:
        self._states = states
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP


class KeyedBroadcastReadOnlyContext(
    _ReadOnlyStates,
    ElementTimestamp,
    CurrentKey,
    Timers,
    KeyedBroadcastProcessFunction.ReadOnlyContext,
):
    """The context of ``KeyedBroadcastProcessFunction.process_element``: read-only broadcast
    state, the current key and its timers."""

    def __init__(
        self, states: BroadcastStateStore, key_context: KeyContext, timer_service: TimerService
    ) -> None:
        self._states = states
        self._key_context = key_context
        self._timer_service = timer_service
        self.ts: Any = NO_TIMESTAMP


class KeyedBroadcastOnTimerContext(
    _ReadOnlyStates,
    FiringTimer,
    ElementTimestamp,
    CurrentKey,
    Timers,
    KeyedBroadcastProcessFunction.OnTimerContext,
):
    """The context of ``KeyedBroadcastProcessFunction.on_timer``."""

    def __init__(
        self, states: BroadcastStateStore, key_context: KeyContext, timer_service: TimerService
    ) -> None:
        self._states = states
        self._key_context = key_context
        self._timer_service = timer_service
        self._domain = TimeDomain.EVENT_TIME
        self.ts: Any = NO_TIMESTAMP
