"""Windows end to end: event-time, session, count and all-windows jobs at p = 1, 2, 4.

The inputs are bounded, so (unless a periodic watermark happens to pass mid-job, which these
inputs are too small for) every event-time window fires at the final watermark: in window-end
order, ties in the order their first elements arrived. At p = 1 the printed output is compared
exactly; above it as a multiset (``printed_output.assert_records``).
"""

from __future__ import annotations

from typing import Any

import pytest
from printed_output import assert_records, parse_printed

from kolk.common import Duration, Time, Types, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.functions import (
    AggregateFunction,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    WindowFunction,
)
from kolk.datastream.window import (
    EventTimeSessionWindows,
    SlidingEventTimeWindows,
    TumblingEventTimeWindows,
)

#: (user, clicks, event time in ms); out of order by at most 1 s.
CLICKS = [
    ("alice", 1, 1000),
    ("bob", 2, 1500),
    ("alice", 3, 4000),
    ("alice", 4, 6000),
    ("bob", 5, 9000),
    ("alice", 6, 5500),
    ("bob", 7, 9900),
]


class ThirdField(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value[2])


def clicks(env: StreamExecutionEnvironment) -> Any:
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(
        Duration.of_seconds(1)
    ).with_timestamp_assigner(ThirdField())
    return env.from_collection(CLICKS).assign_timestamps_and_watermarks(strategy)


def printed(capsys: Any, parallelism: int) -> list[tuple[int, str]]:
    return parse_printed(capsys.readouterr().out, parallelism)


class Describe(ProcessWindowFunction):
    def process(self, key: Any, context: ProcessWindowFunction.Context, elements: Any) -> Any:
        window = context.window()
        yield f"{key} [{window.start}, {window.end}) {[e[1] for e in elements]}"


def test_tumbling_event_time_reduce(
    env: StreamExecutionEnvironment, parallelism: int, capsys: Any
) -> None:
    clicks(env).key_by(lambda c: c[0]).window(TumblingEventTimeWindows.of(Time.seconds(5))).reduce(
        lambda a, b: (a[0], a[1] + b[1], max(a[2], b[2]))
    ).print()
    env.execute()
    expected = [
        "('alice', 4, 4000)",
        "('bob', 2, 1500)",
        "('alice', 10, 6000)",
        "('bob', 12, 9900)",
    ]
    assert_records(printed(capsys, parallelism), expected, parallelism)


def test_tumbling_windows_process_with_the_window(
    env: StreamExecutionEnvironment, parallelism: int, capsys: Any
) -> None:
    clicks(env).key_by(lambda c: c[0], key_type=Types.STRING()).window(
        TumblingEventTimeWindows.of(Time.seconds(5))
    ).process(Describe(), Types.STRING()).print()
    env.execute()
    expected = [
        "alice [0, 5000) [1, 3]",
        "bob [0, 5000) [2]",
        "alice [5000, 10000) [4, 6]",
        "bob [5000, 10000) [5, 7]",
    ]
    assert_records(printed(capsys, parallelism), expected, parallelism)


def test_reduce_with_a_process_window_function(
    env: StreamExecutionEnvironment, parallelism: int, capsys: Any
) -> None:
    class Total(ProcessWindowFunction):
        def process(self, key: Any, context: Any, elements: Any) -> Any:
            (total,) = elements
            yield f"{key}@{context.window().max_timestamp()}: {total}"

    clicks(env).map(lambda c: (c[0], c[1])).key_by(lambda c: c[0]).window(
        TumblingEventTimeWindows.of(Time.seconds(5))
    ).reduce(lambda a, b: (a[0], a[1] + b[1]), Total()).print()
    env.execute()
    expected = [
        "alice@4999: ('alice', 4)",
        "bob@4999: ('bob', 2)",
        "alice@9999: ('alice', 10)",
        "bob@9999: ('bob', 12)",
    ]
    assert_records(printed(capsys, parallelism), expected, parallelism)


def test_sliding_windows_include_the_window_before_zero(
    env: StreamExecutionEnvironment, parallelism: int, capsys: Any
) -> None:
    class Starts(WindowFunction):
        def apply(self, key: Any, window: Any, inputs: Any) -> Any:
            yield f"{key} {window.start} {sorted(i[1] for i in inputs)}"

    clicks(env).filter(lambda c: c[0] == "bob").key_by(lambda c: c[0]).window(
        SlidingEventTimeWindows.of(Time.seconds(10), Time.seconds(5))
    ).apply(Starts()).print()
    env.execute()
    expected = ["bob -5000 [2]", "bob 0 [2, 5, 7]", "bob 5000 [5, 7]"]
    assert_records(printed(capsys, parallelism), expected, parallelism)


