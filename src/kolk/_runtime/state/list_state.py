"""ListState over the heap backend, without and with TTL (Flink's ``HeapListState``,
``TtlListState``).

A key's entry is a Python list, stored only while it is non-empty. ``get()`` returns a new
list each time, so the caller may keep or modify it, or add to the state while iterating it,
without touching the stored one; for a key without values it is ``[]``: PyFlink returns an
empty iterable, never None (``SynchronousListRuntimeState.get``, fn_execution/state_impl.py
L207-208, reads a Beam bag).

None is not a valid element: ``add(None)``, ``add_all``/``update`` with a None element and a
None list raise ``ValueError`` with Flink's messages (``HeapListState``; PyFlink defers to the
Java state). ``add_all`` and ``update`` check every element before changing anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kolk._runtime.state.state_table import KeyGroupedState
from kolk._runtime.state.ttl import TtlState
from kolk.datastream.state import ListState

__all__ = ["HeapListState", "TtlListState"]

_NONE_ELEMENT = "You cannot add null to a ListState."
_NONE_LIST = "List of values to add cannot be null."


def _checked(values: Iterable[Any] | None) -> list[Any]:
    """The values as a new list, or ValueError for a None list or a None element."""
    if values is None:
        raise ValueError(_NONE_LIST)
    items = list(values)
    if any(value is None for value in items):
        raise ValueError(_NONE_ELEMENT)
    return items


class _ListWrites:
    """``add_all``/``update`` of the plain and the TTL list states; ``_stored`` turns checked
    values into what the list keeps (themselves, or stamped with their write time)."""

    __slots__ = ()
    _ctx: Any
    _tables: Any

    def _stored(self, items: list[Any]) -> list[Any]:
        raise NotImplementedError

    def add_all(self, values: Iterable[Any]) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        stored = table.get(ctx.key)
        items = _checked(values)
        if not items:
            return
        if stored is None:
            table[ctx.key] = self._stored(items)
        else:
            stored.extend(self._stored(items))

    def update(self, values: Iterable[Any]) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        table.get(ctx.key)  # refuses access without a key before the values are checked
        items = _checked(values)
        if items:
            table[ctx.key] = self._stored(items)
        else:
            table.pop(ctx.key, None)


class HeapListState(_ListWrites, KeyGroupedState, ListState[Any]):
    """ListState over the heap backend: one list per key, in insertion order."""

    __slots__ = ()

    def get(self) -> list[Any]:
        ctx = self._ctx
        stored = self._tables[ctx.key_group].get(ctx.key)
        return [] if stored is None else list(stored)

    def add(self, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        stored = table.get(ctx.key)
        if value is None:
            raise ValueError(_NONE_ELEMENT)
        if stored is None:
            table[ctx.key] = [value]
        else:
            stored.append(value)

    def _stored(self, items: list[Any]) -> list[Any]:
        return items


class TtlListState(_ListWrites, TtlState, ListState[Any]):
    """ListState with TTL: every element is stored as ``(value, ts)`` and expires alone.

    ``get()`` follows Flink's ``TtlListState``: it returns the unexpired elements (and the
    expired ones too with ``ReturnExpiredIfNotCleanedUp``); with ``OnReadAndWrite`` the
    stored list becomes the unexpired elements re-stamped; when no element is unexpired the
    key's list is removed. Without ``OnReadAndWrite`` expired elements next to unexpired ones
    stay stored, invisible, until the whole list has expired (Flink's lazy cleanup). Flink
    removes the list when its iterator is exhausted; kolk builds the result at once and
    removes it then.
    """

    __slots__ = ()

    def get(self) -> list[Any]:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        stored = table.get(ctx.key)
        if stored is None:
            return []
        now = self._now()
        deadline = now - self._ttl_ms  # expired when ts + ttl <= now, i.e. ts <= deadline
        if self._return_expired:
            result = [value for value, _ in stored]
        else:
            result = [value for value, ts in stored if ts > deadline]
        if self._update_on_read:
            fresh = [(value, now) for value, ts in stored if ts > deadline]
            if fresh:
                table[ctx.key] = fresh
            any_unexpired = bool(fresh)
        else:
            any_unexpired = any(ts > deadline for _, ts in stored)
        if not any_unexpired:
            del table[ctx.key]
        return result

    def add(self, value: Any) -> None:
        ctx = self._ctx
        table = self._tables[ctx.key_group]
        stored = table.get(ctx.key)
        if value is None:
            raise ValueError(_NONE_ELEMENT)
        if stored is None:
            table[ctx.key] = [(value, self._now())]
        else:
            stored.append((value, self._now()))

    def _stored(self, items: list[Any]) -> list[Any]:
        """Each element stamped with the time it was written."""
        now = self._now()
        return [(value, now) for value in items]
