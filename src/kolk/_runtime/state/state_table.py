"""The layout every heap state shares (Flink's ``StateTable``): one dict per key group.

A state handle keeps a list of ``dict[key, entry]`` indexed by key group, plus one more
table at index -1 that refuses any access. ``KeyContext.key_group`` is -1 while no key is
set, so a state method that starts with a lookup in ``tables[ctx.key_group]`` needs no check
of its own to fail clearly outside a keyed context: the hot path stays one list index and one
dict operation (benchmarks/bench_core.py W2).

Invariants kept by every state built on :class:`KeyGroupedState`:

* a key is present in its key group's table only while it has contents: no None value, no
  empty list or map is stored (so a snapshot holds exactly the keys with state);
* every public method of a state touches ``tables[ctx.key_group]`` through ``get``,
  ``__setitem__`` or ``pop`` before anything else that depends on the key, so the no-key
  table raises first.

Threading model: a state belongs to one keyed operator of one subtask and is only used from
that subtask's task thread.
"""

from __future__ import annotations

from typing import Any, NoReturn

from kolk._runtime.state.key_context import KeyContext
from kolk.util.exceptions import StateAccessException

__all__ = ["NO_KEY_MESSAGE", "KeyGroupedState", "NoKeyTable"]

NO_KEY_MESSAGE = (
    "Keyed state '{name}' was accessed outside a keyed context: no key is set. Keyed state can "
    "only be used while a keyed function processes an element or a timer (process_element, "
    "on_timer, map/filter/reduce on a KeyedStream), not in open() or close()."
)


class NoKeyTable(dict):  # type: ignore[type-arg]
    """Stands at index -1 of a state's table list: any access outside a keyed context lands
    here (``key_group`` is -1 then) and raises :class:`StateAccessException`."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._message = NO_KEY_MESSAGE.format(name=name)

    def _refuse(self, *args: Any) -> NoReturn:
        raise StateAccessException(self._message)

    get = _refuse
    pop = _refuse
    setdefault = _refuse
    __getitem__ = _refuse
    __setitem__ = _refuse
    __delitem__ = _refuse
    __contains__ = _refuse


class KeyGroupedState:
    """Base of the heap states: the per-key-group tables, ``clear`` and ``tables``.

    Args:
        name: the state's name (for error messages).
        ctx: the operator's key context, shared by all its states.
        max_parallelism: the number of key groups.
    """

    __slots__ = ("_ctx", "_name", "_tables")

    def __init__(self, name: str, ctx: KeyContext, max_parallelism: int) -> None:
        self._name = name
        self._ctx = ctx
        self._tables: list[dict[Any, Any]] = [{} for _ in range(max_parallelism)]
        self._tables.append(NoKeyTable(name))

    @property
    def name(self) -> str:
        """The state's name."""
        return self._name

    def clear(self) -> None:
        """Removes the contents under the current key."""
        ctx = self._ctx
        self._tables[ctx.key_group].pop(ctx.key, None)

    def tables(self) -> dict[int, dict[Any, Any]]:
        """Key group → {key: stored entry} for the key groups that hold state.

        The stored entries are the backend's representation (with TTL, values carry their
        last-access timestamp); for snapshots, statistics and tests.
        """
        return {kg: table for kg, table in enumerate(self._tables[:-1]) if table}
