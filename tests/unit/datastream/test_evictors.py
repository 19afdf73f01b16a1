"""Evictors (Flink's CountEvictor, TimeEvictor, DeltaEvictor) and windows that use them."""

from __future__ import annotations

from typing import Any

import pytest

from kolk.common import Duration, Time, Types, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.evictor import CountEvictor, DeltaEvictor, TimeEvictor, TimestampedValue
from kolk.datastream.window import TumblingEventTimeWindows


def stamped(*pairs: tuple[str, int]) -> list[TimestampedValue[str]]:
    return [TimestampedValue(value, ts) for value, ts in pairs]


def test_count_evictor_keeps_the_last_elements_before_or_after() -> None:
    elements = stamped(("a", 1), ("b", 2), ("c", 3))
    CountEvictor.of(2).evict_before(elements, 3, None, None)
    assert [e.get_value() for e in elements] == ["b", "c"]
    after = stamped(("a", 1), ("b", 2), ("c", 3))
    evictor = CountEvictor.of(1, do_evict_after=True)
    evictor.evict_before(after, 3, None, None)
    assert len(after) == 3
    evictor.evict_after(after, 3, None, None)
    assert [e.get_value() for e in after] == ["c"]


def test_time_evictor_keeps_the_last_span_of_event_time() -> None:
    elements = stamped(("a", 1000), ("b", 2500), ("c", 4000))
    TimeEvictor.of(Time.seconds(2)).evict_before(elements, 3, None, None)
    # max timestamp 4000, cut-off 2000: timestamps <= 2000 go.
    assert [e.get_value() for e in elements] == ["b", "c"]
    untimed = [TimestampedValue("x"), TimestampedValue("y")]
    TimeEvictor.of(Time.seconds(1)).evict_before(untimed, 2, None, None)
    assert len(untimed) == 2


def test_delta_evictor_drops_elements_far_from_the_last() -> None:
    elements = [TimestampedValue(v, 0) for v in (1, 5, 9, 10)]
    DeltaEvictor.of(3, lambda a, b: abs(a - b)).evict_before(elements, 4, None, None)
    assert [e.get_value() for e in elements] == [9, 10]


def test_timestamped_value_without_timestamp_says_so() -> None:
    value = TimestampedValue("x")
    assert not value.has_timestamp()
    with pytest.raises(ValueError, match="no timestamp"):
        value.get_timestamp()


class Second(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value[1])


def test_a_window_with_a_count_evictor_reduces_only_what_is_left(capsys: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(
        Duration.of_millis(0)
    ).with_timestamp_assigner(Second())
    (
        env.from_collection([("k", 100, 1), ("k", 200, 2), ("k", 300, 3), ("k", 1100, 10)])
        .assign_timestamps_and_watermarks(strategy)
        .key_by(lambda r: r[0])
        .window(TumblingEventTimeWindows.of(Time.seconds(1)))
        .evictor(CountEvictor.of(2))
        .reduce(
            lambda a, b: (a[0], a[1], a[2] + b[2]),
            output_type=Types.TUPLE([Types.STRING(), Types.INT(), Types.INT()]),
        )
        .print()
    )
    env.execute()
    # Window [0, 1000) holds 1, 2, 3; the evictor keeps the last two before the reduce.
    assert capsys.readouterr().out == "(k,200,5)\n(k,1100,10)\n"


def test_evictor_refuses_other_objects() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    windowed = (
        env.from_collection([1])
        .key_by(lambda x: x)
        .window(TumblingEventTimeWindows.of(Time.seconds(1)))
    )
    with pytest.raises(TypeError, match="evictor\\(\\) expects an Evictor"):
        windowed.evictor(3)
