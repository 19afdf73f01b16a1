"""kolk.datastream.state: state contracts, descriptors and StateTtlConfig, as PyFlink 2.3's."""

from __future__ import annotations

from typing import Any

import pytest

from kolk.common.time import Duration, Time
from kolk.common.typeinfo import Types
from kolk.datastream import AggregateFunction as ExportedAggregateFunction
from kolk.datastream.functions import AggregateFunction, KeyedStateStore, ReduceFunction
from kolk.datastream.state import (
    AggregatingState,
    AggregatingStateDescriptor,
    AppendingState,
    ListState,
    ListStateDescriptor,
    MapState,
    MapStateDescriptor,
    MergingState,
    ReducingState,
    ReducingStateDescriptor,
    State,
    StateDescriptor,
    StateTtlConfig,
    ValueStateDescriptor,
)

CleanupStrategies = StateTtlConfig.CleanupStrategies


class Sum(ReduceFunction):
    def reduce(self, value1: Any, value2: Any) -> Any:
        return value1 + value2


class Count(AggregateFunction):
    def create_accumulator(self) -> Any:
        return 0

    def add(self, value: Any, accumulator: Any) -> Any:
        return accumulator + 1

    def get_result(self, accumulator: Any) -> Any:
        return accumulator

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        return acc_a + acc_b


# -- contracts ------------------------------------------------------------------------------------


def test_state_hierarchy_is_pyflinks() -> None:
    assert issubclass(AppendingState, State)
    assert issubclass(MergingState, AppendingState)
    for merging in (ListState, ReducingState, AggregatingState):
        assert issubclass(merging, MergingState)
    assert issubclass(MapState, State)
    assert not issubclass(MapState, AppendingState)


class DictMap(MapState[Any, Any]):
    """A minimal MapState, to check the mapping syntax the contract derives."""

    def __init__(self) -> None:
        self.data: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self.data.get(key)

    def put(self, key: Any, value: Any) -> None:
        self.data[key] = value

    def put_all(self, dict_value: dict[Any, Any]) -> None:
        self.data.update(dict_value)

    def remove(self, key: Any) -> None:
        self.data.pop(key, None)

    def contains(self, key: Any) -> bool:
        return key in self.data

    def items(self) -> Any:
        return self.data.items()

    def keys(self) -> Any:
        return self.data.keys()

    def values(self) -> Any:
        return self.data.values()

    def is_empty(self) -> bool:
        return not self.data

    def clear(self) -> None:
        self.data.clear()


def test_map_state_mapping_syntax_delegates_to_the_methods() -> None:
    state = DictMap()
    state["a"] = 1
    assert state["a"] == 1
    assert "a" in state
    assert list(state) == ["a"]
    del state["a"]
    assert state.is_empty()


def test_list_state_iterates_over_get() -> None:
    class Fixed(ListState[int]):
        def get(self) -> list[int]:
            return [1, 2]

        def add(self, value: int) -> None: ...

        def add_all(self, values: list[int]) -> None: ...

        def update(self, values: list[int]) -> None: ...

        def clear(self) -> None: ...

    assert list(Fixed()) == [1, 2]


def test_keyed_state_store_requires_every_state_kind() -> None:
    assert KeyedStateStore.__abstractmethods__ == {
        "get_state",
        "get_list_state",
        "get_map_state",
        "get_reducing_state",
        "get_aggregating_state",
    }


def test_aggregate_function_is_exported_and_abstract() -> None:
    assert ExportedAggregateFunction is AggregateFunction
    assert AggregateFunction.__module__ == "kolk.datastream.functions"
    assert AggregateFunction.__abstractmethods__ == {
        "create_accumulator",
        "add",
        "get_result",
        "merge",
    }


# -- descriptors ----------------------------------------------------------------------------------