class CountAndSum(AggregateFunction):
    def create_accumulator(self) -> Any:
        return (0, 0)

    def add(self, value: Any, accumulator: Any) -> Any:
        return accumulator[0] + 1, accumulator[1] + value[1]

    def get_result(self, accumulator: Any) -> Any:
        return accumulator

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        return acc_a[0] + acc_b[0], acc_a[1] + acc_b[1]


def test_session_windows_merge(
    env: StreamExecutionEnvironment, parallelism: int, capsys: Any
) -> None:
    class Session(ProcessWindowFunction):
        def process(self, key: Any, context: Any, elements: Any) -> Any:
            (count_and_sum,) = elements
            window = context.window()
            yield f"{key} [{window.start}, {window.end}) {count_and_sum}"

    clicks(env).key_by(lambda c: c[0]).window(
        EventTimeSessionWindows.with_gap(Time.seconds(2))
    ).aggregate(CountAndSum(), Session()).print()
    env.execute()
    # alice: 1000 (alone), then 4000, 6000 and 5500 merge; bob: 1500 alone, 9000 and 9900.
    expected = [
        "alice [1000, 3000) (1, 1)",
        "bob [1500, 3500) (1, 2)",
        "alice [4000, 8000) (3, 13)",
        "bob [9000, 11900) (2, 12)",
    ]
    assert_records(printed(capsys, parallelism), expected, parallelism)


def test_count_windows(env: StreamExecutionEnvironment, parallelism: int, capsys: Any) -> None:
    class Ids(WindowFunction):
        def apply(self, key: Any, window: Any, inputs: Any) -> Any:
            yield f"{key} #{window.id} {[i[1] for i in inputs]}"

    # Count windows fire as their last element arrives: alice's 2nd, bob's 2nd, alice's 4th
    # (tumbling by 2); alice's 3rd and 4th, bob's 3rd (windows of 3, sliding by 1).
    keyed = env.from_collection(CLICKS).key_by(lambda c: c[0])
    keyed.count_window(2).reduce(lambda a, b: (a[0], a[1] + b[1], 0)).print()
    keyed.count_window(3, 1).apply(Ids()).print()
    env.execute()
    parsed = printed(capsys, parallelism)
    tumbling = [text for _, text in parsed if text.startswith("(")]
    sliding = [text for _, text in parsed if not text.startswith("(")]
    assert_records(
        [(0, text) for text in tumbling],
        ["('alice', 4, 0)", "('bob', 7, 0)", "('alice', 10, 0)"],
        parallelism,
    )
    assert_records(
        [(0, text) for text in sliding],
        ["alice #0 [1, 3, 4]", "alice #1 [3, 4, 6]", "bob #0 [2, 5, 7]"],
        parallelism,
    )


def test_window_all(env: StreamExecutionEnvironment, parallelism: int, capsys: Any) -> None:
    class Users(ProcessAllWindowFunction):
        def process(self, context: Any, elements: Any) -> Any:
            window = context.window()
            yield f"[{window.start}, {window.end}) {sorted({e[0] for e in elements})}"

    clicks(env).window_all(TumblingEventTimeWindows.of(Time.seconds(5))).process(
        Users(), Types.STRING()
    ).print()
    env.execute()
    expected = ["[0, 5000) ['alice', 'bob']", "[5000, 10000) ['alice', 'bob']"]
    assert_records(printed(capsys, parallelism), expected, parallelism)


def test_window_all_reduce_runs_in_one_subtask(parallelism: int, capsys: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    clicks(env).window_all(TumblingEventTimeWindows.of(Time.seconds(10))).reduce(
        lambda a, b: ("all", a[1] + b[1], 0)
    ).map(lambda total: total[1]).print()
    env.execute()
    assert [text for _, text in printed(capsys, parallelism)] == ["28"]


def test_a_stream_without_timestamps_fails_event_time_windows() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.from_collection(CLICKS).key_by(lambda c: c[0]).window(
        TumblingEventTimeWindows.of(Time.seconds(5))
    ).reduce(lambda a, b: a).print()
    with pytest.raises(Exception, match=r"Record has Java Long\.MIN_VALUE timestamp") as failure:
        env.execute()
    assert "assign_timestamps_and_watermarks" in str(failure.value)
