"""ListState over the heap backend (no TTL): a list per key, grouped by key group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.list_state import HeapListState
from kolk.common.typeinfo import Types
from kolk.datastream.state import ListState, ListStateDescriptor


@pytest.fixture
def state(backend: HeapKeyedStateBackend) -> HeapListState:
    created = backend.get_list_state(ListStateDescriptor("events", Types.INT()))
    assert isinstance(created, HeapListState)
    assert isinstance(created, ListState)
    return created


def test_get_is_an_empty_list_for_a_key_without_values(
    ctx: KeyContext, state: HeapListState
) -> None:
    ctx.set_current_key("a", 1)
    assert state.get() == []
    assert list(state) == []


def test_add_and_add_all_append_per_key_in_order(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 3)
    state.add(1)
    state.add_all([2, 3])
    ctx.set_current_key("b", 3)
    state.add(10)
    ctx.set_current_key("c", 77)
    state.add_all(x for x in [7, 8])
    ctx.set_current_key("a", 3)
    state.add(4)
    assert state.get() == [1, 2, 3, 4]
    assert list(state) == [1, 2, 3, 4]
    assert state.tables() == {3: {"a": [1, 2, 3, 4], "b": [10]}, 77: {"c": [7, 8]}}


def test_get_returns_a_copy(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 1)
    state.add_all([1, 2])
    values = state.get()
    values.append(99)
    for value in state.get():
        state.add(value * 10)  # adding while iterating a result is safe
    assert state.get() == [1, 2, 10, 20]


def test_update_replaces_and_an_empty_update_clears(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 1)
    state.add_all([1, 2])
    state.update([5])
    assert state.get() == [5]
    source = [6, 7]
    state.update(source)
    source.append(8)
    assert state.get() == [6, 7]
    state.update([])
    assert state.get() == []
    assert state.tables() == {}


def test_add_all_of_nothing_stores_nothing(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 1)
    state.add_all([])
    assert state.tables() == {}


def test_clear_removes_the_current_key_only(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 1)
    state.add(1)
    ctx.set_current_key("b", 2)
    state.add(2)
    state.clear()
    assert state.get() == []
    ctx.set_current_key("a", 1)
    assert state.get() == [1]
    assert state.tables() == {1: {"a": [1]}}


def test_none_is_not_an_element(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 1)
    state.add(1)
    calls: list[tuple[Callable[[], Any], str]] = [
        (lambda: state.add(None), "You cannot add null to a ListState."),
        (lambda: state.add_all([2, None]), "You cannot add null to a ListState."),
        (lambda: state.update([None]), "You cannot add null to a ListState."),
        (lambda: state.add_all(None), "List of values to add cannot be null."),  # type: ignore[arg-type]
        (lambda: state.update(None), "List of values to add cannot be null."),  # type: ignore[arg-type]
    ]
    for call, message in calls:
        with pytest.raises(ValueError) as raised:
            call()
        assert str(raised.value) == message
    assert state.get() == [1], "a refused call changes nothing"


def test_falsy_elements_are_kept(ctx: KeyContext, state: HeapListState) -> None:
    ctx.set_current_key("a", 1)
    state.add_all([0, "", False, []])
    assert state.get() == [0, "", False, []]
