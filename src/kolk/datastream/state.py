"""Keyed state contracts, descriptors and TTL configuration (mirrors ``pyflink.datastream.state``).

A descriptor names a state and its type; ``runtime_context.get_state(descriptor)`` (and
``get_list_state``, ``get_map_state``, ``get_reducing_state``, ``get_aggregating_state``)
returns a handle whose contents are scoped to the key of the element being processed.
``StateDescriptor.enable_time_to_live(StateTtlConfig)`` makes the contents expire a time after
they were last written (or read), in processing time (flink_runtime_notes.md §5.3).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from typing import Any, Generic, TypeVar

from kolk.common.time import Duration, Time
from kolk.common.typeinfo import Types

__all__ = [
    "AggregatingState",
    "AggregatingStateDescriptor",
    "AppendingState",
    "BroadcastState",
    "ListState",
    "ListStateDescriptor",
    "MapState",
    "MapStateDescriptor",
    "MergingState",
    "OperatorStateStore",
    "ReadOnlyBroadcastState",
    "ReducingState",
    "ReducingStateDescriptor",
    "State",
    "StateDescriptor",
    "StateTtlConfig",
    "ValueState",
    "ValueStateDescriptor",
]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
IN = TypeVar("IN")
OUT = TypeVar("OUT")


# -- state contracts ----------------------------------------------------------------------------


class State(abc.ABC):
    """Interface that different types of partitioned state must implement."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Removes the value mapped under the current key."""


class ValueState(State, Generic[T]):
    """Keyed state that holds a single value per key."""

    @abc.abstractmethod
    def value(self) -> T:
        """Returns the current value for the state, or None if none was set for this key."""

    @abc.abstractmethod
    def update(self, value: T) -> None:
        """Updates the state's value for the current key; None removes it."""


class AppendingState(State, Generic[IN, OUT]):
    """Keyed state that values are added to and whose current contents can be read."""

    @abc.abstractmethod
    def get(self) -> OUT:
        """Returns the contents under the current key."""

    @abc.abstractmethod
    def add(self, value: IN) -> None:
        """Adds the value to the contents under the current key."""


class MergingState(AppendingState[IN, OUT]):
    """An AppendingState whose contents for two namespaces (windows) can be merged."""


class ReducingState(MergingState[T, T]):
    """Keyed state combining the values added to it with a ReduceFunction.

    ``get()`` is None until a value is added; the first value is stored as it is, each later
    one is ``reduce(current, value)``; adding None clears the state (Flink's
    ``HeapReducingState``).
    """


class AggregatingState(MergingState[IN, OUT]):
    """Keyed state aggregating the values added to it with an AggregateFunction.

    The state holds the accumulator: the first ``add`` starts it with
    ``create_accumulator()``, each ``add`` is ``add(value, accumulator)``, and ``get()`` is
    ``get_result(accumulator)``, or None when nothing was added; adding None clears the state.
    """


class ListState(MergingState[T, Iterable[T]]):
    """Keyed state holding a list of values per key.

    ``get()`` returns the values in insertion order, an empty iterable when there are none
    (never None). None cannot be an element: ``add(None)`` raises ``ValueError``.
    """

    @abc.abstractmethod
    def update(self, values: list[T]) -> None:
        """Replaces the values under the current key (an empty list clears them)."""

    @abc.abstractmethod
    def add_all(self, values: list[T]) -> None:
        """Appends the values to the list under the current key."""

    def __iter__(self) -> Iterator[T]:
        return iter(self.get())


