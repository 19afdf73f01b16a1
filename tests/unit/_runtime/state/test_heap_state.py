"""The heap backend: state per key, organised by key group, refused without a key."""

from __future__ import annotations

import pytest

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk.datastream.state import ValueStateDescriptor
from kolk.util.exceptions import StateAccessException


def make() -> tuple[KeyContext, HeapKeyedStateBackend]:
    ctx = KeyContext()
    return ctx, HeapKeyedStateBackend(ctx, max_parallelism=128)


def test_values_are_scoped_to_the_current_key_and_grouped_by_key_group() -> None:
    ctx, backend = make()
    state = backend.get_value_state(ValueStateDescriptor("count", None))
    ctx.set_current_key("a", 5)
    assert state.value() is None
    state.update(1)
    ctx.set_current_key("b", 90)
    state.update(2)
    ctx.set_current_key("a", 5)
    assert state.value() == 1
    assert state.tables() == {5: {"a": 1}, 90: {"b": 2}}
    state.clear()
    assert state.value() is None
    assert backend.statistics().entries == 1


def test_update_with_none_removes_the_value_as_in_flink() -> None:
    ctx, backend = make()
    state = backend.get_value_state(ValueStateDescriptor("v", None))
    ctx.set_current_key("a", 1)
    state.update("x")
    state.update(None)
    assert state.tables() == {}


def test_access_without_a_current_key_says_what_is_wrong() -> None:
    ctx, backend = make()
    state = backend.get_value_state(ValueStateDescriptor("count", None))
    for access in (state.value, lambda: state.update(1), state.clear):
        with pytest.raises(StateAccessException, match="'count' was accessed outside a keyed"):
            access()
    ctx.set_current_key("a", 0)
    ctx.clear()
    with pytest.raises(StateAccessException):
        state.value()


def test_the_same_name_returns_the_same_state() -> None:
    _, backend = make()
    first = backend.get_value_state(ValueStateDescriptor("s", None))
    assert backend.get_value_state(ValueStateDescriptor("s", None)) is first
