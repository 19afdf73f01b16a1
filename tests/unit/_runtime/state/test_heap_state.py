"""The heap backend: ValueState, state registration by name, refusal without a key."""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import permutations
from typing import Any

import pytest
from state_helpers import Average, ManualTime, Sum

from kolk._runtime.state.heap import HeapKeyedStateBackend, HeapValueState, KeyedStateStatistics
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.ttl import wall_clock_ms
from kolk.common.time import Time
from kolk.common.typeinfo import Types
from kolk.datastream.state import (
    AggregatingStateDescriptor,
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    StateDescriptor,
    StateTtlConfig,
    ValueStateDescriptor,
)
from kolk.util.exceptions import StateAccessException

#: One descriptor of each kind, by the kind's name in PyFlink's messages.
DESCRIPTORS: dict[str, Callable[[str], StateDescriptor]] = {
    "value": lambda name: ValueStateDescriptor(name, Types.INT()),
    "list": lambda name: ListStateDescriptor(name, Types.INT()),
    "map": lambda name: MapStateDescriptor(name, Types.STRING(), Types.INT()),
    "reducing": lambda name: ReducingStateDescriptor(name, Sum(), Types.INT()),
    "aggregating": lambda name: AggregatingStateDescriptor(
        name, Average(), Types.PICKLED_BYTE_ARRAY()
    ),
}

GETTERS: dict[str, Callable[[HeapKeyedStateBackend, Any], Any]] = {
    "value": HeapKeyedStateBackend.get_value_state,
    "list": HeapKeyedStateBackend.get_list_state,
    "map": HeapKeyedStateBackend.get_map_state,
    "reducing": HeapKeyedStateBackend.get_reducing_state,
    "aggregating": HeapKeyedStateBackend.get_aggregating_state,
}


def get(backend: HeapKeyedStateBackend, kind: str, name: str) -> Any:
    return GETTERS[kind](backend, DESCRIPTORS[kind](name))


# -- ValueState -----------------------------------------------------------------------------------


def test_values_are_scoped_to_the_current_key_and_grouped_by_key_group(
    ctx: KeyContext, backend: HeapKeyedStateBackend
) -> None:
    state = backend.get_value_state(ValueStateDescriptor("count", None))
    ctx.set_current_key("a", 5)
    assert state.value() is None
    state.update(1)
    ctx.set_current_key("b", 90)
    state.update(2)
    ctx.set_current_key("a", 5)
    assert state.value() == 1
    assert isinstance(state, HeapValueState)
    assert state.tables() == {5: {"a": 1}, 90: {"b": 2}}
    state.clear()
    assert state.value() is None
    assert state.tables() == {90: {"b": 2}}


def test_update_with_none_removes_the_value_as_in_flink(
    ctx: KeyContext, backend: HeapKeyedStateBackend
) -> None:
    state = backend.get_value_state(ValueStateDescriptor("v", None))
    ctx.set_current_key("a", 1)
    state.update("x")
    state.update(None)
    assert state.value() is None
    assert isinstance(state, HeapValueState)
    assert state.tables() == {}


def test_falsy_values_are_values(ctx: KeyContext, backend: HeapKeyedStateBackend) -> None:
    state = backend.get_value_state(ValueStateDescriptor("v", None))
    ctx.set_current_key("a", 1)
    values: list[Any] = [0, "", [], False]
    for value in values:
        state.update(value)
        assert state.value() == value


# -- registration -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(DESCRIPTORS))
def test_the_same_name_returns_the_same_state(kind: str, backend: HeapKeyedStateBackend) -> None:
    first = get(backend, kind, "s")
    assert get(backend, kind, "s") is first


@pytest.mark.parametrize(("kind", "other"), list(permutations(sorted(DESCRIPTORS), 2)))
def test_a_name_in_use_with_another_kind_is_refused(
    kind: str, other: str, backend: HeapKeyedStateBackend
) -> None:
    get(backend, kind, "s")
    # PyFlink: "The state name '%s' is already in use and not a map state." (and the class of
    # the other kinds), fn_execution/state_impl.py L1025-1042.
    with pytest.raises(ValueError) as raised:
        get(backend, other, "s")
    assert str(raised.value) == f"The state name 's' is already in use and not a {other} state."


def test_a_name_in_use_with_another_type_is_corrupted(backend: HeapKeyedStateBackend) -> None:
    backend.get_value_state(ValueStateDescriptor("s", Types.INT()))
    with pytest.raises(ValueError) as raised:
        backend.get_value_state(ValueStateDescriptor("s", Types.LONG()))
    assert str(raised.value) == "State name corrupted: s"
    backend.get_list_state(ListStateDescriptor("l", Types.INT()))
    with pytest.raises(ValueError) as raised:
        backend.get_list_state(ListStateDescriptor("l", Types.STRING()))
    assert str(raised.value) == "State name corrupted: l"


