"""State time-to-live on every state type, driven by a manual clock.

Flink's rule (``TtlUtils.expired``): a value stamped at ``ts`` is expired from
``now >= ts + ttl``. The clock starts at 1,000 ms and every config below has a TTL of 100 ms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from state_helpers import Average, ManualTime, Sum

from kolk._runtime.state.aggregating_state import TtlAggregatingState, TtlReducingState
from kolk._runtime.state.heap import HeapKeyedStateBackend, HeapValueState
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.list_state import TtlListState
from kolk._runtime.state.map_state import TtlMapState
from kolk._runtime.state.ttl import TtlValueState
from kolk.common.time import Time
from kolk.datastream.state import (
    AggregatingStateDescriptor,
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    StateDescriptor,
    StateTtlConfig,
    ValueStateDescriptor,
)

TTL_MS = 100
UpdateType = StateTtlConfig.UpdateType
Visibility = StateTtlConfig.StateVisibility


def with_ttl(
    descriptor: StateDescriptor,
    update: StateTtlConfig.UpdateType = UpdateType.OnCreateAndWrite,
    visibility: StateTtlConfig.StateVisibility = Visibility.NeverReturnExpired,
) -> Any:
    descriptor.enable_time_to_live(
        StateTtlConfig.new_builder(Time.milliseconds(TTL_MS))
        .set_update_type(update)
        .set_state_visibility(visibility)
        .build()
    )
    return descriptor


@pytest.fixture(autouse=True)
def _a_key(ctx: KeyContext) -> None:
    ctx.set_current_key("a", 7)


# -- ValueState -----------------------------------------------------------------------------------


def value_state(backend: HeapKeyedStateBackend, **ttl: Any) -> TtlValueState:
    state = backend.get_value_state(with_ttl(ValueStateDescriptor("v", None), **ttl))
    assert isinstance(state, TtlValueState)
    return state


def test_value_expires_ttl_after_the_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = value_state(backend)
    state.update("x")
    assert state.tables() == {7: {"a": ("x", 1_000)}}
    clock.advance(TTL_MS - 1)
    assert state.value() == "x"
    clock.advance(1)
    assert state.value() is None
    assert state.tables() == {}, "the expired value is removed on read"


def test_value_reads_do_not_extend_life_on_create_and_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = value_state(backend)
    state.update("x")
    clock.advance(60)
    assert state.value() == "x"
    clock.advance(40)
    assert state.value() is None


def test_value_writes_extend_life(backend: HeapKeyedStateBackend, clock: ManualTime) -> None:
    state = value_state(backend)
    state.update("x")
    clock.advance(60)
    state.update("y")
    clock.advance(99)
    assert state.value() == "y"
    clock.advance(1)
    assert state.value() is None


def test_value_reads_extend_life_on_read_and_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = value_state(backend, update=UpdateType.OnReadAndWrite)
    state.update("x")
    clock.advance(99)
    assert state.value() == "x"
    assert state.tables() == {7: {"a": ("x", 1_099)}}
    clock.advance(99)
    assert state.value() == "x"
    clock.advance(100)
    assert state.value() is None


def test_expired_value_returned_once_if_not_cleaned_up(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = value_state(backend, visibility=Visibility.ReturnExpiredIfNotCleanedUp)
    state.update("x")
    clock.advance(500)
    assert state.value() == "x"
    assert state.value() is None
    assert state.tables() == {}


def test_expired_value_is_not_restamped_on_read(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = value_state(
        backend,
        update=UpdateType.OnReadAndWrite,
        visibility=Visibility.ReturnExpiredIfNotCleanedUp,
    )
    state.update("x")
    clock.advance(TTL_MS)
    assert state.value() == "x"
    assert state.value() is None


def test_value_update_none_and_clear(backend: HeapKeyedStateBackend, ctx: KeyContext) -> None:
    state = value_state(backend)
    state.update("x")
    state.update(None)
    assert state.value() is None
    state.update("y")
    ctx.set_current_key("b", 8)
    state.update("z")
    state.clear()
    assert state.tables() == {7: {"a": ("y", 1_000)}}


def test_values_of_different_keys_expire_apart(
    backend: HeapKeyedStateBackend, ctx: KeyContext, clock: ManualTime
) -> None:
    state = value_state(backend)
    state.update(1)
    clock.advance(50)
    ctx.set_current_key("b", 9)
    state.update(2)
    clock.advance(50)
    assert state.value() == 2
    ctx.set_current_key("a", 7)
    assert state.value() is None
    assert state.tables() == {9: {"b": (2, 1_050)}}


def test_a_disabled_update_type_means_no_ttl(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = backend.get_value_state(
        with_ttl(ValueStateDescriptor("v", None), update=UpdateType.Disabled)
    )
    assert isinstance(state, HeapValueState)
    state.update(1)
    clock.advance(10 * TTL_MS)
    assert state.value() == 1
    assert clock.reads == 0


# -- ListState ------------------------------------------------------------------------------------


def list_state(backend: HeapKeyedStateBackend, **ttl: Any) -> TtlListState:
    state = backend.get_list_state(with_ttl(ListStateDescriptor("l", None), **ttl))
    assert isinstance(state, TtlListState)
    return state


def test_list_elements_expire_one_by_one(backend: HeapKeyedStateBackend, clock: ManualTime) -> None:
    state = list_state(backend)
    state.add(1)
    clock.advance(50)
    state.add_all([2, 3])
    assert state.get() == [1, 2, 3]
    clock.advance(50)
    assert state.get() == [2, 3]
    assert list(state) == [2, 3]
    # Flink's lazy cleanup: an expired element stays stored while others live.
    assert state.tables() == {7: {"a": [(1, 1_000), (2, 1_050), (3, 1_050)]}}
    clock.advance(50)
    assert state.get() == []
    assert state.tables() == {}, "the list is removed once every element expired"


def test_list_expired_elements_returned_until_the_list_is_cleaned_up(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = list_state(backend, visibility=Visibility.ReturnExpiredIfNotCleanedUp)
    state.add(1)
    clock.advance(50)
    state.add(2)
    clock.advance(50)
    assert state.get() == [1, 2]
    clock.advance(50)
    assert state.get() == [1, 2]
    assert state.get() == []


def test_list_reads_restamp_unexpired_elements_on_read_and_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = list_state(backend, update=UpdateType.OnReadAndWrite)
    state.add(1)
    clock.advance(50)
    state.add(2)
    clock.advance(70)
    assert state.get() == [2]
    assert state.tables() == {7: {"a": [(2, 1_120)]}}, "expired elements dropped, others restamped"
    clock.advance(99)
    assert state.get() == [2]
    clock.advance(100)
    assert state.get() == []
    assert state.tables() == {}


def test_list_update_stamps_every_element(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = list_state(backend)
    state.add(1)
    clock.advance(80)
    state.update([5, 6])
    clock.advance(80)
    assert state.get() == [5, 6]
    state.update([])
    assert state.tables() == {}


def test_list_none_checks_and_clear(backend: HeapKeyedStateBackend) -> None:
    state = list_state(backend)
    state.add(1)
    calls: list[Callable[[], Any]] = [
        lambda: state.add(None),
        lambda: state.add_all([None]),
        lambda: state.update([2, None]),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"^You cannot add null to a ListState\.$"):
            call()
    state.add_all([])
    assert state.get() == [1]
    state.clear()
    assert state.get() == []


# -- MapState -------------------------------------------------------------------------------------


def map_state(backend: HeapKeyedStateBackend, **ttl: Any) -> TtlMapState:
    state = backend.get_map_state(with_ttl(MapStateDescriptor("m", None, None), **ttl))
    assert isinstance(state, TtlMapState)
    return state


def test_map_entries_expire_one_by_one(backend: HeapKeyedStateBackend, clock: ManualTime) -> None:
    state = map_state(backend)
    state.put("x", 1)
    clock.advance(50)
    state.put_all({"y": 2, "z": 3})
    assert state.tables() == {7: {"a": {"x": (1, 1_000), "y": (2, 1_050), "z": (3, 1_050)}}}
    clock.advance(50)
    assert state.get("x") is None
    assert state.contains("x") is False
    assert state.get("y") == 2
    assert state.tables() == {7: {"a": {"y": (2, 1_050), "z": (3, 1_050)}}}
    assert list(state.items()) == [("y", 2), ("z", 3)]
    assert list(state.keys()) == ["y", "z"]
    assert list(state.values()) == [2, 3]
    assert state.is_empty() is False
    clock.advance(50)
    assert state.is_empty() is True
    assert state.tables() == {}


def test_map_iteration_removes_expired_entries(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = map_state(backend)
    state.put("x", 1)
    clock.advance(50)
    state.put("y", 2)
    clock.advance(50)
    assert list(state) == ["y"]
    assert state.tables() == {7: {"a": {"y": (2, 1_050)}}}
    clock.advance(50)
    assert list(state.items()) == []
    assert state.tables() == {}


def test_map_expired_entries_returned_once(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = map_state(backend, visibility=Visibility.ReturnExpiredIfNotCleanedUp)
    state.put("x", 1)
    clock.advance(50)
    state.put("y", 2)
    clock.advance(50)
    assert list(state.items()) == [("x", 1), ("y", 2)]
    assert list(state.items()) == [("y", 2)]
    clock.advance(50)
    assert state.get("y") == 2
    assert state.get("y") is None
    assert state.tables() == {}


def test_map_is_empty_with_expired_entries_returned_once(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = map_state(backend, visibility=Visibility.ReturnExpiredIfNotCleanedUp)
    state.put_all({"x": 1, "y": 2})
    clock.advance(TTL_MS)
    assert state.is_empty() is False, "an iterator would still return x once"
    assert state.tables() == {7: {"a": {"y": (2, 1_000)}}}, "stops at the first entry"
    assert state.is_empty() is False
    assert state.is_empty() is True


def test_map_reads_restamp_on_read_and_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = map_state(backend, update=UpdateType.OnReadAndWrite)
    state.put_all({"x": 1, "y": 2})
    clock.advance(90)
    assert state.get("x") == 1
    clock.advance(20)
    assert state.contains("y") is False
    assert state.tables() == {7: {"a": {"x": (1, 1_090)}}}
    clock.advance(79)
    assert list(state.items()) == [("x", 1)]
    assert state.tables() == {7: {"a": {"x": (1, 1_189)}}}


def test_map_remove_iterator_remove_and_clear(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = map_state(backend)
    state.put_all([("x", 1), ("y", 2), ("z", 3)])
    state.remove("x")
    iterator = state.keys()
    assert next(iterator) == "y"
    iterator.remove()
    assert state.tables() == {7: {"a": {"z": (3, 1_000)}}}
    state.clear()
    assert state.is_empty()


# -- ReducingState --------------------------------------------------------------------------------


def reducing_state(backend: HeapKeyedStateBackend, **ttl: Any) -> TtlReducingState:
    descriptor = with_ttl(ReducingStateDescriptor("r", Sum(), None), **ttl)
    state = backend.get_reducing_state(descriptor)
    assert isinstance(state, TtlReducingState)
    return state


def test_reduced_value_expires_ttl_after_the_last_add(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = reducing_state(backend)
    state.add(1)
    clock.advance(50)
    state.add(2)
    assert state.tables() == {7: {"a": (3, 1_050)}}
    clock.advance(99)
    assert state.get() == 3
    clock.advance(1)
    assert state.get() is None
    assert state.tables() == {}


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [(Visibility.NeverReturnExpired, 1), (Visibility.ReturnExpiredIfNotCleanedUp, 6)],
)
def test_adding_to_an_expired_reduced_value(
    backend: HeapKeyedStateBackend,
    clock: ManualTime,
    visibility: StateTtlConfig.StateVisibility,
    expected: int,
) -> None:
    # Flink's TtlReduceFunction: an expired current value is dropped, unless it may be returned.
    state = reducing_state(backend, visibility=visibility)
    state.add(5)
    clock.advance(TTL_MS)
    state.add(1)
    assert state.get() == expected
    assert state.tables() == {7: {"a": (expected, 1_100)}}


def test_reduced_value_read_extends_life_on_read_and_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = reducing_state(backend, update=UpdateType.OnReadAndWrite)
    state.add(1)
    clock.advance(90)
    assert state.get() == 1
    clock.advance(90)
    assert state.get() == 1
    state.add(None)
    assert state.get() is None


# -- AggregatingState -----------------------------------------------------------------------------


def aggregating_state(backend: HeapKeyedStateBackend, **ttl: Any) -> TtlAggregatingState:
    descriptor = with_ttl(AggregatingStateDescriptor("g", Average(), None), **ttl)
    state = backend.get_aggregating_state(descriptor)
    assert isinstance(state, TtlAggregatingState)
    return state


def test_accumulator_expires_ttl_after_the_last_add(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = aggregating_state(backend)
    state.add(2)
    clock.advance(50)
    state.add(4)
    assert state.tables() == {7: {"a": ((6, 2), 1_050)}}
    clock.advance(99)
    assert state.get() == 3.0
    clock.advance(1)
    assert state.get() is None
    assert state.tables() == {}


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [(Visibility.NeverReturnExpired, (1, 1)), (Visibility.ReturnExpiredIfNotCleanedUp, (6, 2))],
)
def test_adding_to_an_expired_accumulator(
    backend: HeapKeyedStateBackend,
    clock: ManualTime,
    visibility: StateTtlConfig.StateVisibility,
    expected: tuple[int, int],
) -> None:
    # Flink's TtlAggregateFunction.add: an expired accumulator is replaced by a new one,
    # unless expired values may be returned.
    state = aggregating_state(backend, visibility=visibility)
    state.add(5)
    clock.advance(TTL_MS)
    state.add(1)
    assert state.tables() == {7: {"a": (expected, 1_100)}}


def test_expired_accumulator_result_returned_once(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = aggregating_state(backend, visibility=Visibility.ReturnExpiredIfNotCleanedUp)
    state.add(3)
    clock.advance(TTL_MS)
    assert state.get() == 3.0
    assert state.get() is None


def test_accumulator_read_extends_life_on_read_and_write(
    backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    state = aggregating_state(backend, update=UpdateType.OnReadAndWrite)
    state.add(3)
    clock.advance(90)
    assert state.get() == 3.0
    assert state.tables() == {7: {"a": ((3, 1), 1_090)}}
    state.add(None)
    assert state.get() is None
    state.add(1)
    state.clear()
    assert state.tables() == {}