def test_list_and_map_descriptors_wrap_their_types() -> None:
    values = ListStateDescriptor("events", Types.INT())
    mapping = MapStateDescriptor("index", Types.STRING(), Types.LONG())
    assert (values.get_name(), values.type_info) == ("events", Types.LIST(Types.INT()))
    assert (mapping.get_name(), mapping.type_info) == (
        "index",
        Types.MAP(Types.STRING(), Types.LONG()),
    )
    assert isinstance(values, StateDescriptor)
    assert isinstance(mapping, StateDescriptor)


def test_reducing_descriptor_keeps_a_reduce_function() -> None:
    function = Sum()
    descriptor = ReducingStateDescriptor("sum", function, Types.INT())
    assert descriptor.get_reduce_function() is function
    assert (descriptor.get_name(), descriptor.type_info) == ("sum", Types.INT())


def test_reducing_descriptor_wraps_a_callable() -> None:
    descriptor = ReducingStateDescriptor("max", max, Types.INT())
    assert descriptor.get_reduce_function().reduce(3, 7) == 7


def test_reducing_descriptor_refuses_a_non_callable() -> None:
    with pytest.raises(TypeError) as raised:
        ReducingStateDescriptor("x", 42, Types.INT())
    assert str(raised.value) == "The input must be a ReduceFunction or a callable function!"


def test_aggregating_descriptor() -> None:
    function = Count()
    descriptor = AggregatingStateDescriptor("count", function, Types.LONG())
    assert descriptor.get_agg_function() is function
    assert (descriptor.get_name(), descriptor.type_info) == ("count", Types.LONG())
    with pytest.raises(TypeError) as raised:
        AggregatingStateDescriptor("count", lambda v, a: a, Types.LONG())
    assert str(raised.value) == (
        "The input must be a pyflink.datastream.functions.AggregateFunction!"
    )


def test_state_name_must_be_a_string() -> None:
    with pytest.raises(TypeError) as raised:
        ListStateDescriptor(1, Types.INT())  # type: ignore[arg-type]
    assert str(raised.value) == "The state name must be a str, got int"


def test_enable_time_to_live_keeps_the_config() -> None:
    descriptor = ValueStateDescriptor("v", Types.INT())
    assert descriptor._ttl_config is None
    config = StateTtlConfig.new_builder(Time.seconds(1)).build()
    descriptor.enable_time_to_live(config)
    assert descriptor._ttl_config is config


def test_enable_time_to_live_refuses_anything_else() -> None:
    with pytest.raises(TypeError) as raised:
        ValueStateDescriptor("v", None).enable_time_to_live(None)  # type: ignore[arg-type]
    assert str(raised.value) == "enable_time_to_live expects a StateTtlConfig, got NoneType"


# -- StateTtlConfig -------------------------------------------------------------------------------


def test_ttl_config_defaults_are_flinks() -> None:
    config = StateTtlConfig.new_builder(Time.seconds(5)).build()
    assert config.get_ttl() == Time.seconds(5)
    assert config.get_update_type() is StateTtlConfig.UpdateType.OnCreateAndWrite
    assert config.get_state_visibility() is StateTtlConfig.StateVisibility.NeverReturnExpired
    assert (
        config.get_ttl_time_characteristic() is StateTtlConfig.TtlTimeCharacteristic.ProcessingTime
    )
    assert config.is_enabled() is True
    strategies = config.get_cleanup_strategies()
    assert strategies.is_cleanup_in_background() is True
    assert strategies.in_full_snapshot() is False
    incremental = strategies.get_incremental_cleanup_strategy()
    assert incremental is not None
    assert (incremental.get_cleanup_size(), incremental.run_cleanup_for_every_record()) == (
        5,
        False,
    )
    rocksdb = strategies.get_rocksdb_compact_filter_cleanup_strategy()
    assert rocksdb is not None
    assert rocksdb.get_query_time_after_num_entries() == 1000
    assert rocksdb.get_periodic_compaction_time() == Duration.of_days(30)


