"""ReducingState and AggregatingState over the heap backend, without and with TTL.

Both keep one value per key: the reduced value, or the accumulator. Semantics are Flink's
``HeapReducingState``/``HeapAggregatingState``, which PyFlink 2.3 follows
(fn_execution/state_impl.py, ``SynchronousReducingRuntimeState`` L223-252 and
``SynchronousAggregatingRuntimeState`` L255-294):

* ``get()`` is None until something is added;
* the first value added to a ReducingState is stored as it is, each later one is
  ``reduce(current, value)``; an AggregatingState starts from ``create_accumulator()`` and
  stores ``add(value, accumulator)``, and ``get()`` is ``get_result(accumulator)``;
* adding None clears the state (Java's ``add(null)``; PyFlink's AggregatingState too);
* a function result of None leaves the key without state.

Exceptions raised by the user's function propagate unchanged; the operator running the user
code names the operator and subtask.

With TTL (Flink's ``TtlReducingState`` with ``TtlReduceFunction``, ``TtlAggregatingState``
with ``TtlAggregateFunction``) the stored value is ``(value, ts)``; ``add`` reduces into, or
adds to, the current value only if it is unexpired, or expired with
``ReturnExpiredIfNotCleanedUp``; otherwise it starts afresh.
"""

from __future__ import annotations

from typing import Any

from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.state_table import KeyGroupedState
from kolk._runtime.state.ttl import TtlSettings, TtlState
from kolk.datastream.state import AggregatingState, ReducingState

__all__ = [
    "HeapAggregatingState",
    "HeapReducingState",
    "TtlAggregatingState",
    "TtlReducingState",
]


class HeapReducingState(KeyGroupedState, ReducingState[Any]):
    """ReducingState over the heap backend.

    Args:
        reduce_function: an object with ``reduce(value1, value2)`` (a ReduceFunction).
    """

    __slots__ = ("_reduce",)

    def __init__(
        self, name: str, ctx: KeyContext, max_parallelism: int, reduce_function: Any
    ) -> None:
        super().__init__(name, ctx, max_parallelism)
        self._reduce = reduce_function.reduce

    def get(self) -> Any:
        ctx = self._ctx
        return self._tables[ctx.key_group].get(ctx.key)

    def add(self, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        current = table.get(ctx.key)
        if value is not None and current is not None:
            value = self._reduce(current, value)
        if value is None:
            table.pop(ctx.key, None)
        else:
            table[ctx.key] = value


class TtlReducingState(TtlState, ReducingState[Any]):
    """ReducingState with TTL: the reduced value is stored as ``(value, ts)``."""

    __slots__ = ("_reduce",)

    def __init__(
        self,
        name: str,
        ctx: KeyContext,
        max_parallelism: int,
        settings: TtlSettings,
        reduce_function: Any,
    ) -> None:
        super().__init__(name, ctx, max_parallelism, settings)
        self._reduce = reduce_function.reduce

    def get(self) -> Any:
        ctx = self._ctx
        return self._read_single(self._tables[ctx.key_group], ctx.key)

    def add(self, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        current = table.get(ctx.key)
        if value is None:
            table.pop(ctx.key, None)
            return
        now = self._now()
        if current is not None and (self._return_expired or current[1] + self._ttl_ms > now):
            value = self._reduce(current[0], value)
        if value is None:
            table.pop(ctx.key, None)
        else:
            table[ctx.key] = (value, now)


class HeapAggregatingState(KeyGroupedState, AggregatingState[Any, Any]):
    """AggregatingState over the heap backend: the accumulator is stored per key.

    Args:
        agg_function: an AggregateFunction (``create_accumulator``, ``add``, ``get_result``).
    """

    __slots__ = ("_function",)

    def __init__(self, name: str, ctx: KeyContext, max_parallelism: int, agg_function: Any) -> None:
        super().__init__(name, ctx, max_parallelism)
        self._function = agg_function

    def get(self) -> Any:
        ctx = self._ctx
        accumulator = self._tables[ctx.key_group].get(ctx.key)
        return None if accumulator is None else self._function.get_result(accumulator)

    def add(self, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        accumulator = table.get(ctx.key)
        if value is None:
            table.pop(ctx.key, None)
            return
        function = self._function
        if accumulator is None:
            accumulator = function.create_accumulator()
        accumulator = function.add(value, accumulator)
        if accumulator is None:
            table.pop(ctx.key, None)
        else:
            table[ctx.key] = accumulator


class TtlAggregatingState(TtlState, AggregatingState[Any, Any]):
    """AggregatingState with TTL: the accumulator is stored as ``(accumulator, ts)``."""

    __slots__ = ("_function",)

    def __init__(
        self,
        name: str,
        ctx: KeyContext,
        max_parallelism: int,
        settings: TtlSettings,
        agg_function: Any,
    ) -> None:
        super().__init__(name, ctx, max_parallelism, settings)
        self._function = agg_function

    def get(self) -> Any:
        ctx = self._ctx
        accumulator = self._read_single(self._tables[ctx.key_group], ctx.key)
        return None if accumulator is None else self._function.get_result(accumulator)

    def add(self, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        current = table.get(ctx.key)
        if value is None:
            table.pop(ctx.key, None)
            return
        now = self._now()
        function = self._function
        if current is not None and (self._return_expired or current[1] + self._ttl_ms > now):
            accumulator = current[0]
        else:
            accumulator = function.create_accumulator()
        accumulator = function.add(value, accumulator)
        if accumulator is None:
            table.pop(ctx.key, None)
        else:
            table[ctx.key] = (accumulator, now)
