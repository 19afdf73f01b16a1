"""The heap state backend (Flink's ``HashMapStateBackend``): Python objects in dicts.

State is organised by key group, as Flink's ``StateTable`` is: each registered state keeps
one ``dict[key, entry]`` per key group (:mod:`kolk._runtime.state.state_table`), so a snapshot
can be split by key group and re-assigned when the parallelism changes.

The backend creates each state once per name, as the plain heap class, or, when the
descriptor enables TTL, as its TTL twin (Flink's ``TtlStateFactory``): the plain classes hold
no TTL check, so state without TTL pays nothing for it.

Threading model: a backend belongs to one keyed operator of one subtask and is only used
from that subtask's task thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from kolk._runtime.state.aggregating_state import (
    HeapAggregatingState,
    HeapReducingState,
    TtlAggregatingState,
    TtlReducingState,
)
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.list_state import HeapListState, TtlListState
from kolk._runtime.state.map_state import HeapMapState, TtlMapState
from kolk._runtime.state.state_table import KeyGroupedState
from kolk._runtime.state.ttl import (
    TimeProvider,
    TtlSettings,
    TtlValueState,
    ttl_settings,
    wall_clock_ms,
)
from kolk.datastream.state import (
    AggregatingState,
    AggregatingStateDescriptor,
    ListState,
    ListStateDescriptor,
    MapState,
    MapStateDescriptor,
    ReducingState,
    ReducingStateDescriptor,
    StateDescriptor,
    ValueState,
    ValueStateDescriptor,
)

__all__ = ["HeapKeyedStateBackend", "HeapValueState", "KeyedStateStatistics"]


@dataclass(frozen=True, slots=True)
class KeyedStateStatistics:
    """A snapshot: registered states and how many keys each holds per key group."""

    states: tuple[str, ...]
    entries: int
    key_groups_used: int


class HeapValueState(KeyGroupedState, ValueState[Any]):
    """ValueState over the heap backend: ``value()`` is None for a key never updated.

    Hot path (benchmarks/bench_core.py W2): ``value()`` is one list index and one dict lookup.
    Taking the tables from :class:`KeyGroupedState` costs nothing measurable (measured: 0.22
    us per ``update(value() + 1)`` before and after, interleaved in one process).
    """

    __slots__ = ()

    def value(self) -> Any:
        ctx = self._ctx
        return self._tables[ctx.key_group].get(ctx.key)

    def update(self, value: Any) -> None:
        ctx = self._ctx
        if value is None:
            self._tables[ctx.key_group].pop(ctx.key, None)
        else:
            self._tables[ctx.key_group][ctx.key] = value


@dataclass(frozen=True, slots=True)
class _Registration:
    """A registered state: its kind ("value", "list", ...), type information and handle."""

    kind: str
    type_info: Any
    state: KeyGroupedState


class HeapKeyedStateBackend:
    """Creates and holds the keyed states of one keyed operator instance.

    A name denotes one state: asking again with a descriptor of the same kind returns the same
    handle (its TTL config and functions are those of the first descriptor, as in PyFlink);
    another kind, or another type information, raises ``ValueError`` with PyFlink's message
    (``RemoteKeyedStateBackend.validate_state``, fn_execution/state_impl.py L1025-1042).

    Args:
        ctx: the operator's key context, shared with every state handle.
        max_parallelism: the number of key groups.
        time_provider: processing time in epoch milliseconds for TTL, read only by states
            with TTL; the wall clock by default. Tests pass a manual clock.
    """

    def __init__(
        self,
        ctx: KeyContext,
        max_parallelism: int,
        time_provider: TimeProvider | None = None,
    ) -> None:
        self.ctx = ctx
        self.max_parallelism = max_parallelism
        self.time_provider: TimeProvider = time_provider or wall_clock_ms
        self._states: dict[str, _Registration] = {}

    def get_value_state(self, descriptor: ValueStateDescriptor) -> ValueState[Any]:
        """Returns the ValueState registered under the descriptor's name, creating it once."""
        state = self._get_or_create(
            descriptor,
            "value",
            lambda name: HeapValueState(name, self.ctx, self.max_parallelism),
            lambda name, ttl: TtlValueState(name, self.ctx, self.max_parallelism, ttl),
        )
        return cast("ValueState[Any]", state)

    def get_list_state(self, descriptor: ListStateDescriptor) -> ListState[Any]:
        """Returns the ListState registered under the descriptor's name, creating it once."""
        state = self._get_or_create(
            descriptor,
            "list",
            lambda name: HeapListState(name, self.ctx, self.max_parallelism),
            lambda name, ttl: TtlListState(name, self.ctx, self.max_parallelism, ttl),
        )
        return cast("ListState[Any]", state)

    def get_map_state(self, descriptor: MapStateDescriptor) -> MapState[Any, Any]:
        """Returns the MapState registered under the descriptor's name, creating it once."""
        state = self._get_or_create(
            descriptor,
            "map",
            lambda name: HeapMapState(name, self.ctx, self.max_parallelism),
            lambda name, ttl: TtlMapState(name, self.ctx, self.max_parallelism, ttl),
        )
        return cast("MapState[Any, Any]", state)

    def get_reducing_state(self, descriptor: ReducingStateDescriptor) -> ReducingState[Any]:
        """Returns the ReducingState registered under the descriptor's name, creating it once."""
        function = descriptor.get_reduce_function()
        state = self._get_or_create(
            descriptor,
            "reducing",
            lambda name: HeapReducingState(name, self.ctx, self.max_parallelism, function),
            lambda name, ttl: TtlReducingState(name, self.ctx, self.max_parallelism, ttl, function),
        )
        return cast("ReducingState[Any]", state)

    def get_aggregating_state(
        self, descriptor: AggregatingStateDescriptor
    ) -> AggregatingState[Any, Any]:
        """Returns the AggregatingState registered under the descriptor's name, creating it
        once."""
        function = descriptor.get_agg_function()
        state = self._get_or_create(
            descriptor,
            "aggregating",
            lambda name: HeapAggregatingState(name, self.ctx, self.max_parallelism, function),
            lambda name, ttl: TtlAggregatingState(
                name, self.ctx, self.max_parallelism, ttl, function
            ),
        )
        return cast("AggregatingState[Any, Any]", state)

    def _get_or_create(
        self,
        descriptor: StateDescriptor,
        kind: str,
        plain: Callable[[str], KeyGroupedState],
        with_ttl: Callable[[str, TtlSettings], KeyGroupedState],
    ) -> KeyGroupedState:
        """The state registered under the descriptor's name, else a new one of ``kind``.

        Raises:
            ValueError: the name is registered with another kind or type information, or the
                descriptor's TTL is not positive.
        """
        name = descriptor.get_name()
        existing = self._states.get(name)
        if existing is not None:
            if existing.kind != kind:
                raise ValueError(
                    f"The state name '{name}' is already in use and not a {kind} state."
                )
            if existing.type_info != descriptor.type_info:
                raise ValueError(f"State name corrupted: {name}")
            return existing.state
        ttl = ttl_settings(descriptor._ttl_config, self.time_provider)
        state = plain(name) if ttl is None else with_ttl(name, ttl)
        self._states[name] = _Registration(kind, descriptor.type_info, state)
        return state

    def statistics(self) -> KeyedStateStatistics:
        """A frozen snapshot of what the backend holds (keys with state, summed over states)."""
        entries = 0
        groups: set[int] = set()
        for registration in self._states.values():
            for key_group, table in registration.state.tables().items():
                groups.add(key_group)
                entries += len(table)
        return KeyedStateStatistics(tuple(self._states), entries, len(groups))