def test_ttl_builder_setters() -> None:
    builder = StateTtlConfig.new_builder(Time.seconds(1))
    assert isinstance(builder, StateTtlConfig.Builder)
    for chained in (
        builder.update_ttl_on_read_and_write(),
        builder.return_expired_if_not_cleaned_up(),
        builder.use_processing_time(),
        builder.set_ttl(Time.minutes(2)),
    ):
        assert chained is builder
    config = builder.build()
    assert config.get_update_type() is StateTtlConfig.UpdateType.OnReadAndWrite
    assert (
        config.get_state_visibility() is StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp
    )
    assert config.get_ttl() == Time.minutes(2)
    config = builder.update_ttl_on_create_and_write().never_return_expired().build()
    assert config.get_update_type() is StateTtlConfig.UpdateType.OnCreateAndWrite
    assert config.get_state_visibility() is StateTtlConfig.StateVisibility.NeverReturnExpired
    config = builder.set_update_type(StateTtlConfig.UpdateType.Disabled).build()
    assert config.is_enabled() is False


def test_ttl_cleanup_strategies() -> None:
    config = (
        StateTtlConfig.new_builder(Time.seconds(1))
        .cleanup_full_snapshot()
        .cleanup_incrementally(10, True)
        .cleanup_in_rocksdb_compact_filter(500, Duration.of_hours(1))
        .disable_cleanup_in_background()
        .build()
    )
    strategies = config.get_cleanup_strategies()
    assert strategies.is_cleanup_in_background() is False
    assert strategies.in_full_snapshot() is True
    incremental = strategies.get_incremental_cleanup_strategy()
    assert isinstance(incremental, CleanupStrategies.IncrementalCleanupStrategy)
    assert (incremental.get_cleanup_size(), incremental.run_cleanup_for_every_record()) == (
        10,
        True,
    )
    rocksdb = strategies.get_rocksdb_compact_filter_cleanup_strategy()
    assert isinstance(rocksdb, CleanupStrategies.RocksdbCompactFilterCleanupStrategy)
    assert rocksdb.get_query_time_after_num_entries() == 500
    assert rocksdb.get_periodic_compaction_time() == Duration.of_hours(1)


def test_without_background_cleanup_there_is_no_default_strategy() -> None:
    strategies = (
        StateTtlConfig.new_builder(Time.seconds(1))
        .disable_cleanup_in_background()
        .build()
        .get_cleanup_strategies()
    )
    assert strategies.get_incremental_cleanup_strategy() is None
    assert strategies.get_rocksdb_compact_filter_cleanup_strategy() is None


def test_ttl_enums_are_pyflinks() -> None:
    assert {m.name: m.value for m in StateTtlConfig.UpdateType} == {
        "Disabled": 0,
        "OnCreateAndWrite": 1,
        "OnReadAndWrite": 2,
    }
    assert {m.name: m.value for m in StateTtlConfig.StateVisibility} == {
        "ReturnExpiredIfNotCleanedUp": 0,
        "NeverReturnExpired": 1,
    }
    assert {m.name: m.value for m in StateTtlConfig.TtlTimeCharacteristic} == {"ProcessingTime": 0}
    assert {m.name: m.value for m in CleanupStrategies.Strategies} == {
        "FULL_STATE_SCAN_SNAPSHOT": 0,
        "INCREMENTAL_CLEANUP": 1,
        "ROCKSDB_COMPACTION_FILTER": 2,
    }
    assert isinstance(CleanupStrategies.EMPTY_STRATEGY, CleanupStrategies.EmptyCleanupStrategy)


def test_ttl_config_repr() -> None:
    config = StateTtlConfig.new_builder(Time.seconds(1)).build()
    assert repr(config) == (
        "StateTtlConfig<update_type=UpdateType.OnCreateAndWrite, "
        "state_visibility=StateVisibility.NeverReturnExpired,"
        "ttl_time_characteristic =TtlTimeCharacteristic.ProcessingTime,ttl=1000 ms>"
    )
