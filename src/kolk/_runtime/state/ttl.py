"""State time-to-live: the settings a TTL state reads, its clock, and ValueState with TTL.

Flink's TTL (``org.apache.flink.runtime.state.ttl``, flink_runtime_notes.md §5.3) wraps each
stored value with the timestamp of its last access, ``TtlValue(value, last_access)``; kolk
stores the pair as a tuple ``(value, last_access_ms)``: per value for ValueState,
ReducingState and AggregatingState, per element for ListState, per entry for MapState.

Semantics, as Flink's ``AbstractTtlDecorator`` and ``TtlUtils``:

* a value is **expired** when ``last_access + ttl <= now``;
* writes stamp ``now``; with ``OnReadAndWrite`` a read of an unexpired value re-stamps it;
* a read that finds an expired value removes it (lazy cleanup) and returns nothing, or, with
  ``ReturnExpiredIfNotCleanedUp``, returns it this one last time;
* time is processing time from the backend's time provider, read once per state access.

A state without TTL never reaches this module: the backend creates the plain heap class, whose
methods hold no TTL check (hot path rule, benchmarks/bench_core.py W2). Only the lazy
cleanup runs; the background strategies of the config (incremental cleanup, full snapshot,
RocksDB compaction filter) are not run by the heap backend yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.state_table import KeyGroupedState
from kolk.datastream.state import StateTtlConfig, ValueState

__all__ = [
    "TimeProvider",
    "TtlSettings",
    "TtlState",
    "TtlValueState",
    "ttl_settings",
    "wall_clock_ms",
]

#: Returns the current processing time in epoch milliseconds (Flink's ``TtlTimeProvider``).
TimeProvider = Callable[[], int]


def wall_clock_ms() -> int:
    """The wall clock in epoch milliseconds (Flink's ``System.currentTimeMillis``)."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class TtlSettings:
    """What a TTL state needs from a :class:`StateTtlConfig`, resolved once.

    Attributes:
        ttl_ms: how long a value lives after its last access, > 0.
        update_on_read: reads re-stamp unexpired values (``OnReadAndWrite``).
        return_expired: a read may return an expired value it removes
            (``ReturnExpiredIfNotCleanedUp``).
        now: the time provider.
    """

    ttl_ms: int
    update_on_read: bool
    return_expired: bool
    now: TimeProvider


def ttl_settings(config: StateTtlConfig | None, now: TimeProvider) -> TtlSettings | None:
    """Resolves a descriptor's TTL config; None when TTL is off (no config, or ``Disabled``).

    Raises:
        ValueError: the TTL is not positive (Flink's ``StateTtlConfig`` check).
    """
    if config is None or not config.is_enabled():
        return None
    ttl_ms = config.get_ttl().to_milliseconds()
    if ttl_ms <= 0:
        raise ValueError(f"TTL is expected to be positive, got {ttl_ms} ms.")
    return TtlSettings(
        ttl_ms=ttl_ms,
        update_on_read=config.get_update_type() == StateTtlConfig.UpdateType.OnReadAndWrite,
        return_expired=(
            config.get_state_visibility()
            == StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp
        ),
        now=now,
    )


class TtlState(KeyGroupedState):
    """Base of the TTL states: the key-grouped tables plus the resolved settings.

    The settings are copied into slots so that the methods read them with one attribute
    lookup each.
    """

    __slots__ = ("_now", "_return_expired", "_ttl_ms", "_update_on_read")

    def __init__(
        self, name: str, ctx: KeyContext, max_parallelism: int, settings: TtlSettings
    ) -> None:
        super().__init__(name, ctx, max_parallelism)
        self._ttl_ms = settings.ttl_ms
        self._update_on_read = settings.update_on_read
        self._return_expired = settings.return_expired
        self._now = settings.now

    def _read_single(self, table: dict[Any, Any], key: Any) -> Any:
        """Reads a single-value entry ``(value, ts)`` of ``table[key]`` with the TTL rules.

        Returns the value, or None (absent, or expired and not returned). An expired entry is
        removed; with ``update_on_read`` an unexpired one is re-stamped (Flink's
        ``getWrappedWithTtlCheckAndUpdate``).
        """
        entry = table.get(key)
        if entry is None:
            return None
        now = self._now()
        if entry[1] + self._ttl_ms <= now:
            del table[key]
            return entry[0] if self._return_expired else None
        if self._update_on_read:
            table[key] = (entry[0], now)
        return entry[0]


class TtlValueState(TtlState, ValueState[Any]):
    """ValueState with TTL (Flink's ``TtlValueState``): entries are ``(value, ts)``."""

    __slots__ = ()

    def value(self) -> Any:
        ctx = self._ctx
        return self._read_single(self._tables[ctx.key_group], ctx.key)

    def update(self, value: Any) -> None:
        ctx = self._ctx
        if value is None:
            self._tables[ctx.key_group].pop(ctx.key, None)
        else:
            self._tables[ctx.key_group][ctx.key] = (value, self._now())