class MapState(State, Generic[K, V]):
    """Keyed state holding a map per key; the mapping syntax works too (``state[k] = v``).

    ``get`` returns None for an absent key, and ``contains(k)`` is ``get(k) is not None``
    (PyFlink's definition, so a key mapped to None is not "contained").
    """

    @abc.abstractmethod
    def get(self, key: K) -> V:
        """Returns the value mapped to the key, or None."""

    @abc.abstractmethod
    def put(self, key: K, value: V) -> None:
        """Maps the key to the value."""

    @abc.abstractmethod
    def put_all(self, dict_value: dict[K, V]) -> None:
        """Copies all the mappings of ``dict_value`` into the state."""

    @abc.abstractmethod
    def remove(self, key: K) -> None:
        """Deletes the mapping of the key (nothing happens if there is none)."""

    @abc.abstractmethod
    def contains(self, key: K) -> bool:
        """Returns whether the key is mapped to a value other than None."""

    @abc.abstractmethod
    def items(self) -> Iterable[tuple[K, V]]:
        """Returns all the (key, value) mappings in the state."""

    @abc.abstractmethod
    def keys(self) -> Iterable[K]:
        """Returns all the keys in the state."""

    @abc.abstractmethod
    def values(self) -> Iterable[V]:
        """Returns all the values in the state."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """Returns True if the state holds no mapping."""

    def __getitem__(self, key: K) -> V:
        return self.get(key)

    def __setitem__(self, key: K, value: V) -> None:
        self.put(key, value)

    def __delitem__(self, key: K) -> None:
        self.remove(key)

    def __contains__(self, key: K) -> bool:
        return self.contains(key)

    def __iter__(self) -> Iterator[K]:
        return iter(self.keys())


# -- broadcast state -------------------------------------------------------------------------------


class ReadOnlyBroadcastState(State, Generic[K, V]):
    """A read-only view of a :class:`BroadcastState`: what the non-broadcast side sees.

    ``process_element`` of a (Keyed)BroadcastProcessFunction, and its ``on_timer``, get this
    view; only ``process_broadcast_element`` may write. Values returned must not be modified
    in place either (Flink's caution: every subtask must keep the same contents).
    ``get`` returns None for an absent key and ``contains(k)`` is ``get(k) is not None``, as
    for :class:`MapState`.
    """

    @abc.abstractmethod
    def get(self, key: K) -> V:
        """Returns the value mapped to the key, or None."""

    @abc.abstractmethod
    def contains(self, key: K) -> bool:
        """Returns whether the key is mapped to a value other than None."""

    @abc.abstractmethod
    def items(self) -> Iterable[tuple[K, V]]:
        """Returns all the (key, value) mappings in the state."""

    @abc.abstractmethod
    def keys(self) -> Iterable[K]:
        """Returns all the keys in the state."""

    @abc.abstractmethod
    def values(self) -> Iterable[V]:
        """Returns all the values in the state."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """Returns True if the state holds no mapping."""

    def __getitem__(self, key: K) -> V:
        return self.get(key)

    def __contains__(self, key: K) -> bool:
        return self.contains(key)

    def __iter__(self) -> Iterator[K]:
        return iter(self.keys())


class BroadcastState(ReadOnlyBroadcastState[K, V]):
    """The state of a :class:`~kolk.datastream.data_stream.BroadcastStream`: a map per
    parallel operator instance (not per key), one per ``MapStateDescriptor`` given to
    ``broadcast(...)``.

    Every subtask receives every broadcast element and keeps its own copy; the user must make
    ``process_broadcast_element`` update it the same way on every subtask (deterministically,
    from the element alone), or the copies diverge.
    """

    @abc.abstractmethod
    def put(self, key: K, value: V) -> None:
        """Maps the key to the value."""

    @abc.abstractmethod
    def put_all(self, dict_value: dict[K, V]) -> None:
        """Copies all the mappings of ``dict_value`` into the state."""

    @abc.abstractmethod
    def remove(self, key: K) -> None:
        """Deletes the mapping of the key (nothing happens if there is none)."""

    def __setitem__(self, key: K, value: V) -> None:
        self.put(key, value)

    def __delitem__(self, key: K) -> None:
        self.remove(key)


class OperatorStateStore(abc.ABC):
    """Gives access to operator (non-keyed) state; only broadcast state exists in PyFlink."""

    @abc.abstractmethod
    def get_broadcast_state(self, state_descriptor: MapStateDescriptor) -> BroadcastState[Any, Any]:
        """Returns the read-write broadcast state described by the descriptor."""


# -- descriptors --------------------------------------------------------------------------------


class StateDescriptor(abc.ABC):  # noqa: B024 - abstract by intent, as in PyFlink
    """Base class for state descriptors: a name, a type and optional TTL."""

    def __init__(self, name: str, type_info: Any) -> None:
        if not isinstance(name, str):
            raise TypeError(f"The state name must be a str, got {type(name).__name__}")
        self.name = name
        self.type_info = type_info
        self._ttl_config: StateTtlConfig | None = None

    def get_name(self) -> str:
        """Get the name of the state."""
        return self.name

    def enable_time_to_live(self, ttl_config: StateTtlConfig) -> None:
        """Configures optional activation of state time-to-live (TTL).

        Values of the state then expire ``ttl_config.get_ttl()`` after their last write (or
        read, with ``OnReadAndWrite``). A config whose update type is ``Disabled`` leaves the
        state without TTL. The config is read when the state is first created.

        Raises:
            TypeError: ``ttl_config`` is not a :class:`StateTtlConfig`.
        """
        if not isinstance(ttl_config, StateTtlConfig):
            raise TypeError(
                f"enable_time_to_live expects a StateTtlConfig, got {type(ttl_config).__name__}"
            )
        self._ttl_config = ttl_config


class ValueStateDescriptor(StateDescriptor):
    """Descriptor for :class:`ValueState`."""

    def __init__(self, name: str, value_type_info: Any) -> None:
        super().__init__(name, value_type_info)


class ListStateDescriptor(StateDescriptor):
    """Descriptor for :class:`ListState`; its ``type_info`` is ``Types.LIST(elem_type_info)``."""

    def __init__(self, name: str, elem_type_info: Any) -> None:
        super().__init__(name, Types.LIST(elem_type_info))


class MapStateDescriptor(StateDescriptor):
    """Descriptor for :class:`MapState`; its ``type_info`` is ``Types.MAP(key, value)``."""

    def __init__(self, name: str, key_type_info: Any, value_type_info: Any) -> None:
        super().__init__(name, Types.MAP(key_type_info, value_type_info))


class _CallableReduceFunction:
    """Gives a plain callable the ``reduce`` method of a ReduceFunction (PyFlink wraps it in
    ``ReduceFunctionWrapper``, which this contracts layer cannot import)."""

    def __init__(self, func: Any) -> None:
        self._func = func

    def reduce(self, value1: Any, value2: Any) -> Any:
        return self._func(value1, value2)


class ReducingStateDescriptor(StateDescriptor):
    """Descriptor for :class:`ReducingState`.

    ``reduce_function`` is a ReduceFunction (anything with a callable ``reduce(value1,
    value2)``) or a plain callable taking two values, which is wrapped.
    """

    def __init__(self, name: str, reduce_function: Any, type_info: Any) -> None:
        """Creates the descriptor.

        Raises:
            TypeError: ``reduce_function`` is neither a ReduceFunction nor callable.
        """
        super().__init__(name, type_info)
        # Duck-typed: kolk.datastream.functions sits above this module (import-linter layers).
        if not callable(getattr(reduce_function, "reduce", None)):
            if not callable(reduce_function):
                raise TypeError("The input must be a ReduceFunction or a callable function!")
            reduce_function = _CallableReduceFunction(reduce_function)
        self._reduce_function = reduce_function

    def get_reduce_function(self) -> Any:
        """Returns the ReduceFunction combining the values of the state."""
        return self._reduce_function


#: What makes an AggregateFunction (its abstract methods).
_AGGREGATE_METHODS = ("create_accumulator", "add", "get_result", "merge")


class AggregatingStateDescriptor(StateDescriptor):
    """Descriptor for :class:`AggregatingState`; ``state_type_info`` is the accumulator's type."""

    def __init__(self, name: str, agg_function: Any, state_type_info: Any) -> None:
        """Creates the descriptor.

        Raises:
            TypeError: ``agg_function`` lacks one of AggregateFunction's methods.
        """
        super().__init__(name, state_type_info)
        # Duck-typed, as ReducingStateDescriptor (the layers forbid importing functions).
        if not all(callable(getattr(agg_function, m, None)) for m in _AGGREGATE_METHODS):
            raise TypeError("The input must be a pyflink.datastream.functions.AggregateFunction!")
        self._agg_function = agg_function

    def get_agg_function(self) -> Any:
        """Returns the AggregateFunction of the state."""
        return self._agg_function


# -- time-to-live -------------------------------------------------------------------------------


class StateTtlConfig:
    """Time-to-live of keyed state values, built with ``StateTtlConfig.new_builder(ttl)``.

    Defaults (Flink's ``StateTtlConfig.Builder``): update type ``OnCreateAndWrite``,
    visibility ``NeverReturnExpired``, processing time, cleanup in background enabled.
    kolk removes expired values lazily, when they are read; the cleanup strategies are kept
    for the API and for backends that run them.
    """

    class UpdateType(Enum):
        """When the last-access timestamp, which prolongs a value's life, is updated."""

        Disabled = 0
        OnCreateAndWrite = 1
        OnReadAndWrite = 2

    class StateVisibility(Enum):
        """Whether an expired value that is not cleaned up yet may be returned."""

        ReturnExpiredIfNotCleanedUp = 0
        NeverReturnExpired = 1

    class TtlTimeCharacteristic(Enum):
        """The time scale of TTL: processing time only."""

        ProcessingTime = 0

    def __init__(
        self,
        update_type: StateTtlConfig.UpdateType,
        state_visibility: StateTtlConfig.StateVisibility,
        ttl_time_characteristic: StateTtlConfig.TtlTimeCharacteristic,
        ttl: Time,
        cleanup_strategies: StateTtlConfig.CleanupStrategies,
    ) -> None:
        self._update_type = update_type
        self._state_visibility = state_visibility
        self._ttl_time_characteristic = ttl_time_characteristic
        self._ttl = ttl
        self._cleanup_strategies = cleanup_strategies

    @staticmethod
    def new_builder(ttl: Time) -> StateTtlConfig.Builder:
        """Returns a builder of configs whose values live ``ttl``."""
        return StateTtlConfig.Builder(ttl)

    def get_update_type(self) -> StateTtlConfig.UpdateType:
        return self._update_type

    def get_state_visibility(self) -> StateTtlConfig.StateVisibility:
        return self._state_visibility

    def get_ttl(self) -> Time:
        return self._ttl

    def get_ttl_time_characteristic(self) -> StateTtlConfig.TtlTimeCharacteristic:
        return self._ttl_time_characteristic

    def is_enabled(self) -> bool:
        """Whether values expire (the update type is not ``Disabled``)."""
        return self._update_type.value != StateTtlConfig.UpdateType.Disabled.value

    def get_cleanup_strategies(self) -> StateTtlConfig.CleanupStrategies:
        return self._cleanup_strategies

    def __repr__(self) -> str:
        return (
            f"StateTtlConfig<update_type={self._update_type}, "
            f"state_visibility={self._state_visibility},"
            f"ttl_time_characteristic ={self._ttl_time_characteristic},"
            f"ttl={self._ttl}>"
        )

    class Builder:
        """Builder of :class:`StateTtlConfig`; every setter returns the builder."""

        def __init__(self, ttl: Time) -> None:
            self._ttl = ttl
            self._update_type = StateTtlConfig.UpdateType.OnCreateAndWrite
            self._state_visibility = StateTtlConfig.StateVisibility.NeverReturnExpired
            self._ttl_time_characteristic = StateTtlConfig.TtlTimeCharacteristic.ProcessingTime
            self._is_cleanup_in_background = True
            self._strategies: dict[Any, Any] = {}

        def set_update_type(self, update_type: StateTtlConfig.UpdateType) -> StateTtlConfig.Builder:
            """Sets when the last-access timestamp is updated."""
            self._update_type = update_type
            return self

        def update_ttl_on_create_and_write(self) -> StateTtlConfig.Builder:
            return self.set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)

        def update_ttl_on_read_and_write(self) -> StateTtlConfig.Builder:
            return self.set_update_type(StateTtlConfig.UpdateType.OnReadAndWrite)

        def set_state_visibility(
            self, state_visibility: StateTtlConfig.StateVisibility
        ) -> StateTtlConfig.Builder:
            """Sets whether expired values not yet cleaned up may be returned."""
            self._state_visibility = state_visibility
            return self

        def return_expired_if_not_cleaned_up(self) -> StateTtlConfig.Builder:
            return self.set_state_visibility(
                StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp
            )

        def never_return_expired(self) -> StateTtlConfig.Builder:
            return self.set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired)

        def set_ttl_time_characteristic(
            self, ttl_time_characteristic: StateTtlConfig.TtlTimeCharacteristic
        ) -> StateTtlConfig.Builder:
            """Sets the time scale of TTL (processing time is the only one)."""
            self._ttl_time_characteristic = ttl_time_characteristic
            return self

        def use_processing_time(self) -> StateTtlConfig.Builder:
            return self.set_ttl_time_characteristic(
                StateTtlConfig.TtlTimeCharacteristic.ProcessingTime
            )

        def cleanup_full_snapshot(self) -> StateTtlConfig.Builder:
            """Drops expired values from full snapshots."""
            strategies = StateTtlConfig.CleanupStrategies
            self._strategies[strategies.Strategies.FULL_STATE_SCAN_SNAPSHOT] = (
                strategies.EMPTY_STRATEGY
            )
            return self

        def cleanup_incrementally(
            self, cleanup_size: int, run_cleanup_for_every_record
        ) -> StateTtlConfig.Builder:
            """Checks ``cleanup_size`` keys for expiry on every state access (heap backends).

            Args:
                cleanup_size: keys checked per state access.
                run_cleanup_for_every_record: also check on every processed record.
            """
            strategies = StateTtlConfig.CleanupStrategies
            self._strategies[strategies.Strategies.INCREMENTAL_CLEANUP] = (
                strategies.IncrementalCleanupStrategy(cleanup_size, run_cleanup_for_every_record)
            )
            return self

        def cleanup_in_rocksdb_compact_filter(
            self, query_time_after_num_entries, periodic_compaction_time=None
        ) -> StateTtlConfig.Builder:
            """Drops expired values while RocksDB compacts.

            Args:
                query_time_after_num_entries: entries processed between two reads of the time.
                periodic_compaction_time: a Duration; files older than it are compacted again
                    (default 30 days; zero turns periodic compaction off).
            """
            strategies = StateTtlConfig.CleanupStrategies
            self._strategies[strategies.Strategies.ROCKSDB_COMPACTION_FILTER] = (
                strategies.RocksdbCompactFilterCleanupStrategy(
                    query_time_after_num_entries, periodic_compaction_time
                )
            )
            return self

        def disable_cleanup_in_background(self) -> StateTtlConfig.Builder:
            """Disables the default background cleanup (explicit strategies still apply)."""
            self._is_cleanup_in_background = False
            return self

        def set_ttl(self, ttl: Time) -> StateTtlConfig.Builder:
            """Sets how long values live."""
            self._ttl = ttl
            return self

        def build(self) -> StateTtlConfig:
            return StateTtlConfig(
                self._update_type,
                self._state_visibility,
                self._ttl_time_characteristic,
                self._ttl,
                StateTtlConfig.CleanupStrategies(self._strategies, self._is_cleanup_in_background),
            )

    class CleanupStrategies:
        """When expired values are cleaned up besides on read (Flink's ``CleanupStrategies``)."""

        class Strategies(Enum):
            """The strategies' fixed ordinals."""

            FULL_STATE_SCAN_SNAPSHOT = 0
            INCREMENTAL_CLEANUP = 1
            ROCKSDB_COMPACTION_FILTER = 2

        class CleanupStrategy(abc.ABC):  # noqa: B024 - a marker base, as in PyFlink
            """Base of the strategies' configurations."""

        class EmptyCleanupStrategy(CleanupStrategy):
            """A strategy without settings."""

        class IncrementalCleanupStrategy(CleanupStrategy):
            """Incremental cleanup: keys checked per state access, and whether per record."""

            def __init__(self, cleanup_size: int, run_cleanup_for_every_record: bool) -> None:
                self._cleanup_size = cleanup_size
                self._run_cleanup_for_every_record = run_cleanup_for_every_record

            def get_cleanup_size(self) -> int:
                return self._cleanup_size

            def run_cleanup_for_every_record(self) -> bool:
                return self._run_cleanup_for_every_record

        class RocksdbCompactFilterCleanupStrategy(CleanupStrategy):
            """Cleanup by RocksDB's compaction filter."""

            def __init__(
                self, query_time_after_num_entries: int, periodic_compaction_time=None
            ) -> None:
                self._query_time_after_num_entries = query_time_after_num_entries
                self._periodic_compaction_time = (
                    periodic_compaction_time if periodic_compaction_time else Duration.of_days(30)
                )

            def get_query_time_after_num_entries(self) -> int:
                return self._query_time_after_num_entries

            def get_periodic_compaction_time(self) -> Duration:
                return self._periodic_compaction_time

        EMPTY_STRATEGY = EmptyCleanupStrategy()

        def __init__(self, strategies: Mapping[Any, Any], is_cleanup_in_background: bool) -> None:
            self._strategies = dict(strategies)
            self._is_cleanup_in_background = is_cleanup_in_background

        def is_cleanup_in_background(self) -> bool:
            return self._is_cleanup_in_background

        def in_full_snapshot(self) -> bool:
            return StateTtlConfig.CleanupStrategies.Strategies.FULL_STATE_SCAN_SNAPSHOT in (
                self._strategies
            )

        def get_incremental_cleanup_strategy(
            self,
        ) -> StateTtlConfig.CleanupStrategies.IncrementalCleanupStrategy | None:
            """The configured strategy; else (5, False) with background cleanup, else None."""
            strategies = StateTtlConfig.CleanupStrategies
            default = (
                strategies.IncrementalCleanupStrategy(5, False)
                if self._is_cleanup_in_background
                else None
            )
            return self._strategies.get(strategies.Strategies.INCREMENTAL_CLEANUP, default)

        def get_rocksdb_compact_filter_cleanup_strategy(
            self,
        ) -> StateTtlConfig.CleanupStrategies.RocksdbCompactFilterCleanupStrategy | None:
            """The configured strategy; else (1000, 30 days) with background cleanup, else None."""
            strategies = StateTtlConfig.CleanupStrategies
            default = (
                strategies.RocksdbCompactFilterCleanupStrategy(1000)
                if self._is_cleanup_in_background
                else None
            )
            return self._strategies.get(strategies.Strategies.ROCKSDB_COMPACTION_FILTER, default)
