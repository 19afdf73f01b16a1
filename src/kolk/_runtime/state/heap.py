"""The heap state backend (Flink's ``HashMapStateBackend``): Python objects in dicts.

State is organised by key group, as Flink's ``StateTable`` is: each registered state keeps
one ``dict[key, value]`` per key group, so a snapshot can be split by key group and
re-assigned when the parallelism changes.

Threading model: a backend belongs to one keyed operator of one subtask and is only used
from that subtask's task thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kolk._runtime.state.key_context import KeyContext
from kolk.datastream.state import StateDescriptor, ValueState, ValueStateDescriptor
from kolk.util.exceptions import StateAccessException

__all__ = ["HeapKeyedStateBackend", "HeapValueState", "KeyedStateStatistics"]

_NO_KEY_MESSAGE = (
    "Keyed state '{name}' was accessed outside a keyed context: no key is set. Keyed state can "
    "only be used while a keyed function processes an element or a timer (process_element, "
    "on_timer, map/filter/reduce on a KeyedStream), not in open() or close()."
)


@dataclass(frozen=True, slots=True)
class KeyedStateStatistics:
    """A snapshot: registered states and how many keys each holds per key group."""

    states: tuple[str, ...]
    entries: int
    key_groups_used: int


class _NoKeyTable(dict):  # type: ignore[type-arg]
    """Stands at index -1 of a state's table list: any access outside a keyed context lands
    here (``key_group`` is -1 then) and raises, so the hot path needs no check of its own."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._message = _NO_KEY_MESSAGE.format(name=name)

    def get(self, *args: Any) -> Any:
        raise StateAccessException(self._message)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise StateAccessException(self._message)

    def pop(self, *args: Any) -> Any:
        raise StateAccessException(self._message)


class HeapValueState(ValueState[Any]):
    """ValueState over the heap backend: ``value()`` is None for a key never updated.

    Layout (Flink's ``StateTable``): one ``dict[key, value]`` per key group, in a list indexed
    by key group, plus a last entry that refuses access without a current key (index -1).
    Hot path (benchmarks/bench_core.py W2): ``value()`` is one list index and one dict lookup.
    """

    __slots__ = ("_ctx", "_name", "_tables")

    def __init__(self, name: str, ctx: KeyContext, max_parallelism: int) -> None:
        self._name = name
        self._ctx = ctx
        self._tables: list[dict[Any, Any]] = [{} for _ in range(max_parallelism)]
        self._tables.append(_NoKeyTable(name))

    def value(self) -> Any:
        ctx = self._ctx
        return self._tables[ctx.key_group].get(ctx.key)

    def update(self, value: Any) -> None:
        ctx = self._ctx
        if value is None:
            self._tables[ctx.key_group].pop(ctx.key, None)
        else:
            self._tables[ctx.key_group][ctx.key] = value

    def clear(self) -> None:
        ctx = self._ctx
        self._tables[ctx.key_group].pop(ctx.key, None)

    def tables(self) -> dict[int, dict[Any, Any]]:
        """Key group → {key: value} for the key groups that hold state (snapshots, tests)."""
        return {kg: table for kg, table in enumerate(self._tables[:-1]) if table}


class HeapKeyedStateBackend:
    """Creates and holds the keyed states of one keyed operator instance.

    Args:
        ctx: the operator's key context, shared with every state handle.
        max_parallelism: the number of key groups.
    """

    def __init__(self, ctx: KeyContext, max_parallelism: int) -> None:
        self.ctx = ctx
        self.max_parallelism = max_parallelism
        self._states: dict[str, tuple[type[StateDescriptor], HeapValueState]] = {}

    def get_value_state(self, descriptor: ValueStateDescriptor) -> HeapValueState:
        """Returns the state registered under the descriptor's name, creating it once."""
        name = descriptor.get_name()
        existing = self._states.get(name)
        if existing is not None:
            kind, state = existing
            if kind is not type(descriptor):
                raise ValueError(
                    f"The state name '{name}' is already in use and not a "
                    f"{type(descriptor).__name__[: -len('Descriptor')]}: choose another name."
                )
            return state
        state = HeapValueState(name, self.ctx, self.max_parallelism)
        self._states[name] = (type(descriptor), state)
        return state

    def statistics(self) -> KeyedStateStatistics:
        """A frozen snapshot of what the backend holds."""
        entries = 0
        groups: set[int] = set()
        for _, state in self._states.values():
            for key_group, table in state.tables().items():
                if table:
                    groups.add(key_group)
                    entries += len(table)
        return KeyedStateStatistics(tuple(self._states), entries, len(groups))
