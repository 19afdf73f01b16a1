"""Broadcast state: one map per descriptor per parallel operator instance (Flink's
``HeapBroadcastState`` in a ``DefaultOperatorStateBackend``).

A broadcast process operator owns one :class:`BroadcastStateStore`, made with it from the
``MapStateDescriptor`` objects given to ``DataStream.broadcast(...)``. Broadcast state is operator
state, not keyed state: it has no key groups and every subtask keeps its own copy, which stays
equal to the others' because every subtask sees every broadcast element (Flink's contract:
the user updates it deterministically from the element alone).

``process_broadcast_element`` gets the read-write :class:`HeapBroadcastState`;
``process_element`` and ``on_timer`` get a :class:`ReadOnlyBroadcastStateView` of the same
map, whose write methods do not exist: calling them raises ``AttributeError`` (PyFlink's read-
only state has no ``put``/``put_all``/``remove`` either), with a message saying where to write.
``clear()`` is ``State``'s and stays available on the view, as in Flink and PyFlink, whose
read-only view is the same state object.

Threading model: a store belongs to one operator of one subtask; all calls on its task thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

from kolk.datastream.state import (
    BroadcastState,
    MapStateDescriptor,
    OperatorStateStore,
    ReadOnlyBroadcastState,
)

__all__ = [
    "BroadcastStateStatistics",
    "BroadcastStateStore",
    "HeapBroadcastState",
    "ReadOnlyBroadcastStateView",
]

#: Flink's message (``CoBroadcastWith(Non)KeyedOperator``) for a descriptor not registered.
_NOT_REGISTERED = (
    "The requested state does not exist. Check for typos in your state descriptor, or specify "
    "the state descriptor in the datastream.broadcast(...) call if you forgot to register it."
)

_WRITES = frozenset({"put", "put_all", "remove"})


class HeapBroadcastState(BroadcastState[Any, Any]):
    """A broadcast state: a dict. ``get`` is None for an absent key; ``contains(k)`` is
    ``get(k) is not None`` (PyFlink's map-state rule).

    ``items``, ``keys`` and ``values`` return lists (snapshots), so the state may be changed
    while iterating over them.
    """

    __slots__ = ("_map", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._map: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self._map.get(key)

    def contains(self, key: Any) -> bool:
        return self._map.get(key) is not None

    def items(self) -> Iterable[tuple[Any, Any]]:
        return list(self._map.items())

    def keys(self) -> Iterable[Any]:
        return list(self._map)

    def values(self) -> Iterable[Any]:
        return list(self._map.values())

    def is_empty(self) -> bool:
        return not self._map

    def clear(self) -> None:
        self._map.clear()

    def put(self, key: Any, value: Any) -> None:
        self._map[key] = value

    def put_all(self, dict_value: dict[Any, Any]) -> None:
        self._map.update(dict_value)

    def remove(self, key: Any) -> None:
        self._map.pop(key, None)

    def __len__(self) -> int:
        return len(self._map)

    def __repr__(self) -> str:
        return f"BroadcastState({self.name!r}, {self._map!r})"


class ReadOnlyBroadcastStateView(ReadOnlyBroadcastState[Any, Any]):
    """The read-only view of a :class:`HeapBroadcastState` handed to the non-broadcast side.

    Reads go to the state; ``put``, ``put_all`` and ``remove`` raise ``AttributeError`` and
    ``view[k] = v`` / ``del view[k]`` raise ``TypeError``, each saying where to write instead.
    """

    __slots__ = ("_state",)

    def __init__(self, state: HeapBroadcastState) -> None:
        self._state = state

    def get(self, key: Any) -> Any:
        return self._state.get(key)

    def contains(self, key: Any) -> bool:
        return self._state.contains(key)

    def items(self) -> Iterable[tuple[Any, Any]]:
        return self._state.items()

    def keys(self) -> Iterable[Any]:
        return self._state.keys()

    def values(self) -> Iterable[Any]:
        return self._state.values()

    def is_empty(self) -> bool:
        return self._state.is_empty()

    def clear(self) -> None:
        self._state.clear()

    def __getattr__(self, name: str) -> NoReturn:
        # Only called for attributes that do not exist: hasattr(view, "put") stays False.
        if name in _WRITES:
            raise AttributeError(
                f"'ReadOnlyBroadcastState' object has no attribute '{name}': broadcast state "
                f"'{self._state.name}' is read-only in process_element() and on_timer(); update "
                f"it in process_broadcast_element()"
            )
        raise AttributeError(f"'ReadOnlyBroadcastState' object has no attribute '{name}'")

    def __setitem__(self, key: Any, value: Any) -> NoReturn:
        raise TypeError(self._read_only())

    def __delitem__(self, key: Any) -> NoReturn:
        raise TypeError(self._read_only())

    def _read_only(self) -> str:
        return (
            f"broadcast state '{self._state.name}' is read-only in process_element() and "
            f"on_timer(); update it in process_broadcast_element()"
        )

    def __repr__(self) -> str:
        return f"ReadOnlyBroadcastState({self._state.name!r})"


@dataclass(frozen=True, slots=True)
class BroadcastStateStatistics:
    """A snapshot of a store: the entry count of each broadcast state, by name."""

    entries: tuple[tuple[str, int], ...]


class BroadcastStateStore(OperatorStateStore):
    """The broadcast states of one operator instance, one per registered descriptor name.

    Args:
        descriptors: the ``MapStateDescriptor`` objects given to ``broadcast(...)``.

    Raises:
        TypeError: a descriptor is not a MapStateDescriptor.
    """

    def __init__(self, descriptors: Iterable[MapStateDescriptor]) -> None:
        self._states: dict[str, HeapBroadcastState] = {}
        self._views: dict[str, ReadOnlyBroadcastStateView] = {}
        for descriptor in descriptors:
            _check_descriptor(descriptor)
            name = descriptor.get_name()
            if name not in self._states:
                state = self._states[name] = HeapBroadcastState(name)
                self._views[name] = ReadOnlyBroadcastStateView(state)

    def get_broadcast_state(self, state_descriptor: MapStateDescriptor) -> HeapBroadcastState:
        """The read-write state of a registered descriptor (looked up by name, as Flink's
        ``MapStateDescriptor.equals``).

        Raises:
            TypeError: not a MapStateDescriptor.
            ValueError: no descriptor of that name was given to ``broadcast(...)`` (Flink's
                message).
        """
        _check_descriptor(state_descriptor)
        state = self._states.get(state_descriptor.get_name())
        if state is None:
            raise ValueError(_NOT_REGISTERED + self._registered())
        return state

    def get_read_only_broadcast_state(
        self, state_descriptor: MapStateDescriptor
    ) -> ReadOnlyBroadcastStateView:
        """The read-only view of a registered descriptor's state.

        Raises:
            TypeError: not a MapStateDescriptor.
            ValueError: no descriptor of that name was given to ``broadcast(...)``.
        """
        _check_descriptor(state_descriptor)
        view = self._views.get(state_descriptor.get_name())
        if view is None:
            raise ValueError(_NOT_REGISTERED + self._registered())
        return view

    def _registered(self) -> str:
        names = ", ".join(repr(name) for name in self._states) or "none"
        return f" Registered broadcast states: {names}."

    def statistics(self) -> BroadcastStateStatistics:
        """How many entries each broadcast state holds."""
        return BroadcastStateStatistics(
            tuple((name, len(state)) for name, state in self._states.items())
        )


def _check_descriptor(descriptor: Any) -> None:
    if not isinstance(descriptor, MapStateDescriptor):
        raise TypeError(
            f"broadcast state is described by a MapStateDescriptor, got {type(descriptor).__name__}"
        )
