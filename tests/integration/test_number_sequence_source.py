"""from_source(NumberSequenceSource(...)): a parallel source, end to end at p = 1, 2 and 4.

The source runs at the environment's default parallelism (the ``parallelism`` fixture); subtask
``i`` reads the ``i``-th contiguous part of the range in increasing order, so at p = 1 the
sequence comes out in order, and at any parallelism every number comes out exactly once.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from printed_output import by_subtask, parse_printed

from kolk.common import Time, Types, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import (
    MapFunction,
    ProcessFunction,
    ProcessWindowFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.connectors.number_seq import NumberSequenceSource
from kolk.datastream.window import TumblingEventTimeWindows

NUMBERS = list(range(1, 1001))


def expected_parts(parallelism: int) -> dict[int, list[int]]:
    """What each subtask reads of 1..1000: contiguous, in order, subtask 0 first."""
    size = len(NUMBERS) // parallelism  # 1000 splits evenly at p = 1, 2 and 4
    return {i: NUMBERS[i * size : (i + 1) * size] for i in range(parallelism)}


def sequence(env: StreamExecutionEnvironment, start: int = 1, end: int = 1000) -> Any:
    return env.from_source(
        NumberSequenceSource(start, end), WatermarkStrategy.no_watermarks(), "seq"
    )


def test_every_number_once_through_map_and_key_by(
    env: StreamExecutionEnvironment, parallelism: int
) -> None:
    stream = sequence(env).map(lambda x: x * 2).key_by(lambda x: x % 7).map(lambda x: x + 1)
    with stream.execute_and_collect() as results:
        collected = list(results)
    expected = [2 * x + 1 for x in NUMBERS]
    if parallelism == 1:
        assert collected == expected
    else:
        assert Counter(collected) == Counter(expected)


def test_keyed_sums_over_the_sequence(env: StreamExecutionEnvironment) -> None:
    sums = sequence(env).map(lambda x: (x % 3, x)).key_by(lambda r: r[0])
    sums = sums.reduce(lambda a, b: (a[0], a[1] + b[1]))
    last: dict[int, int] = {}
    count = 0
    with sums.execute_and_collect() as results:
        for key, total in results:
            last[key] = total
            count += 1
    assert count == 1000
    assert last == {k: sum(x for x in NUMBERS if x % 3 == k) for k in range(3)}


class WithSubtask(MapFunction):
    """Tags each number with the subtask that read it (chained to the source: same subtask)."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.subtask = runtime_context.get_index_of_this_subtask()

    def map(self, value: Any) -> Any:
        return self.subtask, value


def test_each_subtask_reads_its_own_part_in_increasing_order(
    env: StreamExecutionEnvironment, parallelism: int
) -> None:
    stream = sequence(env).map(WithSubtask())
    parts: dict[int, list[int]] = {}
    with stream.execute_and_collect() as results:
        for subtask, value in results:
            parts.setdefault(subtask, []).append(value)
    assert parts == expected_parts(parallelism)


def test_printed_by_the_subtask_that_read_it(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sequence(env).print()
    env.execute()
    parsed = parse_printed(capsys.readouterr().out, parallelism)
    printed = {i: [int(text) for text in texts] for i, texts in by_subtask(parsed).items()}
    assert printed == expected_parts(parallelism)


def test_set_parallelism_on_the_source(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sequence(env, 1, 10).set_parallelism(2).map(lambda x: -x).print()
    env.execute()
    parsed = parse_printed(capsys.readouterr().out, parallelism)
    assert sorted(int(text) for _, text in parsed) == list(range(-10, 0))


def test_more_subtasks_than_numbers(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sequence(env, 5, 6).print()
    env.execute()
    parsed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(parsed) == ({0: ["5", "6"]} if parallelism == 1 else {0: ["5"], 1: ["6"]})


def test_the_plan_shows_the_parallel_source(
    env: StreamExecutionEnvironment, parallelism: int
) -> None:
    sequence(env).map(lambda x: x).key_by(lambda x: x % 2).map(lambda x: x).print()
    plan = json.loads(env.get_execution_plan())
    assert [(n["type"], n["pact"], n["parallelism"]) for n in plan["nodes"]] == [
        ("Source: seq", "Data Source", parallelism),
        ("Map", "Operator", parallelism),
        ("Map", "Operator", parallelism),
        ("Sink: Print to Std. Out", "Data Sink", parallelism),
    ]
    assert plan["nodes"][1]["predecessors"] == [
        {"id": plan["nodes"][0]["id"], "ship_strategy": "FORWARD", "side": "second"}
    ]


def test_declared_type_is_long(env: StreamExecutionEnvironment) -> None:
    stream = sequence(env, 1, 3)
    assert stream.get_type() == Types.LONG()
    with stream.execute_and_collect() as results:
        assert sorted(results) == [1, 2, 3]


# -- event time -----------------------------------------------------------------------------------


class TenMillisPerNumber(TimestampAssigner):
    """Number n happens at n * 10 ms, so 1..1000 span 10 ms to 10 s of event time."""

    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value) * 10


class WindowSum(ProcessWindowFunction):
    def process(self, key: Any, context: Any, elements: Any) -> Any:
        window = context.window()
        numbers = list(elements)
        yield key, window.start, window.end, sum(numbers), len(numbers)


def test_event_time_tumbling_windows_over_the_sequence(env: StreamExecutionEnvironment) -> None:
    # Each subtask's numbers, and so its timestamps, ascend: monotonous watermarks never make a
    # record late, whatever the schedule, so every window's result is exact.
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(
        TenMillisPerNumber()
    )
    windows = (
        env.from_source(NumberSequenceSource(1, 1000), strategy, "seq")
        .key_by(lambda x: x % 2)
        .window(TumblingEventTimeWindows.of(Time.seconds(1)))
        .process(WindowSum())
    )
    with windows.execute_and_collect() as results:
        collected = list(results)
    expected = []
    for start in range(0, 11_000, 1000):
        for parity in (0, 1):
            members = [x for x in NUMBERS if start <= x * 10 < start + 1000 and x % 2 == parity]
            if members:
                expected.append((parity, start, start + 1000, sum(members), len(members)))
    assert len(expected) == 21  # 10 full seconds for each parity, and 1000 alone at 10 s
    assert sorted(collected) == sorted(expected)


def test_records_carry_the_assigned_timestamps(env: StreamExecutionEnvironment) -> None:
    class Stamp(TimestampAssigner):
        def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
            return int(value) * 1000

    class ShowTimestamp(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
            yield value, ctx.timestamp()

    strategy = WatermarkStrategy.no_watermarks().with_timestamp_assigner(Stamp())
    stream = env.from_source(NumberSequenceSource(1, 20), strategy, "seq").process(ShowTimestamp())
    with stream.execute_and_collect() as results:
        assert sorted(results) == [(x, x * 1000) for x in range(1, 21)]
