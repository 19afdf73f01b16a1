"""Event time end to end: timestamps, watermarks, event-time timers, side outputs."""

from __future__ import annotations

from typing import Any

import pytest

from kolk.common import Configuration, Duration, Types, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import KeyedProcessFunction, ProcessFunction, StreamExecutionEnvironment
from kolk.datastream.output_tag import OutputTag
from kolk.datastream.state import ValueStateDescriptor


class SecondField(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value[1])


def stamped(env: StreamExecutionEnvironment, records: list[Any], bound_ms: int = 1000) -> Any:
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(
        Duration.of_millis(bound_ms)
    ).with_timestamp_assigner(SecondField())
    return env.from_collection(records).assign_timestamps_and_watermarks(strategy)


def lines(out: str) -> list[str]:
    return [line.split("> ", 1)[1] if "> " in line else line for line in out.splitlines()]


class Reminder(KeyedProcessFunction):
    """Counts per key and reminds 1 s after each element (event time)."""

    def open(self, runtime_context: Any) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.INT()))

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
        self.count.update((self.count.value() or 0) + 1)
        ctx.timer_service().register_event_time_timer(ctx.timestamp() + 1000)
        yield f"{value[0]}@{ctx.timestamp()}"

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Any:
        domain = ctx.time_domain().name
        yield f"timer {ctx.get_current_key()}@{timestamp} {domain} n={self.count.value()}"


def test_records_carry_their_extracted_timestamps(parallelism: int, capsys: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)

    class ShowTimestamp(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
            yield (value[0], ctx.timestamp())

    stamped(env, [("a", 5), ("b", 7)]).process(ShowTimestamp()).print()
    env.execute()
    assert sorted(lines(capsys.readouterr().out)) == ["('a', 5)", "('b', 7)"]


def test_records_without_timestamps_report_long_min_value(capsys: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)

    class ShowTimestamp(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
            yield ctx.timestamp()

    env.from_collection(["x"]).process(ShowTimestamp()).print()
    env.execute()
    assert capsys.readouterr().out == f"{-(2**63)}\n"


def test_event_time_timers_fire_in_order_at_the_final_watermark(
    parallelism: int, capsys: Any
) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    stamped(env, [("a", 1000), ("b", 1500), ("a", 3000), ("b", 900)]).key_by(
        lambda r: r[0]
    ).process(Reminder()).print()
    env.execute()
    out = lines(capsys.readouterr().out)
    elements = [line for line in out if not line.startswith("timer")]
    assert sorted(elements) == ["a@1000", "a@3000", "b@1500", "b@900"]
    for key in "ab":
        # A key's subtask prints its elements before its timers (subtasks in different
        # worker processes interleave with each other in any order).
        of_key = [line for line in out if line.startswith((key, f"timer {key}"))]
        assert [line.startswith("timer") for line in of_key] == [False] * 2 + [True] * 2
    timers = [line for line in out if line.startswith("timer")]
    # Deduplicated per (key, timestamp), fired in timestamp order, after all elements here
    # because a bounded input's final watermark (Long.MAX_VALUE) fires them.
    expected = [
        "timer b@1900 EVENT_TIME n=2",
        "timer a@2000 EVENT_TIME n=2",
        "timer b@2500 EVENT_TIME n=2",
        "timer a@4000 EVENT_TIME n=2",
    ]
    if parallelism == 1:
        assert timers == expected
    for key in "ab":
        assert [t for t in timers if t.startswith(f"timer {key}")] == [
            t for t in expected if t.startswith(f"timer {key}")
        ]


def test_without_periodic_watermarks_timers_wait_for_the_final_one(capsys: Any) -> None:
    configuration = Configuration()
    configuration.set_string("pipeline.auto-watermark-interval", "0")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(1)
    records = [("a", 1000), ("a", 2001), ("a", 2500)]
    stamped(env, records, bound_ms=0).key_by(lambda r: r[0]).process(Reminder()).print()
    env.execute()
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["a@1000", "a@2001", "a@2500"]
    assert out[3:] == [
        "timer a@2000 EVENT_TIME n=3",
        "timer a@3001 EVENT_TIME n=3",
        "timer a@3500 EVENT_TIME n=3",
    ]


def test_side_outputs_split_a_stream(parallelism: int, capsys: Any) -> None:
    odd = OutputTag("odd", Types.INT())

    class Split(ProcessFunction):
        def process_element(self, value: int, ctx: ProcessFunction.Context) -> Any:
            if value % 2:
                yield odd, value
            else:
                yield value * 10

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    main = env.from_collection([1, 2, 3, 4, 5]).process(Split(), Types.INT())
    main.print("main")
    main.get_side_output(odd).print("odd")
    env.execute()
    out = capsys.readouterr().out.splitlines()
    main_lines = sorted(line.split("> ")[1] for line in out if line.startswith("main"))
    odd_lines = sorted(line.split("> ")[1] for line in out if line.startswith("odd"))
    assert (main_lines, odd_lines) == (["20", "40"], ["1", "3", "5"])
    if parallelism == 1:
        assert out == ["main> 20", "main> 40", "odd> 1", "odd> 3", "odd> 5"]


def test_yielded_tag_pairs_stay_on_the_main_output_without_side_output_consumers(
    capsys: Any,
) -> None:
    tag = OutputTag("unused")

    class Emit(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
            yield tag, value

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.from_collection([1]).process(Emit()).map(lambda pair: pair[1] + 1).print()
    env.execute()
    assert capsys.readouterr().out == "2\n"


def test_non_keyed_timers_are_refused_with_flinks_message() -> None:
    class Register(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
            ctx.timer_service().register_event_time_timer(10)

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.from_collection([1]).process(Register()).print()
    with pytest.raises(Exception, match="Setting timers is only supported on a keyed streams"):
        env.execute()


def test_timer_outputs_reach_main_then_side_outputs(capsys: Any) -> None:
    alerts = OutputTag("alerts", Types.STRING())

    class Remind(KeyedProcessFunction):
        def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
            ctx.timer_service().register_event_time_timer(ctx.timestamp() + 10)
            yield value[0]

        def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Any:
            yield alerts, f"late {ctx.get_current_key()}"
            yield f"{ctx.get_current_key()}@{timestamp}"

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    main = stamped(env, [("a", 1), ("b", 2)], bound_ms=0).key_by(lambda r: r[0]).process(Remind())
    main.print("main")
    main.get_side_output(alerts).print("alert")
    env.execute()
    assert capsys.readouterr().out.splitlines() == [
        "main> a",
        "main> b",
        "main> a@11",
        "alert> late a",
        "main> b@12",
        "alert> late b",
    ]
