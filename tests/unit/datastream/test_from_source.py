"""from_source with NumberSequenceSource: arguments, names, parallelism, types and the plan."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._graph.transformations import SourceTransformation
from kolk._runtime.operators.factories import NumberSequenceSourceFactory
from kolk.common import Duration, Types, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.connectors import NumberSequenceSource as ReExported
from kolk.datastream.connectors import Source
from kolk.datastream.connectors.number_seq import NumberSequenceSource


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


@pytest.fixture(autouse=True)
def client_parallelism() -> Iterator[int]:
    """Environments start from a known default parallelism (as ``kolk run -p 3`` sets it)."""
    previous = get_client_options()
    set_client_options(parallelism=3)
    yield 3
    set_client_options(parallelism=previous.parallelism, target=previous.target)


@pytest.fixture
def env() -> StreamExecutionEnvironment:
    return StreamExecutionEnvironment.get_execution_environment()


class ValueAsMillis(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value)


def plan_nodes(env: StreamExecutionEnvironment) -> list[tuple[Any, ...]]:
    plan = json.loads(env.get_execution_plan())
    return [
        (
            n["id"],
            n["type"],
            n["pact"],
            n["parallelism"],
            [(p["id"], p["ship_strategy"]) for p in n.get("predecessors", [])],
        )
        for n in plan["nodes"]
    ]


def vertices(env: StreamExecutionEnvironment) -> list[tuple[str, int]]:
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    return [(v.name, v.parallelism) for v in create_job_graph(graph).vertices]


# -- NumberSequenceSource and Source --------------------------------------------------------------


def test_number_sequence_source_is_a_source() -> None:
    source = NumberSequenceSource(1, 10)
    assert isinstance(source, Source)
    assert repr(source) == "NumberSequenceSource(1, 10)"
    assert ReExported is NumberSequenceSource
    assert NumberSequenceSource.__module__ == "kolk.datastream.connectors.number_seq"
    assert Source.__module__ == "kolk.datastream.connectors.base"


def test_a_single_number_and_the_long_bounds_are_accepted() -> None:
    NumberSequenceSource(7, 7)
    NumberSequenceSource(-(2**63), 2**63 - 1)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (1.0, 10, "NumberSequenceSource: start must be an int, got float 1.0"),
        (1, "10", "NumberSequenceSource: end must be an int, got str '10'"),
        (True, 10, "NumberSequenceSource: start must be an int, got bool True"),
        (None, 10, "NumberSequenceSource: start must be an int, got NoneType None"),
    ],
)
def test_bounds_must_be_ints(start: Any, end: Any, message: str) -> None:
    with pytest.raises(TypeError, match=exactly(message)):
        NumberSequenceSource(start, end)


def test_start_after_end_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match=exactly(
            "NumberSequenceSource: 'from' must be <= 'to', got start=10 > end=1; both bounds are "
            "inclusive, so NumberSequenceSource(1, 10) emits 1 to 10"
        ),
    ):
        NumberSequenceSource(10, 1)


def test_bounds_must_fit_in_a_long() -> None:
    with pytest.raises(
        ValueError,
        match=exactly(
            "NumberSequenceSource: end=9223372036854775808 does not fit in a Java long "
            "(-9223372036854775808 to 9223372036854775807)"
        ),
    ):
        NumberSequenceSource(0, 2**63)


def test_a_source_cannot_wrap_a_java_source() -> None:
    with pytest.raises(TypeError, match=r"^Source\('org\.example\.MySource'\) would wrap a Java"):
        Source("org.example.MySource")


def test_get_java_function_is_not_supported() -> None:
    with pytest.raises(
        NotImplementedError,
        match=exactly("NumberSequenceSource.get_java_function is not supported by kolk (no JVM)"),
    ):
        NumberSequenceSource(1, 2).get_java_function()


# -- from_source: the source ----------------------------------------------------------------------


def test_from_source_records_a_parallel_source(env: StreamExecutionEnvironment) -> None:
    stream = env.from_source(
        NumberSequenceSource(1, 1000), WatermarkStrategy.no_watermarks(), "seq"
    )
    source = stream._transformation
    assert isinstance(source, SourceTransformation)
    assert source.name == "Source: seq"
    assert source.parallelism == -1
    assert not source.non_parallel
    assert isinstance(source.operator_factory, NumberSequenceSourceFactory)
    assert (source.operator_factory.start, source.operator_factory.end) == (1, 1000)
    assert stream.get_name() == "seq"
    assert stream.get_type() == Types.LONG()
    # A source is no operator of its own: it is part of the job through what reads it.
    assert env._transformations == []


def test_from_source_runs_at_the_default_parallelism(env: StreamExecutionEnvironment) -> None:
    env.from_source(NumberSequenceSource(1, 10), WatermarkStrategy.no_watermarks(), "seq").map(
        lambda x: x
    ).print()
    assert plan_nodes(env) == [
        (1, "Source: seq", "Data Source", 3, []),
        (2, "Map", "Operator", 3, [(1, "FORWARD")]),
        (3, "Sink: Print to Std. Out", "Data Sink", 3, [(2, "FORWARD")]),
    ]
    assert vertices(env) == [("Source: seq -> Map -> Sink: Print to Std. Out", 3)]


def test_from_source_parallelism_can_be_set(env: StreamExecutionEnvironment) -> None:
    stream = env.from_source(NumberSequenceSource(1, 10), WatermarkStrategy.no_watermarks(), "n")
    stream.set_parallelism(2).name("numbers").map(lambda x: x).print()
    assert plan_nodes(env) == [
        (1, "Source: numbers", "Data Source", 2, []),
        (2, "Map", "Operator", 3, [(1, "REBALANCE")]),
        (3, "Sink: Print to Std. Out", "Data Sink", 3, [(2, "FORWARD")]),
    ]


def test_from_source_type_info_replaces_the_produced_type(env: StreamExecutionEnvironment) -> None:
    stream = env.from_source(
        NumberSequenceSource(1, 10), WatermarkStrategy.no_watermarks(), "seq", Types.INT()
    )
    assert stream.get_type() == Types.INT()


# -- from_source: the watermark strategy ----------------------------------------------------------


def test_no_watermarks_adds_no_step(env: StreamExecutionEnvironment) -> None:
    stream = env.from_source(NumberSequenceSource(1, 10), WatermarkStrategy.no_watermarks(), "s")
    assert isinstance(stream._transformation, SourceTransformation)


@pytest.mark.parametrize(
    "strategy",
    [
        WatermarkStrategy.for_monotonous_timestamps(),
        WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(5)),
        WatermarkStrategy.no_watermarks().with_timestamp_assigner(ValueAsMillis()),
        WatermarkStrategy.no_watermarks().with_idleness(Duration.of_seconds(1)),
    ],
    ids=["monotonous", "bounded", "assigner-only", "idleness"],
)
def test_a_strategy_with_work_is_chained_after_the_source(
    env: StreamExecutionEnvironment, strategy: WatermarkStrategy
) -> None:
    env.from_source(NumberSequenceSource(1, 10), strategy, "seq").map(lambda x: x).print()
    assert plan_nodes(env) == [
        (1, "Source: seq", "Data Source", 3, []),
        (3, "Map", "Operator", 3, [(1, "FORWARD")]),
        (4, "Sink: Print to Std. Out", "Data Sink", 3, [(3, "FORWARD")]),
    ]
    # Flink runs the strategy inside the source: its plans and names show no step of its own.
    assert vertices(env) == [("Source: seq -> Map -> Sink: Print to Std. Out", 3)]


def test_settings_apply_to_the_source_and_the_step_follows(
    env: StreamExecutionEnvironment,
) -> None:
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(
        ValueAsMillis()
    )
    stream = env.from_source(NumberSequenceSource(1, 10), strategy, "seq")
    stream.set_parallelism(2).set_max_parallelism(16).set_buffer_timeout(5).name("numbers")
    stream.uid("numbers-uid")
    assert stream.get_name() == "numbers"
    stream.map(lambda x: x).set_parallelism(2).print()
    nodes = plan_nodes(env)
    assert nodes[:2] == [
        (1, "Source: numbers", "Data Source", 2, []),
        (3, "Map", "Operator", 2, [(1, "FORWARD")]),
    ]
    source = stream._source  # type: ignore[attr-defined]
    step = stream._transformation
    assert source.uid == "numbers-uid"
    assert (step.max_parallelism, step.buffer_timeout) == (16, 5)
    assert vertices(env)[0] == ("Source: numbers -> Map", 2)


def test_force_non_parallel_keeps_source_and_step_together(
    env: StreamExecutionEnvironment,
) -> None:
    stream = env.from_source(
        NumberSequenceSource(1, 10), WatermarkStrategy.for_monotonous_timestamps(), "seq"
    )
    stream.force_non_parallel().print()
    assert vertices(env)[0] == ("Source: seq", 1)
    with pytest.raises(ValueError, match="non parallel"):
        stream.set_parallelism(2)


# -- from_source: wrong arguments -----------------------------------------------------------------


def test_from_source_needs_a_source(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(
        TypeError,
        match=exactly(
            "from_source expects a Source, e.g. NumberSequenceSource(start, end) from "
            "pyflink.datastream.connectors.number_seq, got list; for a list of elements use "
            "from_collection"
        ),
    ):
        env.from_source([1, 2], WatermarkStrategy.no_watermarks(), "seq")  # type: ignore[arg-type]


def test_from_source_needs_a_watermark_strategy(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(
        TypeError,
        match=exactly(
            "from_source expects a WatermarkStrategy as its second argument, got NoneType; pass "
            "WatermarkStrategy.no_watermarks() when the job needs no event time"
        ),
    ):
        env.from_source(NumberSequenceSource(1, 2), None, "seq")  # type: ignore[arg-type]


def test_from_source_needs_a_name(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(
        TypeError, match=exactly("from_source expects the source's name as a str, got int")
    ):
        env.from_source(
            NumberSequenceSource(1, 2),
            WatermarkStrategy.no_watermarks(),
            3,  # type: ignore[arg-type]
        )


def test_from_source_type_info_must_be_type_information(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(TypeError, match=r"^from_source expects type_info to be a TypeInformation"):
        env.from_source(
            NumberSequenceSource(1, 2),
            WatermarkStrategy.no_watermarks(),
            "seq",
            int,  # type: ignore[arg-type]
        )
