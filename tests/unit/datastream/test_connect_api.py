"""connect, ConnectedStreams, broadcast state: the transformations they record and their checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._graph.transformations import (
    PARALLELISM_DEFAULT,
    PartitionerSpec,
    PartitionTransformation,
    ShipStrategy,
    TwoInputTransformation,
)
from kolk._runtime.operators.factories import (
    BroadcastProcessOperatorFactory,
    CoFlatMapOperatorFactory,
    CoMapOperatorFactory,
    CoProcessOperatorFactory,
    KeyedBroadcastProcessOperatorFactory,
    KeyedCoProcessOperatorFactory,
)
from kolk.common import Types
from kolk.datastream import (
    BroadcastConnectedStream,
    BroadcastProcessFunction,
    BroadcastStream,
    CoFlatMapFunction,
    CoMapFunction,
    ConnectedStreams,
    CoProcessFunction,
    DataStream,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
    KeyedStream,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import MapStateDescriptor

RULES = MapStateDescriptor("rules", Types.STRING(), Types.INT())
LIMITS = MapStateDescriptor("limits", Types.STRING(), Types.LONG())


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
def orders(env: StreamExecutionEnvironment) -> DataStream:
    return env.from_collection([("o1", "book")])


@pytest.fixture
def payments(env: StreamExecutionEnvironment) -> DataStream:
    return env.from_collection([("o1", 5)])


class Both(CoMapFunction):
    def map1(self, value: Any) -> Any:
        return value

    def map2(self, value: Any) -> Any:
        return value


class BothFlat(CoFlatMapFunction):
    def flat_map1(self, value: Any) -> Any:
        yield value

    def flat_map2(self, value: Any) -> Any:
        yield value


class Plain(CoProcessFunction):
    def process_element1(self, value: Any, ctx: Any) -> Any:
        yield value

    def process_element2(self, value: Any, ctx: Any) -> Any:
        yield value


class Join(KeyedCoProcessFunction):
    def process_element1(self, value: Any, ctx: Any) -> Any:
        yield value

    def process_element2(self, value: Any, ctx: Any) -> Any:
        yield value


class Rules(BroadcastProcessFunction):
    def process_element(self, value: Any, ctx: Any) -> Any:
        yield value

    def process_broadcast_element(self, value: Any, ctx: Any) -> Any:
        return None


class KeyedRules(KeyedBroadcastProcessFunction):
    def process_element(self, value: Any, ctx: Any) -> Any:
        yield value

    def process_broadcast_element(self, value: Any, ctx: Any) -> Any:
        return None


def first(value: Any) -> Any:
    return value[0]


def second_first(value: Any) -> Any:
    return value[0]


def two_input(stream: DataStream) -> TwoInputTransformation:
    transformation = stream._transformation
    assert isinstance(transformation, TwoInputTransformation)
    return transformation


def keyed_fields(t: TwoInputTransformation) -> tuple[Any, Any, Any]:
    return t.state_key_selector1, t.state_key_selector2, t.state_key_type


# -- ConnectedStreams -----------------------------------------------------------------------------


def test_the_classes_report_their_pyflink_home() -> None:
    for cls in (ConnectedStreams, BroadcastStream, BroadcastConnectedStream):
        assert cls.__module__ == "kolk.datastream.data_stream"


def test_connect_gives_connected_streams(orders: DataStream, payments: DataStream) -> None:
    connected = orders.connect(payments)
    assert isinstance(connected, ConnectedStreams)
    assert (connected.stream1, connected.stream2) == (orders, payments)


@pytest.mark.parametrize(
    ("method", "function", "name", "factory"),
    [
        ("map", Both(), "Co-Map", CoMapOperatorFactory),
        ("flat_map", BothFlat(), "Co-Flat Map", CoFlatMapOperatorFactory),
        ("process", Plain(), "Co-Process", CoProcessOperatorFactory),
    ],
)
def test_co_functions_record_a_two_input_transformation(
    env: StreamExecutionEnvironment,
    orders: DataStream,
    payments: DataStream,
    method: str,
    function: Any,
    name: str,
    factory: type,
) -> None:
    result = getattr(orders.connect(payments), method)(function)
    t = two_input(result)
    assert (t.name, t.parallelism, t.output_type, type(t.operator_factory)) == (
        name,
        PARALLELISM_DEFAULT,
        None,
        factory,
    )
    assert (t.input1, t.input2) == (orders._transformation, payments._transformation)
    assert t.inputs == [orders._transformation, payments._transformation]
    assert t.operator_factory.function is function  # type: ignore[union-attr]
    assert keyed_fields(t) == (None, None, None)
    assert env._transformations == [t]
    assert type(result) is DataStream
    assert result.get_type() == Types.PICKLED_BYTE_ARRAY()


def test_key_by_partitions_each_input_by_its_own_selector(
    orders: DataStream, payments: DataStream
) -> None:
    keyed = orders.connect(payments).key_by(first, second_first, Types.STRING())
    assert isinstance(keyed, ConnectedStreams)
    assert isinstance(keyed.stream1, KeyedStream) and isinstance(keyed.stream2, KeyedStream)
    t = two_input(keyed.process(Join(), Types.STRING()))
    assert (t.name, type(t.operator_factory), t.output_type) == (
        "Keyed Co-Process",
        KeyedCoProcessOperatorFactory,
        Types.STRING(),
    )
    assert keyed_fields(t) == (first, second_first, Types.STRING())
    for partition, stream, selector in (
        (t.input1, orders, first),
        (t.input2, payments, second_first),
    ):
        assert isinstance(partition, PartitionTransformation)
        assert partition.input is stream._transformation
        assert partition.partitioner == PartitionerSpec(ShipStrategy.HASH, selector, Types.STRING())


@pytest.mark.parametrize(
    ("method", "function", "name", "factory"),
    [
        ("map", Both(), "Co-Map", CoMapOperatorFactory),
        ("flat_map", BothFlat(), "Co-Flat Map", CoFlatMapOperatorFactory),
        ("process", Plain(), "Keyed Co-Process", KeyedCoProcessOperatorFactory),
    ],
)
def test_co_functions_on_keyed_connected_streams_are_keyed(
    orders: DataStream,
    payments: DataStream,
    method: str,
    function: Any,
    name: str,
    factory: type,
) -> None:
    t = two_input(getattr(orders.connect(payments).key_by(first, first), method)(function))
    assert (t.name, type(t.operator_factory)) == (name, factory)
    assert keyed_fields(t) == (first, first, None)


def test_key_by_rekeys_keyed_inputs_from_their_origin(
    orders: DataStream, payments: DataStream
) -> None:
    connected = orders.key_by(lambda v: v[1]).connect(payments.key_by(lambda v: v[1]))
    t = two_input(connected.key_by(first, first).map(Both()))
    assert isinstance(t.input1, PartitionTransformation)
    assert t.input1.input is orders._transformation
    assert t.input1.partitioner.key_selector is first


def test_keyed_streams_connect_directly(orders: DataStream, payments: DataStream) -> None:
    t = two_input(orders.key_by(first).connect(payments.key_by(second_first)).process(Join()))
    assert t.name == "Keyed Co-Process"
    assert keyed_fields(t) == (first, second_first, None)


def test_one_keyed_input_keeps_its_partitioning_but_the_operator_is_not_keyed(
    orders: DataStream, payments: DataStream
) -> None:
    keyed = orders.key_by(first)
    t = two_input(keyed.connect(payments).process(Plain()))
    assert t.name == "Co-Process"
    assert t.input1 is keyed._transformation
    assert keyed_fields(t) == (None, None, None)


def test_key_types_must_match(orders: DataStream, payments: DataStream) -> None:
    connected = orders.key_by(first, Types.STRING()).connect(payments.key_by(first))
    with pytest.raises(
        ValueError,
        match=re.escape(f"Key types if input KeyedStreams don't match: {Types.STRING()} and None."),
    ):
        connected.map(Both())


def test_function_checks_use_pyflinks_messages(orders: DataStream, payments: DataStream) -> None:
    connected = orders.connect(payments)
    plain = Plain()
    with pytest.raises(
        TypeError,
        match=exactly(f"The input function must be a CoMapFunction! Got Plain: {plain!r}"),
    ):
        connected.map(plain)
    with pytest.raises(TypeError, match=r"^The input must be a CoFlatMapFunction! Got Both: "):
        connected.flat_map(Both())
    with pytest.raises(
        TypeError,
        match=r"^The input must be a CoProcessFunction or KeyedCoProcessFunction! Got function: ",
    ):
        connected.process(lambda a, b: a)
    assert orders._env._transformations == []


def test_a_keyed_co_process_function_needs_keyed_inputs(
    orders: DataStream, payments: DataStream
) -> None:
    with pytest.raises(
        TypeError,
        match=r"^KeyedCoProcessFunction can only be used when both input streams are of type "
        r"KeyedStream\. Key both inputs first",
    ):
        orders.connect(payments).process(Join())


def test_output_types(orders: DataStream, payments: DataStream) -> None:
    connected = orders.connect(payments)
    assert connected.map(Both(), Types.INT()).get_type() == Types.INT()
    assert connected.flat_map(BothFlat(), [Types.STRING()]).get_type() == Types.ROW(
        [Types.STRING()]
    )
    with pytest.raises(TypeError, match=r"^output_type must be None, list or TypeInformation"):
        connected.process(Plain(), "STRING")  # type: ignore[arg-type]


def test_settings_apply_to_the_two_input_operator(orders: DataStream, payments: DataStream) -> None:
    result = orders.connect(payments).map(Both()).name("merge").uid("m").set_parallelism(3)
    t = two_input(result)
    assert (t.name, t.uid, t.parallelism) == ("merge", "m", 3)
    assert result.get_name() == "merge"


def test_connect_checks_its_argument(env: StreamExecutionEnvironment, orders: DataStream) -> None:
    with pytest.raises(
        TypeError, match=exactly("connect() takes a DataStream or a BroadcastStream, got list")
    ):
        orders.connect([1])
    other = StreamExecutionEnvironment.get_execution_environment().from_collection([1])
    with pytest.raises(ValueError, match=r"^Cannot connect streams of different"):
        orders.connect(other).map(Both())


# -- broadcast state ------------------------------------------------------------------------------


def test_broadcast_with_descriptors_gives_a_broadcast_stream(
    env: StreamExecutionEnvironment, payments: DataStream
) -> None:
    broadcast = payments.broadcast(RULES, LIMITS)
    assert isinstance(broadcast, BroadcastStream)
    assert broadcast.broadcast_state_descriptors == [RULES, LIMITS]
    partition = broadcast.input_stream._transformation
    assert isinstance(partition, PartitionTransformation)
    assert (partition.input, partition.partitioner) == (
        payments._transformation,
        PartitionerSpec(ShipStrategy.BROADCAST),
    )
    assert env._transformations == []


def test_broadcast_without_descriptors_is_a_partitioning(payments: DataStream) -> None:
    broadcast = payments.broadcast()
    assert type(broadcast) is DataStream
    assert broadcast._transformation.partitioner == PartitionerSpec(ShipStrategy.BROADCAST)  # type: ignore[attr-defined]


@pytest.mark.parametrize("args", [(RULES, "limits"), (None, RULES), ("rules",)])
def test_broadcast_descriptors_must_be_map_state_descriptors(
    payments: DataStream, args: tuple[Any, ...]
) -> None:
    with pytest.raises(
        TypeError, match=r"^broadcast_state_descriptor must be MapStateDescriptor\."
    ):
        payments.broadcast(*args)


def test_connecting_a_broadcast_stream(orders: DataStream, payments: DataStream) -> None:
    broadcast = payments.broadcast(RULES)
    connected = orders.connect(broadcast)
    assert isinstance(connected, BroadcastConnectedStream)
    assert (
        connected.non_broadcast_stream,
        connected.broadcast_stream,
        connected.broadcast_state_descriptors,
    ) == (orders, broadcast, [RULES])


def test_broadcast_process_records_a_two_input_transformation(
    env: StreamExecutionEnvironment, orders: DataStream, payments: DataStream
) -> None:
    broadcast = payments.broadcast(RULES, LIMITS)
    function = Rules()
    t = two_input(orders.connect(broadcast).process(function, Types.STRING()))
    assert (t.name, t.output_type, t.parallelism) == (
        "Co-Process-Broadcast",
        Types.STRING(),
        PARALLELISM_DEFAULT,
    )
    assert (t.input1, t.input2) == (orders._transformation, broadcast.input_stream._transformation)
    factory = t.operator_factory
    assert isinstance(factory, BroadcastProcessOperatorFactory)
    assert (factory.function, factory.descriptors) == (function, (RULES, LIMITS))
    assert keyed_fields(t) == (None, None, None)
    assert env._transformations == [t]


def test_keyed_broadcast_process_is_keyed_on_its_first_input(
    orders: DataStream, payments: DataStream
) -> None:
    keyed = orders.key_by(first, Types.STRING())
    broadcast = payments.broadcast(RULES)
    t = two_input(keyed.connect(broadcast).process(KeyedRules()))
    assert (t.name, type(t.operator_factory)) == (
        "Keyed-Co-Process-Broadcast",
        KeyedBroadcastProcessOperatorFactory,
    )
    assert (t.input1, t.input2) == (keyed._transformation, broadcast.input_stream._transformation)
    assert keyed_fields(t) == (first, None, Types.STRING())


def test_broadcast_process_function_checks(orders: DataStream, payments: DataStream) -> None:
    broadcast = payments.broadcast(RULES)
    with pytest.raises(
        TypeError,
        match=exactly("BroadcastProcessFunction should be applied to non-keyed DataStream"),
    ):
        orders.key_by(first).connect(broadcast).process(Rules())
    with pytest.raises(
        TypeError,
        match=exactly("KeyedBroadcastProcessFunction should be applied to keyed DataStream"),
    ):
        orders.connect(broadcast).process(KeyedRules())
    with pytest.raises(
        TypeError,
        match=r"^The input must be a BroadcastProcessFunction or KeyedBroadcastProcessFunction\. "
        r"Got Plain: ",
    ):
        orders.connect(broadcast).process(Plain())


def test_a_keyed_stream_cannot_be_broadcast(orders: DataStream) -> None:
    with pytest.raises(Exception, match=r"^Cannot override partitioning for KeyedStream"):
        orders.key_by(first).broadcast(RULES)