def test_the_first_descriptor_of_a_name_decides_its_ttl(
    ctx: KeyContext, backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    plain = backend.get_value_state(ValueStateDescriptor("s", None))
    with_ttl = ValueStateDescriptor("s", None)
    with_ttl.enable_time_to_live(StateTtlConfig.new_builder(Time.milliseconds(10)).build())
    assert backend.get_value_state(with_ttl) is plain
    ctx.set_current_key("a", 1)
    plain.update(1)
    clock.advance(100)
    assert plain.value() == 1


def test_statistics_count_keys_with_state(ctx: KeyContext, backend: HeapKeyedStateBackend) -> None:
    value = backend.get_value_state(ValueStateDescriptor("v", None))
    values = backend.get_list_state(ListStateDescriptor("l", None))
    ctx.set_current_key("a", 3)
    value.update(1)
    values.add(1)
    values.add(2)
    ctx.set_current_key("b", 4)
    values.add(3)
    assert backend.statistics() == KeyedStateStatistics(("v", "l"), 3, 2)
    values.clear()
    assert backend.statistics() == KeyedStateStatistics(("v", "l"), 2, 1)


def test_states_without_ttl_never_read_the_clock(
    ctx: KeyContext, backend: HeapKeyedStateBackend, clock: ManualTime
) -> None:
    ctx.set_current_key("a", 1)
    get(backend, "value", "v").update(1)
    get(backend, "list", "l").add(1)
    get(backend, "map", "m").put("x", 1)
    get(backend, "reducing", "r").add(1)
    get(backend, "aggregating", "g").add(1)
    assert clock.reads == 0


def test_the_default_time_provider_is_the_wall_clock() -> None:
    backend = HeapKeyedStateBackend(KeyContext(), 128)
    assert backend.time_provider is wall_clock_ms
    before = time.time_ns() // 1_000_000
    assert before <= wall_clock_ms() <= time.time_ns() // 1_000_000


def test_a_ttl_that_is_not_positive_is_refused(backend: HeapKeyedStateBackend) -> None:
    descriptor = ValueStateDescriptor("v", None)
    descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.milliseconds(0)).build())
    with pytest.raises(ValueError) as raised:
        backend.get_value_state(descriptor)
    assert str(raised.value) == "TTL is expected to be positive, got 0 ms."


# -- no current key -------------------------------------------------------------------------------

#: Every state method, with arguments, by kind.
ACCESSES: dict[str, list[Callable[[Any], Any]]] = {
    "value": [lambda s: s.value(), lambda s: s.update(1), lambda s: s.update(None)],
    "list": [
        lambda s: s.get(),
        lambda s: s.add(1),
        lambda s: s.add_all([]),
        lambda s: s.add_all([1]),
        lambda s: s.update([]),
        lambda s: s.update([1]),
        lambda s: list(s),
    ],
    "map": [
        lambda s: s.get("k"),
        lambda s: s.put("k", 1),
        lambda s: s.put_all({}),
        lambda s: s.put_all({"k": 1}),
        lambda s: s.remove("k"),
        lambda s: s.contains("k"),
        lambda s: s.items(),
        lambda s: s.keys(),
        lambda s: s.values(),
        lambda s: s.is_empty(),
        lambda s: s["k"],
        lambda s: "k" in s,
        lambda s: list(s),
    ],
    "reducing": [lambda s: s.get(), lambda s: s.add(1), lambda s: s.add(None)],
    "aggregating": [lambda s: s.get(), lambda s: s.add(1), lambda s: s.add(None)],
}


@pytest.mark.parametrize("ttl", [False, True], ids=["plain", "ttl"])
@pytest.mark.parametrize("kind", sorted(DESCRIPTORS))
def test_access_without_a_current_key_says_what_is_wrong(
    kind: str, ttl: bool, ctx: KeyContext, backend: HeapKeyedStateBackend
) -> None:
    descriptor = DESCRIPTORS[kind]("count")
    if ttl:
        descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.seconds(1)).build())
    state = GETTERS[kind](backend, descriptor)
    accesses: list[Callable[[Any], Any]] = [*ACCESSES[kind], lambda s: s.clear()]
    for access in accesses:
        with pytest.raises(StateAccessException) as raised:
            access(state)
        assert str(raised.value) == (
            "Keyed state 'count' was accessed outside a keyed context: no key is set. Keyed "
            "state can only be used while a keyed function processes an element or a timer "
            "(process_element, on_timer, map/filter/reduce on a KeyedStream), not in open() or "
            "close()."
        )
    ctx.set_current_key("a", 0)
    ctx.clear()
    with pytest.raises(StateAccessException):
        ACCESSES[kind][0](state)
    assert backend.statistics().entries == 0
