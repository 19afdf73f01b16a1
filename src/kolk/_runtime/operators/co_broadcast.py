"""Broadcast process operators: ``BroadcastConnectedStream.process``.

Input 1 is the non-broadcast stream (``process_element``), input 2 the broadcast stream
(``process_broadcast_element``), whose every element reaches every subtask. Each operator
instance owns a :class:`~kolk._runtime.operators.co_broadcast_state.BroadcastStateStore` with
one map per descriptor given to ``broadcast(...)``: writable from the broadcast side, read-only
from the element side and from ``on_timer`` (Flink's ``CoBroadcastWithNonKeyedOperator`` and
``CoBroadcastWithKeyedOperator``; PyFlink's CO_BROADCAST_PROCESS and KEYED_CO_BROADCAST_PROCESS
branches in pyflink/fn_execution/datastream/process/operations.py).

:class:`BroadcastProcessOperator` ("Co-Process-Broadcast") is not keyed: its contexts offer the
timestamp, the processing time and the watermark. :class:`KeyedBroadcastProcessOperator`
("Keyed-Co-Process-Broadcast") is keyed on input 1: elements run with their key set (keyed
state, ``ctx.get_current_key()``, timers, ``on_timer``); broadcast elements run with no key
set, so keyed state used there raises instead of touching whichever key came last (PyFlink
and Flink leave the previous key set; Flink's ``Context.applyToKeyedState`` is not in
PyFlink, so kolk has none either).

Which input is processed first is up to the schedule, as in Flink: a program that needs the
rules before the events must buffer the events itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kolk._runtime.operators.base import OperatorEnvironment
from kolk._runtime.operators.co_base import CoFunctionOperator, KeyedCoFunctionOperator
from kolk._runtime.operators.co_broadcast_state import BroadcastStateStore
from kolk._runtime.operators.co_contexts import (
    BroadcastContext,
    BroadcastReadOnlyContext,
    KeyedBroadcastContext,
    KeyedBroadcastOnTimerContext,
    KeyedBroadcastReadOnlyContext,
)
from kolk._runtime.operators.contexts import KeyedTimerService
from kolk.datastream.functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from kolk.datastream.state import MapStateDescriptor

__all__ = ["BroadcastProcessOperator", "KeyedBroadcastProcessOperator"]


class BroadcastProcessOperator(CoFunctionOperator):
    """A ``BroadcastProcessFunction`` over a non-keyed stream and a broadcast stream.

    Args:
        function: this subtask's copy of the function.
        descriptors: the broadcast state descriptors given to ``broadcast(...)``.

    Raises:
        TypeError: the function is not a BroadcastProcessFunction.
    """

    #: The broadcast side runs without a key (as in Flink).
    _second_input_keyed = False

    def __init__(self, function: Any, descriptors: Sequence[MapStateDescriptor]) -> None:
        if not isinstance(function, BroadcastProcessFunction):
            raise TypeError(
                f"BroadcastConnectedStream.process expects a BroadcastProcessFunction on a "
                f"non-keyed stream, got {type(function).__name__}"
            )
        super().__init__(function)
        self.broadcast_states = BroadcastStateStore(descriptors)
        self._call1 = function.process_element
        self._call2 = function.process_broadcast_element

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        read_only = BroadcastReadOnlyContext(self.broadcast_states, env.task_time)
        self._input1 = (self._call1, read_only, self._call1)
        self._input2 = (
            self._call2,
            BroadcastContext(self.broadcast_states, env.task_time),
            self._call2,
        )


class KeyedBroadcastProcessOperator(KeyedCoFunctionOperator):
    """A ``KeyedBroadcastProcessFunction`` over a keyed stream and a broadcast stream.

    Args:
        function: this subtask's copy of the function.
        descriptors: the broadcast state descriptors given to ``broadcast(...)``.

    Raises:
        TypeError: the function is not a KeyedBroadcastProcessFunction.
    """

    #: The broadcast side runs without a key (as in Flink).
    _second_input_keyed = False

    def __init__(self, function: Any, descriptors: Sequence[MapStateDescriptor]) -> None:
        if not isinstance(function, KeyedBroadcastProcessFunction):
            raise TypeError(
                f"BroadcastConnectedStream.process expects a KeyedBroadcastProcessFunction on "
                f"a KeyedStream, got {type(function).__name__}"
            )
        super().__init__(function)
        self.broadcast_states = BroadcastStateStore(descriptors)
        self._call1 = function.process_element
        self._call2 = function.process_broadcast_element

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        assert env.key_context is not None  # checked by KeyedCoFunctionOperator.setup
        service = KeyedTimerService(self._timers)
        states = self.broadcast_states
        read_only = KeyedBroadcastReadOnlyContext(states, env.key_context, service)
        self._on_timer_ctx = KeyedBroadcastOnTimerContext(states, env.key_context, service)
        self._input1 = (self._call1, read_only, self._call1)
        self._input2 = (self._call2, KeyedBroadcastContext(states, service), self._call2)

    def _timer_context(self) -> KeyedBroadcastOnTimerContext:
        return self._on_timer_ctx
