"""ReducingState and AggregatingState over the heap backend (no TTL)."""

from __future__ import annotations

from typing import Any

import pytest
from state_helpers import Average, Sum

from kolk._runtime.state.aggregating_state import HeapAggregatingState, HeapReducingState
from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk.common.typeinfo import Types
from kolk.datastream.functions import AggregateFunction
from kolk.datastream.state import (
    AggregatingState,
    AggregatingStateDescriptor,
    ReducingState,
    ReducingStateDescriptor,
)

# -- ReducingState --------------------------------------------------------------------------------


@pytest.fixture
def reducing(backend: HeapKeyedStateBackend) -> HeapReducingState:
    created = backend.get_reducing_state(ReducingStateDescriptor("sum", Sum(), Types.INT()))
    assert isinstance(created, HeapReducingState)
    assert isinstance(created, ReducingState)
    return created


def test_reducing_state_combines_values_per_key(
    ctx: KeyContext, reducing: HeapReducingState
) -> None:
    ctx.set_current_key("a", 2)
    assert reducing.get() is None
    reducing.add(1)
    assert reducing.get() == 1
    reducing.add(2)
    ctx.set_current_key("b", 9)
    reducing.add(10)
    ctx.set_current_key("a", 2)
    reducing.add(3)
    assert reducing.get() == 6
    assert reducing.tables() == {2: {"a": 6}, 9: {"b": 10}}


def test_reduce_is_called_with_the_current_value_first(
    ctx: KeyContext, backend: HeapKeyedStateBackend
) -> None:
    calls: list[tuple[Any, Any]] = []

    def concat(current: Any, value: Any) -> Any:
        calls.append((current, value))
        return current + value

    state = backend.get_reducing_state(ReducingStateDescriptor("s", concat, Types.STRING()))
    ctx.set_current_key("a", 1)
    for value in "xyz":
        state.add(value)
    assert state.get() == "xyz"
    assert calls == [("x", "y"), ("xy", "z")], "the first value is stored as it is"


def test_reducing_state_add_none_clears_as_in_flink(
    ctx: KeyContext, reducing: HeapReducingState
) -> None:
    ctx.set_current_key("a", 1)
    reducing.add(5)
    reducing.add(None)
    assert reducing.get() is None
    assert reducing.tables() == {}


def test_reducing_state_clear(ctx: KeyContext, reducing: HeapReducingState) -> None:
    ctx.set_current_key("a", 1)
    reducing.add(5)
    reducing.clear()
    assert reducing.get() is None
    reducing.add(2)
    assert reducing.get() == 2


def test_a_reduce_result_of_none_leaves_no_state(
    ctx: KeyContext, backend: HeapKeyedStateBackend
) -> None:
    state = backend.get_reducing_state(ReducingStateDescriptor("s", lambda a, b: None, None))
    ctx.set_current_key("a", 1)
    state.add(1)
    state.add(2)
    assert state.get() is None
    state.add(3)
    assert state.get() == 3


def test_a_failing_reduce_function_propagates_and_keeps_the_value(
    ctx: KeyContext, backend: HeapKeyedStateBackend
) -> None:
    def fail(a: Any, b: Any) -> Any:
        raise ZeroDivisionError("boom")

    state = backend.get_reducing_state(ReducingStateDescriptor("s", fail, None))
    ctx.set_current_key("a", 1)
    state.add(1)
    with pytest.raises(ZeroDivisionError, match=r"^boom$"):
        state.add(2)
    assert state.get() == 1


# -- AggregatingState -----------------------------------------------------------------------------


@pytest.fixture
def aggregating(backend: HeapKeyedStateBackend) -> HeapAggregatingState:
    created = backend.get_aggregating_state(
        AggregatingStateDescriptor("avg", Average(), Types.TUPLE([Types.INT(), Types.INT()]))
    )
    assert isinstance(created, HeapAggregatingState)
    assert isinstance(created, AggregatingState)
    return created


def test_aggregating_state_accumulates_per_key(
    ctx: KeyContext, aggregating: HeapAggregatingState
) -> None:
    ctx.set_current_key("a", 0)
    assert aggregating.get() is None
    aggregating.add(1)
    aggregating.add(2)
    ctx.set_current_key("b", 127)
    aggregating.add(10)
    ctx.set_current_key("a", 0)
    aggregating.add(6)
    assert aggregating.get() == 3.0
    ctx.set_current_key("b", 127)
    assert aggregating.get() == 10.0
    assert aggregating.tables() == {0: {"a": (9, 3)}, 127: {"b": (10, 1)}}


def test_aggregating_state_add_none_clears_and_clear_restarts(
    ctx: KeyContext, aggregating: HeapAggregatingState
) -> None:
    ctx.set_current_key("a", 0)
    aggregating.add(4)
    aggregating.add(None)
    assert aggregating.get() is None
    aggregating.add(2)
    assert aggregating.get() == 2.0
    aggregating.clear()
    assert aggregating.get() is None
    assert aggregating.tables() == {}


class Collect(AggregateFunction):
    """Records the calls; the accumulator is a list modified in place and returned."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def create_accumulator(self) -> Any:
        self.calls.append("create")
        return []

    def add(self, value: Any, accumulator: Any) -> Any:
        self.calls.append(f"add {value}")
        accumulator.append(value)
        return accumulator

    def get_result(self, accumulator: Any) -> Any:
        self.calls.append("result")
        return tuple(accumulator)

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        return acc_a + acc_b


def test_aggregate_function_calls(ctx: KeyContext, backend: HeapKeyedStateBackend) -> None:
    function = Collect()
    state = backend.get_aggregating_state(AggregatingStateDescriptor("c", function, None))
    ctx.set_current_key("a", 0)
    assert state.get() is None
    state.add("x")
    state.add("y")
    assert state.get() == ("x", "y")
    assert function.calls == ["create", "add x", "add y", "result"]
