"""StreamingRuntimeContext's get_*_state: the keyed backend's states, or a clear refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from state_helpers import Average, Sum

from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.state.aggregating_state import HeapAggregatingState, HeapReducingState
from kolk._runtime.state.heap import HeapKeyedStateBackend, HeapValueState
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.list_state import HeapListState
from kolk._runtime.state.map_state import HeapMapState
from kolk.datastream.state import (
    AggregatingStateDescriptor,
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    StateDescriptor,
    ValueStateDescriptor,
)
from kolk.util.exceptions import StateAccessException

#: method name -> (a descriptor for it, the heap class it returns)
METHODS: dict[str, tuple[Callable[[], StateDescriptor], type]] = {
    "get_state": (lambda: ValueStateDescriptor("s", None), HeapValueState),
    "get_list_state": (lambda: ListStateDescriptor("s", None), HeapListState),
    "get_map_state": (lambda: MapStateDescriptor("s", None, None), HeapMapState),
    "get_reducing_state": (lambda: ReducingStateDescriptor("s", Sum(), None), HeapReducingState),
    "get_aggregating_state": (
        lambda: AggregatingStateDescriptor("s", Average(), None),
        HeapAggregatingState,
    ),
}


def context(backend: HeapKeyedStateBackend | None) -> StreamingRuntimeContext:
    return StreamingRuntimeContext("Keyed", 0, 1, 128, 0, {}, backend)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_states_come_from_the_keyed_backend(method: str) -> None:
    backend = HeapKeyedStateBackend(KeyContext(), 128)
    runtime_context = context(backend)
    make, cls = METHODS[method]
    state = getattr(runtime_context, method)(make())
    assert isinstance(state, cls)
    assert getattr(runtime_context, method)(make()) is state
    assert backend.statistics().states == ("s",)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_keyed_state_on_a_non_keyed_stream_is_refused(method: str) -> None:
    with pytest.raises(StateAccessException) as raised:
        getattr(context(None), method)(METHODS[method][0]())
    assert str(raised.value) == (
        "This state is only accessible by functions executed on a KeyedStream. "
        "Apply key_by(...) before this operator to use keyed state."
    )


@pytest.mark.parametrize("method", sorted(METHODS))
def test_a_descriptor_of_another_kind_is_a_type_error(method: str) -> None:
    other: Any = MapStateDescriptor("s", None, None)
    if method == "get_map_state":
        other = ValueStateDescriptor("s", None)
    expected = METHODS[method][0]().__class__.__name__
    with pytest.raises(TypeError) as raised:
        getattr(context(HeapKeyedStateBackend(KeyContext(), 128)), method)(other)
    assert str(raised.value) == (f"{method} expects a {expected}, got {type(other).__name__}")
