"""Co-process operators: ``ConnectedStreams.process``.

:class:`CoProcessOperator` ("Co-Process") runs a ``CoProcessFunction`` on non-keyed connected
streams: ``process_element1``/``process_element2`` get a context with the element's timestamp
and a timer service for time queries only (registering a timer raises, as PyFlink's
``NonKeyedTimerServiceImpl`` and Flink's ``CoProcessOperator`` refuse it).

:class:`KeyedCoProcessOperator` ("Keyed Co-Process") runs a ``KeyedCoProcessFunction`` -- or a
``CoProcessFunction``, which Flink then runs keyed too -- on keyed connected streams: each
element runs with its key set (keyed state, ``ctx.get_current_key()``), timers are registered
for the current key and fire ``on_timer`` (PyFlink's ``extract_stateful_function``,
KEYED_CO_PROCESS branch, in pyflink/fn_execution/datastream/process/operations.py).
"""

from __future__ import annotations

from typing import Any

from kolk._runtime.errors import describe_function
from kolk._runtime.operators.base import OperatorEnvironment
from kolk._runtime.operators.co_base import CoFunctionOperator, KeyedCoFunctionOperator
from kolk._runtime.operators.co_contexts import (
    CoProcessContext,
    KeyedCoOnTimerContext,
    KeyedCoProcessContext,
)
from kolk._runtime.operators.contexts import KeyedTimerService
from kolk.datastream.functions import CoProcessFunction, KeyedCoProcessFunction

__all__ = ["CoProcessOperator", "KeyedCoProcessOperator"]


class CoProcessOperator(CoFunctionOperator):
    """``process_element1/2(value, ctx)`` of a ``CoProcessFunction``, not keyed.

    Raises:
        TypeError: the function is not a CoProcessFunction.
    """

    def __init__(self, function: Any) -> None:
        if not isinstance(function, CoProcessFunction):
            raise TypeError(
                f"ConnectedStreams.process expects a CoProcessFunction on non-keyed connected "
                f"streams, got {type(function).__name__}"
            )
        super().__init__(function)
        self._call1 = function.process_element1
        self._call2 = function.process_element2

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        ctx = CoProcessContext(env.task_time)
        self._input1 = (self._call1, ctx, self._call1)
        self._input2 = (self._call2, ctx, self._call2)


class KeyedCoProcessOperator(KeyedCoFunctionOperator):
    """``process_element1/2(value, ctx)`` with the current key, keyed state and timers.

    Both inputs are keyed; their records arrive with their keys. ``on_timer`` outputs carry the
    timer's time in event time and no timestamp in processing time.

    Raises:
        TypeError: the function is neither a KeyedCoProcessFunction nor a CoProcessFunction.
    """

    def __init__(self, function: Any) -> None:
        if not isinstance(function, (KeyedCoProcessFunction, CoProcessFunction)):
            raise TypeError(
                f"ConnectedStreams.process expects a KeyedCoProcessFunction or a "
                f"CoProcessFunction on keyed connected streams, got {type(function).__name__}"
            )
        super().__init__(function)
        self._call1 = function.process_element1
        self._call2 = function.process_element2

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        assert env.key_context is not None  # checked by KeyedCoFunctionOperator.setup
        service = KeyedTimerService(self._timers)
        ctx = KeyedCoProcessContext(env.key_context, service)
        self._on_timer_ctx = KeyedCoOnTimerContext(env.key_context, service)
        self._input1 = (self._call1, ctx, self._call1)
        self._input2 = (self._call2, ctx, self._call2)

    def _timer_context(self) -> KeyedCoOnTimerContext:
        return self._on_timer_ctx

    def _on_timer(self) -> Any:
        on_timer = getattr(self.function, "on_timer", None)
        if on_timer is None:
            # A CoProcessFunction has no on_timer; PyFlink fails with an AttributeError here.
            raise TypeError(
                f"a timer fired in operator '{self.name}', but "
                f"{describe_function(self.function)} has no on_timer(); use a "
                f"KeyedCoProcessFunction to handle timers"
            )
        return on_timer
