"""DataStream, KeyedStream and DataStreamSink: the transformations they record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._graph.transformations import (
    PARALLELISM_DEFAULT,
    ChainingStrategy,
    OneInputTransformation,
    PartitionerSpec,
    PartitionTransformation,
    ShipStrategy,
    SinkTransformation,
    UnionTransformation,
)
from kolk._runtime.operators.factories import (
    FilterOperatorFactory,
    FlatMapOperatorFactory,
    KeyedProcessOperatorFactory,
    MapOperatorFactory,
    PrintSinkOperatorFactory,
    ProcessOperatorFactory,
    ReduceOperatorFactory,
)
from kolk.common import Row, Types
from kolk.datastream import (
    DataStream,
    DataStreamSink,
    FilterFunction,
    FlatMapFunction,
    KeyedProcessFunction,
    KeyedStream,
    KeySelector,
    MapFunction,
    ProcessFunction,
    ReduceFunction,
    StreamExecutionEnvironment,
)
from kolk.datastream._aggregations import AccumulateReduceFunction


def exactly(message: str) -> str:
    """A ``match=`` pattern for exactly this message."""
    return f"^{re.escape(message)}$"


@pytest.fixture(autouse=True)
def client_parallelism() -> Iterator[None]:
    previous = get_client_options()
    set_client_options(parallelism=2)
    yield
    set_client_options(parallelism=previous.parallelism, target=previous.target)


@pytest.fixture
def env() -> StreamExecutionEnvironment:
    return StreamExecutionEnvironment.get_execution_environment()


@pytest.fixture
def source(env: StreamExecutionEnvironment) -> DataStream:
    return env.from_collection([("a", 1), ("b", 2)])


class Double(MapFunction):
    def map(self, value: Any) -> Any:
        return value * 2


class Split(FlatMapFunction):
    def flat_map(self, value: Any) -> Any:
        yield from value


class Positive(FilterFunction):
    def filter(self, value: Any) -> bool:
        return value > 0


class First(KeySelector):
    def get_key(self, value: Any) -> Any:
        return value[0]


class Add(ReduceFunction):
    def reduce(self, value1: Any, value2: Any) -> Any:
        return value1 + value2


class Echo(ProcessFunction):
    def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
        yield value


class Count(KeyedProcessFunction):
    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
        yield value


def operator_of(stream: DataStream) -> OneInputTransformation:
    transformation = stream._transformation
    assert isinstance(transformation, OneInputTransformation)
    return transformation


def fields(t: OneInputTransformation) -> tuple[Any, ...]:
    return (
        t.name,
        t.parallelism,
        t.max_parallelism,
        t.chaining_strategy,
        t.output_type,
        t.state_key_selector,
        t.state_key_type,
        type(t.operator_factory),
    )


# -- one-input operators on a DataStream ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "function", "name", "factory"),
    [
        ("map", Double(), "Map", MapOperatorFactory),
        ("map", lambda x: x, "Map", MapOperatorFactory),
        ("flat_map", Split(), "FlatMap", FlatMapOperatorFactory),
        ("flat_map", lambda x: [x], "FlatMap", FlatMapOperatorFactory),
        ("process", Echo(), "PROCESS", ProcessOperatorFactory),
    ],
)
def test_operators_record_a_one_input_transformation(
    env: StreamExecutionEnvironment,
    source: DataStream,
    method: str,
    function: Any,
    name: str,
    factory: type,
) -> None:
    result = getattr(source, method)(function)
    operator = operator_of(result)
    assert type(result) is DataStream
    assert fields(operator) == (
        name,
        PARALLELISM_DEFAULT,
        -1,
        ChainingStrategy.ALWAYS,
        None,
        None,
        None,
        factory,
    )
    assert operator.input is source._transformation
    assert operator.operator_factory.function is function
    assert operator.id == 2
    assert env._transformations == [operator]


def test_filter_keeps_the_input_type(env: StreamExecutionEnvironment) -> None:
    typed = env.from_collection([1], type_info=Types.INT())
    operator = operator_of(typed.filter(Positive()))
    assert fields(operator) == (
        "Filter",
        PARALLELISM_DEFAULT,
        -1,
        ChainingStrategy.ALWAYS,
        Types.INT(),
        None,
        None,
        FilterOperatorFactory,
    )


@pytest.mark.parametrize("method", ["map", "flat_map", "process"])
def test_output_type(source: DataStream, method: str) -> None:
    function = Echo() if method == "process" else (lambda x: [x])
    typed = getattr(source, method)(function, Types.STRING())
    assert typed._transformation.output_type == Types.STRING()
    assert typed.get_type() == Types.STRING()
    as_row = getattr(source, method)(function, [Types.STRING(), Types.INT()])
    assert as_row.get_type() == Types.ROW([Types.STRING(), Types.INT()])


def test_undeclared_type_is_pickled(source: DataStream) -> None:
    assert source.map(lambda x: x).get_type() == Types.PICKLED_BYTE_ARRAY()


def test_invalid_output_type(source: DataStream) -> None:
    with pytest.raises(
        TypeError,
        match=exactly("output_type must be None, list or TypeInformation, got str: 'INT'"),
    ):
        source.map(lambda x: x, "INT")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("map", "The input must be a MapFunction or a callable function"),
        ("flat_map", "The input must be a FlatMapFunction or a callable function"),
        ("filter", "The input must be a FilterFunction or a callable function"),
        ("key_by", "Parameter key_selector should be type of KeySelector or a callable function."),
    ],
)
def test_function_arguments_are_checked(source: DataStream, method: str, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        getattr(source, method)(42)
    assert str(raised.value) == f"{message}, got int: 42"


def test_process_needs_a_process_function(source: DataStream) -> None:
    with pytest.raises(
        TypeError,
        match="^The input must be a ProcessFunction, got function; "
        r"use map\(\) or flat_map\(\) for a plain callable$",
    ):
        source.process(lambda x: x)
    with pytest.raises(
        TypeError,
        match="^The input must be a ProcessFunction, got Count; call "
        r"key_by\(\.\.\.\) first",
    ):
        source.process(Count())


# -- operator settings ------------------------------------------------------------------------


def test_settings_change_the_operator(source: DataStream) -> None:
    mapped = source.map(lambda x: x)
    assert mapped.name("double") is mapped
    assert mapped.uid("double-1") is mapped
    assert mapped.set_parallelism(4) is mapped
    assert mapped.set_max_parallelism(256) is mapped
    assert mapped.set_buffer_timeout(5) is mapped
    assert mapped.slot_sharing_group("group") is mapped
    assert mapped.set_description("doubles") is mapped
    operator = operator_of(mapped)
    assert (
        operator.name,
        operator.uid,
        operator.parallelism,
        operator.max_parallelism,
        operator.buffer_timeout,
        operator.slot_sharing_group,
        operator.description,
    ) == ("double", "double-1", 4, 256, 5, "group", "doubles")
    assert mapped.get_name() == "double"


def test_chaining_strategies(source: DataStream) -> None:
    assert (
        operator_of(source.map(lambda x: x).start_new_chain()).chaining_strategy
        is ChainingStrategy.HEAD
    )
    assert (
        operator_of(source.map(lambda x: x).disable_chaining()).chaining_strategy
        is ChainingStrategy.NEVER
    )


def test_buffer_timeout_minus_one_means_the_environment(source: DataStream) -> None:
    mapped = source.map(lambda x: x).set_buffer_timeout(0)
    assert operator_of(mapped).buffer_timeout == 0
    mapped.set_buffer_timeout(-1)
    assert operator_of(mapped).buffer_timeout is None
    with pytest.raises(ValueError, match=exactly("timeout must be >= -1")):
        mapped.set_buffer_timeout(-2)


def test_operator_parallelism_checks(source: DataStream) -> None:
    mapped = source.map(lambda x: x)
    mapped.set_parallelism(-1)
    with pytest.raises(
        ValueError,
        match=r"^The parallelism of an operator must be at least 1, "
        r"or ExecutionConfig.PARALLELISM_DEFAULT \(use system default\).$",
    ):
        mapped.set_parallelism(0)
    with pytest.raises(ValueError, match=r"^The maximum parallelism must be greater than 0.$"):
        mapped.set_max_parallelism(0)
    with pytest.raises(
        ValueError, match=exactly("Maximum parallelism must be between 1 and 32768. Found: 40000")
    ):
        mapped.set_max_parallelism(40000)


def test_force_non_parallel(source: DataStream) -> None:
    mapped = source.map(lambda x: x).force_non_parallel()
    operator = operator_of(mapped)
    assert (operator.parallelism, operator.max_parallelism, operator.non_parallel) == (1, 1, True)
    with pytest.raises(ValueError, match="non parallel operator must be 1"):
        mapped.set_parallelism(2)


def test_source_name_keeps_the_source_prefix(source: DataStream) -> None:
    source.name("numbers")
    assert source._transformation.name == "Source: numbers"
    assert source.get_name() == "numbers"


def test_slot_sharing_group_object_not_supported(source: DataStream) -> None:
    with pytest.raises(
        NotImplementedError,
        match=exactly(
            "DataStream.slot_sharing_group with a object is not supported by kolk yet; pass the "
            "group's name (a str)"
        ),
    ):
        source.map(lambda x: x).slot_sharing_group(object())


def test_stream_accessors(env: StreamExecutionEnvironment, source: DataStream) -> None:
    assert source.get_execution_environment() is env
    assert source.get_type() == Types.PICKLED_BYTE_ARRAY()


# -- partitioning and union -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "strategy"),
    [
        ("forward", ShipStrategy.FORWARD),
        ("rebalance", ShipStrategy.REBALANCE),
        ("rescale", ShipStrategy.RESCALE),
        ("shuffle", ShipStrategy.SHUFFLE),
        ("broadcast", ShipStrategy.BROADCAST),
    ],
)
def test_partitioning(env: StreamExecutionEnvironment, method: str, strategy: ShipStrategy) -> None:
    typed = env.from_collection([1], type_info=Types.INT())
    partitioned = getattr(typed, method)()
    partition = partitioned._transformation
    assert type(partitioned) is DataStream
    assert isinstance(partition, PartitionTransformation)
    assert (
        partition.name,
        partition.input,
        partition.partitioner,
        partition.output_type,
        partition.parallelism,
    ) == ("Partition", typed._transformation, PartitionerSpec(strategy), Types.INT(), 1)
    assert env._transformations == []


@pytest.mark.parametrize(
    "setting",
    [
        ("name", ("x",)),
        ("uid", ("x",)),
        ("set_parallelism", (2,)),
        ("set_max_parallelism", (2,)),
        ("force_non_parallel", ()),
        ("set_buffer_timeout", (1,)),
        ("start_new_chain", ()),
        ("disable_chaining", ()),
        ("slot_sharing_group", ("g",)),
        ("set_description", ("d",)),
    ],
    ids=lambda s: s[0],
)
def test_settings_refused_on_a_partitioning(
    source: DataStream, setting: tuple[str, tuple[Any, ...]]
) -> None:
    method, args = setting
    with pytest.raises(
        TypeError,
        match=rf"^{method}\(\) applies to an operator, and this stream "
        r"is the result of rebalance partitioning, which is not an operator",
    ):
        getattr(source.rebalance(), method)(*args)


def test_union(env: StreamExecutionEnvironment, source: DataStream) -> None:
    other = env.from_collection([("c", 3)])
    keyed = env.from_collection([("d", 4)]).key_by(lambda x: x[0])
    united = source.union(other, keyed)
    union = united._transformation
    assert isinstance(union, UnionTransformation)
    assert (union.name, union.union_inputs, union.output_type, union.parallelism) == (
        "Union",
        [source._transformation, other._transformation, keyed._transformation],
        None,
        1,
    )
    with pytest.raises(
        TypeError,
        match=r"^set_parallelism\(\) applies to an operator, and this "
        r"stream is the result of union\(\), which is not an operator",
    ):
        united.set_parallelism(2)


def test_union_of_a_keyed_stream_reads_its_partitioning(source: DataStream) -> None:
    keyed = source.key_by(lambda x: x[0])
    united = keyed.union(source)
    assert united._transformation.union_inputs == [keyed._transformation, source._transformation]


def test_union_needs_equal_types(env: StreamExecutionEnvironment, source: DataStream) -> None:
    ints = env.from_collection([1], type_info=Types.INT())
    with pytest.raises(
        ValueError,
        match=exactly(
            "Cannot union streams of different types: PickledByteArrayTypeInfo and Integer"
        ),
    ):
        source.union(ints)
    with pytest.raises(TypeError, match=exactly("union() takes DataStreams, got list")):
        source.union([ints])  # type: ignore[arg-type]


# -- print ------------------------------------------------------------------------------------


def test_print_records_a_sink(env: StreamExecutionEnvironment, source: DataStream) -> None:
    sink = source.print()
    transformation = sink._transformation
    assert type(sink) is DataStreamSink
    assert isinstance(transformation, SinkTransformation)
    assert (
        transformation.name,
        transformation.parallelism,
        transformation.input,
        transformation.state_key_selector,
    ) == ("Sink: Print to Std. Out", PARALLELISM_DEFAULT, source._transformation, None)
    factory = transformation.operator_factory
    assert isinstance(factory, PrintSinkOperatorFactory)
    assert factory.sink_identifier is None
    assert factory.formatter(("a", 1)) == "('a', 1)"
    assert env._transformations == [transformation]


def test_print_identifier_and_typed_formatter(env: StreamExecutionEnvironment) -> None:
    rows = env.from_collection([Row("a", 1)], type_info=Types.ROW([Types.STRING(), Types.INT()]))
    factory = rows.print("ids")._transformation.operator_factory
    assert factory.sink_identifier == "ids"
    assert factory.formatter(Row("a", 1)) == "+I[a,1]"


def test_sink_settings(source: DataStream) -> None:
    sink = source.print()
    assert sink.name("out") is sink
    assert sink.uid("out-1") is sink
    assert sink.set_parallelism(1) is sink
    assert sink.set_description("printed") is sink
    assert sink.disable_chaining() is sink
    assert sink.slot_sharing_group("g") is sink
    t = sink._transformation
    assert (
        t.name,
        t.uid,
        t.parallelism,
        t.description,
        t.chaining_strategy,
        t.slot_sharing_group,
    ) == ("Sink: out", "out-1", 1, "printed", ChainingStrategy.NEVER, "g")
    with pytest.raises(ValueError, match="must be at least 1"):
        sink.set_parallelism(0)
    with pytest.raises(
        NotImplementedError, match=r"^DataStreamSink\.set_uid_hash is not supported by kolk yet$"
    ):
        sink.set_uid_hash("abc")


# -- KeyedStream ------------------------------------------------------------------------------


def test_key_by_records_a_hash_partitioning(source: DataStream) -> None:
    selector = First()
    keyed = source.key_by(selector, Types.STRING())
    partition = keyed._transformation
    assert type(keyed) is KeyedStream
    assert isinstance(partition, PartitionTransformation)
    assert (partition.name, partition.input, partition.partitioner, partition.output_type) == (
        "Partition",
        source._transformation,
        PartitionerSpec(ShipStrategy.HASH, selector, Types.STRING()),
        None,
    )
    assert keyed.get_type() == Types.PICKLED_BYTE_ARRAY()


@pytest.mark.parametrize(
    ("method", "function", "name", "factory"),
    [
        ("map", lambda x: x, "Map", MapOperatorFactory),
        ("flat_map", lambda x: [x], "FlatMap", FlatMapOperatorFactory),
        ("filter", lambda x: True, "Filter", FilterOperatorFactory),
        ("reduce", Add(), "Reduce", ReduceOperatorFactory),
        ("process", Count(), "KEYED PROCESS", KeyedProcessOperatorFactory),
    ],
)
def test_keyed_operators_carry_the_key(
    env: StreamExecutionEnvironment,
    source: DataStream,
    method: str,
    function: Any,
    name: str,
    factory: type,
) -> None:
    selector = First()
    keyed = source.key_by(selector, Types.STRING())
    operator = operator_of(getattr(keyed, method)(function))
    assert fields(operator) == (
        name,
        PARALLELISM_DEFAULT,
        -1,
        ChainingStrategy.ALWAYS,
        None,
        selector,
        Types.STRING(),
        factory,
    )
    assert operator.input is keyed._transformation
    assert operator.operator_factory.function is function
    assert env._transformations == [operator]


def test_keyed_operators_keep_or_declare_types(env: StreamExecutionEnvironment) -> None:
    keyed = env.from_collection([1], type_info=Types.INT()).key_by(lambda x: x)
    assert keyed.get_type() == Types.INT()
    assert keyed.filter(lambda x: True).get_type() == Types.INT()
    assert keyed.reduce(lambda a, b: a + b).get_type() == Types.INT()
    assert keyed.process(Count(), Types.LONG()).get_type() == Types.LONG()
    assert keyed.map(lambda x: x).get_type() == Types.PICKLED_BYTE_ARRAY()


@pytest.mark.parametrize(
    ("method", "acc"),
    [("sum", "SUM"), ("min", "MIN"), ("max", "MAX"), ("min_by", "MIN_BY"), ("max_by", "MAX_BY")],
)
def test_aggregations_are_reduces(source: DataStream, method: str, acc: str) -> None:
    keyed = source.key_by(lambda x: x[0])
    operator = operator_of(getattr(keyed, method)(1))
    assert (operator.name, type(operator.operator_factory)) == ("Reduce", ReduceOperatorFactory)
    function = operator.operator_factory.function
    assert isinstance(function, AccumulateReduceFunction)
    assert (function._pos, function._acc_type) == (1, KeyedStream.AccumulateType[acc])
    assert operator.state_key_selector is keyed._key_selector


def test_aggregation_position_type(source: DataStream) -> None:
    with pytest.raises(
        TypeError,
        match=exactly(
            "The field position must be of int or str type to locate the value to calculate for "
            "min, max, min_by, max_by and sum.The given type is: <class 'float'>"
        ),
    ):
        source.key_by(lambda x: x[0]).sum(1.5)


def test_keyed_process_needs_a_keyed_process_function(source: DataStream) -> None:
    keyed = source.key_by(lambda x: x[0])
    with pytest.raises(
        TypeError,
        match=r"^KeyedProcessFunction is required for KeyedStream\. "
        r"Got Echo; a ProcessFunction runs on the stream before key_by\(\)\.$",
    ):
        keyed.process(Echo())
    with pytest.raises(
        TypeError,
        match=r"^KeyedProcessFunction is required for "
        r"KeyedStream\. Got function; subclass KeyedProcessFunction",
    ):
        keyed.process(lambda x: x)


def test_keyed_reduce_checks_its_function(source: DataStream) -> None:
    with pytest.raises(
        TypeError,
        match=exactly("The input must be a ReduceFunction or a callable function, got int: 1"),
    ):
        source.key_by(lambda x: x[0]).reduce(1)


def test_keyed_print_is_a_keyed_sink_and_drops_the_identifier(source: DataStream) -> None:
    selector = First()
    keyed = source.key_by(selector)
    sink = keyed.print("ids")._transformation
    assert isinstance(sink, SinkTransformation)
    assert (
        sink.name,
        sink.input,
        sink.state_key_selector,
        sink.parallelism,
        sink.operator_factory.sink_identifier,
    ) == ("Sink: Print to Std. Out", keyed._transformation, selector, PARALLELISM_DEFAULT, None)


def test_key_by_on_a_keyed_stream_rekeys_the_origin(source: DataStream) -> None:
    rekeyed = source.key_by(lambda x: x[0]).key_by(lambda x: x[1])
    assert rekeyed._transformation.input is source._transformation


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("shuffle", ()),
        ("rescale", ()),
        ("rebalance", ()),
        ("forward", ()),
        ("broadcast", ()),
        ("partition_custom", (lambda key, n: 0, lambda x: x)),
    ],
    ids=["shuffle", "rescale", "rebalance", "forward", "broadcast", "partition_custom"],
)
def test_keyed_stream_refuses_repartitioning(
    source: DataStream, method: str, args: tuple[Any, ...]
) -> None:
    with pytest.raises(Exception) as raised:
        getattr(source.key_by(lambda x: x[0]), method)(*args)
    assert type(raised.value) is Exception
    assert str(raised.value) == (
        "Cannot override partitioning for KeyedStream. Its elements are already hash-partitioned "
        "by key; to partition differently, apply the partitioning to the stream before key_by()."
    )


@pytest.mark.parametrize(
    ("method", "args", "message"),
    [
        ("set_parallelism", (2,), "Set parallelism for KeyedStream is not supported."),
        ("name", ("x",), "Set name for KeyedStream is not supported."),
        ("get_name", (), "Get name of KeyedStream is not supported."),
        ("uid", ("x",), "Set uid for KeyedStream is not supported."),
        ("set_uid_hash", ("x",), "Set uid hash for KeyedStream is not supported."),
        ("set_max_parallelism", (2,), "Set max parallelism for KeyedStream is not supported."),
        ("force_non_parallel", (), "Set force non-parallel for KeyedStream is not supported."),
        ("set_buffer_timeout", (1,), "Set buffer timeout for KeyedStream is not supported."),
        ("start_new_chain", (), "Start new chain for KeyedStream is not supported."),
        ("disable_chaining", (), "Disable chaining for KeyedStream is not supported."),
        (
            "slot_sharing_group",
            ("g",),
            "Setting slot sharing group for KeyedStream is not supported.",
        ),
        ("cache", (), "Cache for KeyedStream is not supported."),
    ],
)
def test_keyed_stream_refuses_operator_settings(
    source: DataStream, method: str, args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(Exception) as raised:
        getattr(source.key_by(lambda x: x[0]), method)(*args)
    assert type(raised.value) is Exception
    assert str(raised.value).startswith(message)


# -- not supported yet ------------------------------------------------------------------------

STREAM_UNSUPPORTED: list[tuple[str, tuple[Any, ...]]] = [
    ("set_uid_hash", ("h",)),
    ("get_execution_config", ()),
    ("project", (0, 1)),
    ("add_sink", (None,)),
    ("sink_to", (None,)),
    ("cache", ()),
]
KEYED_UNSUPPORTED: list[tuple[str, tuple[Any, ...]]] = [
    ("add_sink", (None,)),
    ("project", (0,)),
    ("sink_to", (None,)),
    ("get_execution_config", ()),
]


@pytest.mark.parametrize(
    ("method", "args"), STREAM_UNSUPPORTED, ids=[m for m, _ in STREAM_UNSUPPORTED]
)
def test_unsupported_stream_methods(source: DataStream, method: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(
        NotImplementedError, match=rf"^DataStream\.{method} is not supported by kolk yet$"
    ):
        getattr(source, method)(*args)


@pytest.mark.parametrize(
    ("method", "args"), KEYED_UNSUPPORTED, ids=[m for m, _ in KEYED_UNSUPPORTED]
)
def test_unsupported_keyed_stream_methods(
    source: DataStream, method: str, args: tuple[Any, ...]
) -> None:
    keyed = source.key_by(lambda x: x[0])
    with pytest.raises(
        NotImplementedError, match=rf"^KeyedStream\.{method} is not supported by kolk yet$"
    ):
        getattr(keyed, method)(*args)
