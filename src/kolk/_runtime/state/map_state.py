"""MapState over the heap backend, without and with TTL (Flink's ``HeapMapState``,
``TtlMapState``).

A key's entry is a Python dict (the user map), stored only while it is non-empty. Semantics
settled against PyFlink 2.3 (fn_execution/state_impl.py, ``InternalSynchronousMapRuntimeState``):

* ``get`` of an absent user key is None; ``contains(k)`` is ``get(k) is not None``, so a user
  key mapped to None is not contained (L809-815);
* ``put_all`` takes a dict (its declared type) or, as PyFlink's loop ``for map_key, map_value
  in dict_value`` does (L787-788), an iterable of (key, value) pairs; None adds nothing;
* ``remove`` of an absent user key does nothing (Java's ``Map.remove``);
* ``items()``, ``keys()`` and ``values()`` return a :class:`MapStateIterator`, single pass as
  PyFlink's ``RemovableConcatIterator`` (L682-730), whose ``remove()`` deletes the mapping
  last returned. It walks a snapshot taken when it was created, so the state may be modified
  while it is iterated (PyFlink raises "Concurrent modification detected" instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kolk._runtime.state.state_table import KeyGroupedState
from kolk._runtime.state.ttl import TtlState
from kolk.datastream.state import MapState

__all__ = ["HeapMapState", "MapStateIterator", "TtlMapState"]

#: What a MapStateIterator yields.
ITEMS, KEYS, VALUES = 0, 1, 2

_NOTHING = object()


def _pairs(dict_value: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None) -> list[Any]:
    """The (key, value) pairs of ``put_all``'s argument."""
    if dict_value is None:
        return []
    if isinstance(dict_value, Mapping):
        return list(dict_value.items())
    return [(key, value) for key, value in dict_value]


class MapStateIterator(Iterator[Any]):
    """Iterates a snapshot of one key's map: (key, value) pairs, keys or values.

    ``remove()`` deletes the mapping last returned by ``__next__`` from the state (once per
    ``__next__``), removing the key's map when it becomes empty.
    """

    __slots__ = ("_entries", "_key", "_last", "_mode", "_pairs", "_table")

    def __init__(
        self,
        table: dict[Any, Any],
        key: Any,
        entries: dict[Any, Any],
        pairs: list[tuple[Any, Any]],
        mode: int,
    ) -> None:
        self._table = table
        self._key = key
        self._entries = entries
        self._pairs = iter(pairs)
        self._mode = mode
        self._last: Any = _NOTHING

    def __iter__(self) -> MapStateIterator:
        return self

    def __next__(self) -> Any:
        pair = next(self._pairs)
        self._last = pair[0]
        mode = self._mode
        return pair if mode == ITEMS else pair[0] if mode == KEYS else pair[1]

    def remove(self) -> None:
        """Deletes the mapping last returned from the state.

        Raises:
            RuntimeError: ``__next__`` was not called since the last ``remove``.
        """
        if self._last is _NOTHING:
            raise RuntimeError("You need to call the '__next__' method before calling this method.")
        entries = self._entries
        entries.pop(self._last, None)
        self._last = _NOTHING
        if not entries and self._table.get(self._key) is entries:
            del self._table[self._key]


class _MapStateOps:
    """What the plain and the TTL map states share: removal, ``contains`` (``get`` is not
    None, as in PyFlink) and the three iterators (each class builds its own ``_iterate``)."""

    __slots__ = ()
    _ctx: Any
    _tables: Any

    def get(self, key: Any) -> Any:
        raise NotImplementedError

    def _iterate(self, mode: int) -> MapStateIterator:
        raise NotImplementedError

    def remove(self, key: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is not None:
            entries.pop(key, None)
            if not entries:
                del table[ctx.key]

    def contains(self, key: Any) -> bool:
        return self.get(key) is not None

    def items(self) -> MapStateIterator:
        return self._iterate(ITEMS)

    def keys(self) -> MapStateIterator:
        return self._iterate(KEYS)

    def values(self) -> MapStateIterator:
        return self._iterate(VALUES)


class HeapMapState(_MapStateOps, KeyGroupedState, MapState[Any, Any]):
    """MapState over the heap backend: one dict per key."""

    __slots__ = ()

    def get(self, key: Any) -> Any:
        ctx = self._ctx
        entries = self._tables[ctx.key_group].get(ctx.key)
        return None if entries is None else entries.get(key)

    def put(self, key: Any, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is None:
            table[ctx.key] = {key: value}
        else:
            entries[key] = value

    def put_all(self, dict_value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        pairs = _pairs(dict_value)
        if not pairs:
            return
        if entries is None:
            table[ctx.key] = dict(pairs)
        else:
            entries.update(pairs)

    def is_empty(self) -> bool:
        ctx = self._ctx
        return self._tables[ctx.key_group].get(ctx.key) is None

    def _iterate(self, mode: int) -> MapStateIterator:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is None:
            return MapStateIterator(table, ctx.key, {}, [], mode)
        return MapStateIterator(table, ctx.key, entries, list(entries.items()), mode)


class TtlMapState(_MapStateOps, TtlState, MapState[Any, Any]):
    """MapState with TTL: every entry is stored as ``user_key: (value, ts)`` and expires alone.

    Reads follow Flink's ``TtlMapState``: ``get``/``contains`` apply the TTL rules to one
    entry; iteration applies them to every entry (removing the expired ones, returning them
    too with ``ReturnExpiredIfNotCleanedUp``, re-stamping the others with ``OnReadAndWrite``)
    when the iterator is created, where Flink does it as the iterator advances.
    ``is_empty`` is whether an iteration would return anything, and stops at the first such
    entry as Flink's ``!iterator().hasNext()``.
    """

    __slots__ = ()

    def get(self, key: Any) -> Any:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is None:
            return None
        value = self._read_single(entries, key)
        if not entries:
            del table[ctx.key]
        return value

    def put(self, key: Any, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is None:
            table[ctx.key] = {key: (value, self._now())}
        else:
            entries[key] = (value, self._now())

    def put_all(self, dict_value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        pairs = _pairs(dict_value)
        if not pairs:
            return
        now = self._now()
        stamped = {key: (value, now) for key, value in pairs}
        if entries is None:
            table[ctx.key] = stamped
        else:
            entries.update(stamped)

    def is_empty(self) -> bool:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is None:
            return True
        visible = self._visible(entries, stop_at_first=True)
        if not entries:
            del table[ctx.key]
        return not visible

    def _iterate(self, mode: int) -> MapStateIterator:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        entries = table.get(ctx.key)
        if entries is None:
            return MapStateIterator(table, ctx.key, {}, [], mode)
        visible = self._visible(entries, stop_at_first=False)
        if not entries:
            del table[ctx.key]
        return MapStateIterator(table, ctx.key, entries, visible, mode)

    def _visible(self, entries: dict[Any, Any], stop_at_first: bool) -> list[tuple[Any, Any]]:
        """The (key, value) pairs a read returns, applying the TTL rules to each entry."""
        now = self._now()
        deadline = now - self._ttl_ms  # expired when ts + ttl <= now, i.e. ts <= deadline
        return_expired = self._return_expired
        update_on_read = self._update_on_read
        visible = []
        for key, (value, ts) in list(entries.items()):
            if ts <= deadline:
                del entries[key]
                if not return_expired:
                    continue
            elif update_on_read:
                entries[key] = (value, now)
            visible.append((key, value))
            if stop_at_first:
                break
        return visible
