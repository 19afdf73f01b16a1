"""The window operator against Flink's edge semantics, driven directly.

A :class:`Harness` builds one operator for one subtask with a real key context, keyed
backend and timer service whose processing time is a number the test moves; records go in
through ``process_batch``, watermarks through ``process_watermark``, and the emitted
``(record, timestamp)`` pairs are collected.
"""

from __future__ import annotations

from typing import Any

import pytest

from kolk._runtime.errors import UserCodeError
from kolk._runtime.operators.base import OperatorEnvironment
from kolk._runtime.operators.factories import WindowOperatorFactory
from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.operators.window_operator import WindowOperator, WindowOperatorStatistics
from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.timer_service import InternalTimerService, Triggerable
from kolk._runtime.time.watermark import MAX_WATERMARK
from kolk.common import Time, Types
from kolk.datastream.functions import (
    AggregateFunction,
    PassThroughAllWindowFunction,
    PassThroughWindowFunction,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    WindowFunction,
)
from kolk.datastream.output_tag import OutputTag
from kolk.datastream.state import ValueStateDescriptor
from kolk.datastream.window import (
    ContinuousEventTimeTrigger,
    CountSlidingWindowAssigner,
    CountTrigger,
    CountTumblingWindowAssigner,
    CountWindow,
    EventTimeSessionWindows,
    EventTimeTrigger,
    GlobalWindow,
    GlobalWindows,
    ProcessingTimeSessionWindows,
    PurgingTrigger,
    SlidingEventTimeWindows,
    TimeWindow,
    Trigger,
    TriggerResult,
    TumblingEventTimeWindows,
    TumblingProcessingTimeWindows,
    WindowAssigner,
)

MAX_PARALLELISM = 128


class Harness:
    """One window operator, its key context, timers and a manual processing-time clock."""

    def __init__(
        self,
        assigner: WindowAssigner[Any, Any],
        *,
        trigger: Trigger[Any, Any] | None = None,
        lateness: int = 0,
        contents: str = "list",
        contents_function: Any = None,
        window_function: Any = None,
        late_data_output_tag: OutputTag | None = None,
    ) -> None:
        self.now = 0
        self.outputs: list[tuple[Any, Any]] = []
        self.key_context = KeyContext()
        backend = HeapKeyedStateBackend(self.key_context, MAX_PARALLELISM)
        runtime_context = StreamingRuntimeContext("Window", 0, 1, MAX_PARALLELISM, 0, {}, backend)
        self.timers: InternalTimerService | None = None

        def create_timer_service(triggerable: Triggerable) -> InternalTimerService:
            self.timers = InternalTimerService(
                self.key_context, triggerable, lambda: self.now, lambda _: None
            )
            return self.timers

        if window_function is None:
            window_function = PassThroughWindowFunction()
        factory = WindowOperatorFactory(
            assigner,
            trigger if trigger is not None else assigner.get_default_trigger(None),
            lateness,
            contents,
            contents_function,
            window_function,
            late_data_output_tag,
        )
        self.operator = factory.create()
        assert isinstance(self.operator, WindowOperator)
        self.operator.setup(
            OperatorEnvironment(
                name="Window",
                task_name="Window",
                subtask_index=0,
                parallelism=1,
                runtime_context=runtime_context,
                key_context=self.key_context,
                keyed_backend=backend,
                create_timer_service=create_timer_service,
            )
        )
        self.operator.output = self._collect
        self.late: list[tuple[Any, Any]] = []
        if late_data_output_tag is not None:
            self.operator.side_outputs = {late_data_output_tag.tag_id: self._collect_late}
        self.operator.open()

    def _collect(self, records: list[Any], timestamps: list[Any] | None) -> None:
        assert timestamps is not None
        self.outputs.extend(zip(records, timestamps, strict=True))

    def _collect_late(self, records: list[Any], timestamps: list[Any] | None) -> None:
        assert timestamps is not None
        self.late.extend(zip(records, timestamps, strict=True))

    def elements(self, *values_and_timestamps: tuple[Any, Any], key: Any = "k") -> None:
        """Elements of one key, as one batch."""
        values = [value for value, _ in values_and_timestamps]
        timestamps = [ts for _, ts in values_and_timestamps]
        key_groups = [sum(map(ord, str(key))) % MAX_PARALLELISM] * len(values)
        self.operator.process_batch(values, [key] * len(values), key_groups, timestamps)

    def untimed(self, *values: Any, key: Any = "k") -> None:
        """Elements of one key on a stream without timestamps."""
        key_group = sum(map(ord, str(key))) % MAX_PARALLELISM
        self.operator.process_batch(
            list(values), [key] * len(values), [key_group] * len(values), None
        )

    def watermark(self, watermark: int) -> None:
        self.operator.process_watermark(watermark)

    def clock(self, now: int) -> None:
        """Moves processing time to ``now`` and fires the timers due."""
        self.now = now
        assert self.timers is not None
        self.timers.on_processing_time(now)

    def take(self) -> list[tuple[Any, Any]]:
        taken, self.outputs = self.outputs, []
        return taken


class Describe(ProcessWindowFunction):
    """Emits (key, window, elements, watermark) for each firing."""

    def process(self, key, context, elements):
        yield key, context.window(), list(elements), context.current_watermark()


class Elements(WindowFunction):
    """Emits (key, window start, elements)."""

    def apply(self, key, window, inputs):
        yield key, getattr(window, "start", window), list(inputs)


def tumbling(size_ms: int) -> TumblingEventTimeWindows:
    return TumblingEventTimeWindows.of(Time.milliseconds(size_ms))


# -- event-time firing --------------------------------------------------------------------------


def test_a_window_fires_when_the_watermark_reaches_its_end_minus_one() -> None:
    harness = Harness(tumbling(1000), window_function=Describe())
    harness.elements(("a", 0), ("b", 999), ("c", 1000))
    harness.watermark(998)
    assert harness.take() == []
    harness.watermark(999)
    assert harness.take() == [(("k", TimeWindow(0, 1000), ["a", "b"], 999), 999)]
    harness.watermark(1998)
    assert harness.take() == []
    harness.watermark(1999)
    assert harness.take() == [(("k", TimeWindow(1000, 2000), ["c"], 1999), 1999)]
    assert harness.operator.statistics() == WindowOperatorStatistics(0, 0, 0)


def test_sliding_windows_include_negative_starts_and_fire_in_end_order() -> None:
    assigner = SlidingEventTimeWindows.of(Time.seconds(2), Time.seconds(1))
    harness = Harness(assigner, window_function=Elements())
    harness.elements(("e0", 0), ("e1", 1500))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [
        (("k", -1000, ["e0"]), 999),
        (("k", 0, ["e0", "e1"]), 1999),
        (("k", 1000, ["e1"]), 2999),
    ]


def test_the_final_watermark_fires_windows_by_time_then_registration_order() -> None:
    harness = Harness(tumbling(1000), window_function=Elements())
    harness.elements(("b1", 1500), key="b")
    harness.elements(("a0", 10), key="a")
    harness.elements(("a1", 1000), key="a")
    harness.elements(("b0", 5), key="b")
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [
        (("a", 0, ["a0"]), 999),
        (("b", 0, ["b0"]), 999),
        (("b", 1000, ["b1"]), 1999),
        (("a", 1000, ["a1"]), 1999),
    ]


def test_a_record_without_timestamp_fails_with_pyflinks_message() -> None:
    harness = Harness(tumbling(1000))
    with pytest.raises(UserCodeError) as failure:
        harness.untimed("x")
    cause = failure.value.__cause__
    assert isinstance(cause, RuntimeError)
    assert str(cause) == (
        "Record has Java Long.MIN_VALUE timestamp (= no timestamp marker). Is the time "
        "characteristic set to 'ProcessingTime', or did you forget to call "
        "'data_stream.assign_timestamps_and_watermarks(...)'?"
    )
    assert "TumblingEventTimeWindows.assign_windows" in str(failure.value)
    assert failure.value.operator_name == "Window"


def test_user_function_errors_name_the_function() -> None:
    class Broken(WindowFunction):
        def apply(self, key, window, inputs):
            raise ValueError("boom")

    harness = Harness(tumbling(1000), window_function=Broken())
    harness.elements(("x", 1))
    with pytest.raises(UserCodeError, match=r"ValueError: boom \(in the function .*Broken.apply"):
        harness.watermark(MAX_WATERMARK)


# -- lateness -----------------------------------------------------------------------------------


def test_late_elements_are_dropped_and_counted_without_lateness() -> None:
    harness = Harness(tumbling(1000), window_function=Elements())
    harness.elements(("on time", 100))
    harness.watermark(999)
    assert harness.take() == [(("k", 0, ["on time"]), 999)]
    harness.elements(("late", 500), ("next window", 1000))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(("k", 1000, ["next window"]), 1999)]
    assert harness.operator.num_late_records_dropped == 1


def test_allowed_lateness_refires_the_window_until_its_cleanup_time() -> None:
    harness = Harness(tumbling(1000), lateness=500, window_function=Describe())
    harness.elements(("a", 100))
    harness.watermark(1200)
    assert harness.take() == [(("k", TimeWindow(0, 1000), ["a"], 1200), 999)]
    # Within the lateness: added, and the trigger fires at once with all the contents.
    harness.elements(("b", 500))
    assert harness.take() == [(("k", TimeWindow(0, 1000), ["a", "b"], 1200), 999)]
    harness.watermark(1499)  # cleanup time 999 + 500: state cleared, no firing
    assert harness.take() == []
    harness.elements(("c", 600))
    assert harness.take() == []
    assert harness.operator.num_late_records_dropped == 1
    assert harness.operator.statistics().num_event_time_timers == 0


def test_late_elements_go_to_the_late_data_side_output_with_their_timestamps() -> None:
    harness = Harness(
        tumbling(1000),
        lateness=100,
        window_function=Elements(),
        late_data_output_tag=OutputTag("late", Types.STRING()),
    )
    harness.elements(("a", 10))
    harness.watermark(1099)
    harness.elements(("too late", 99), ("on time", 1099))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(("k", 0, ["a"]), 999), (("k", 1000, ["on time"]), 1999)]
    assert harness.late == [("too late", 99)]
    assert harness.operator.num_late_records_dropped == 0


def test_an_element_late_for_some_of_its_windows_only_is_not_dropped() -> None:
    assigner = SlidingEventTimeWindows.of(Time.seconds(2), Time.seconds(1))
    harness = Harness(assigner, window_function=Elements())
    harness.watermark(1000)
    harness.elements(("x", 500))  # [-1000, 1000) is late, [0, 2000) is not
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(("k", 0, ["x"]), 1999)]
    assert harness.operator.num_late_records_dropped == 0


# -- incremental contents -----------------------------------------------------------------------


def test_reduce_is_incremental_and_feeds_the_process_function_one_value() -> None:
    harness = Harness(
        tumbling(1000),
        contents="reduce",
        contents_function=lambda a, b: a + b,
        window_function=Describe(),
    )
    harness.elements((1, 0), (2, 10), (3, 20))
    harness.watermark(999)
    assert harness.take() == [(("k", TimeWindow(0, 1000), [6], 999), 999)]


class Average(AggregateFunction):
    def create_accumulator(self):
        return (0, 0)

    def add(self, value, accumulator):
        return accumulator[0] + value, accumulator[1] + 1

    def get_result(self, accumulator):
        return accumulator[0] / accumulator[1]

    def merge(self, acc_a, acc_b):
        return acc_a[0] + acc_b[0], acc_a[1] + acc_b[1]


def test_aggregate_passes_the_result_through() -> None:
    harness = Harness(tumbling(1000), contents="aggregate", contents_function=Average())
    harness.elements((1, 0), (2, 10), (6, 1001))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(1.5, 999), (6.0, 1999)]


# -- sessions -----------------------------------------------------------------------------------


def test_session_windows_merge_when_they_overlap_or_touch() -> None:
    harness = Harness(EventTimeSessionWindows.with_gap(Time.seconds(1)), window_function=Describe())
    harness.elements(("a", 0), ("b", 500), ("c", 2000))  # [0, 1500) and [2000, 3000)
    harness.elements(("d", 1000))  # [1000, 2000) touches both: one session [0, 3000)
    harness.elements(("e", 5000))
    harness.watermark(MAX_WATERMARK)
    # The merged session keeps the state window of [2000, 3000), first in PyFlink's set order.
    assert harness.take() == [
        (("k", TimeWindow(0, 3000), ["c", "a", "b", "d"], MAX_WATERMARK), 2999),
        (("k", TimeWindow(5000, 6000), ["e"], MAX_WATERMARK), 5999),
    ]
    assert harness.operator.statistics().num_event_time_timers == 0


def test_merged_sessions_list_elements_in_pyflinks_order() -> None:
    # [0, 100) and [150, 250) are in flight; [90, 190) merges both. PyFlink's set of merged
    # windows (TimeWindow's hash) starts with [150, 250), whose state window the merged
    # session keeps, so its elements come first (PyFlink's merging_window_set.py, run on this
    # input, gives the same list).
    assert next(iter({TimeWindow(0, 100), TimeWindow(150, 250)})) == TimeWindow(150, 250)
    harness = Harness(
        EventTimeSessionWindows.with_gap(Time.milliseconds(100)), window_function=Elements()
    )
    harness.elements(("a", 0), ("b", 150), ("c", 90))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(("k", 0, ["b", "a", "c"]), 249)]


def test_merged_sessions_reduce_every_value_as_flink() -> None:
    harness = Harness(
        EventTimeSessionWindows.with_gap(Time.milliseconds(100)),
        contents="reduce",
        contents_function=lambda a, b: a + b,
    )
    harness.elements((1, 0), (10, 150), (100, 300), (1000, 90), (10000, 200))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(11111, 399)]


def test_sessions_of_different_keys_stay_apart() -> None:
    harness = Harness(
        EventTimeSessionWindows.with_gap(Time.milliseconds(100)),
        contents="aggregate",
        contents_function=Average(),
        window_function=Elements(),
    )
    harness.elements((1, 0), (3, 50), key="a")
    harness.elements((10, 60), key="b")
    harness.elements((5, 120), key="a")
    harness.watermark(MAX_WATERMARK)
    assert sorted(harness.take()) == [
        (("a", 0, [3.0]), 219),
        (("b", 60, [10.0]), 159),
    ]


def test_a_late_element_does_not_reopen_a_fired_session() -> None:
    harness = Harness(
        EventTimeSessionWindows.with_gap(Time.milliseconds(100)), window_function=Elements()
    )
    harness.elements(("a", 0))
    harness.watermark(500)
    assert harness.take() == [(("k", 0, ["a"]), 99)]
    harness.elements(("late", 50))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == []
    assert harness.operator.num_late_records_dropped == 1


# -- count windows and purging --------------------------------------------------------------------


def test_count_tumbling_windows_fire_when_full() -> None:
    harness = Harness(CountTumblingWindowAssigner.of(3), window_function=Elements())
    harness.untimed(1, 2, 3, 4, key="a")
    harness.untimed(10, 20, 30, key="b")
    harness.untimed(5, 6, key="a")
    assert harness.take() == [
        (("a", CountWindow(0), [1, 2, 3]), MAX_WATERMARK),
        (("b", CountWindow(0), [10, 20, 30]), MAX_WATERMARK),
        (("a", CountWindow(1), [4, 5, 6]), MAX_WATERMARK),
    ]
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == []


def test_count_sliding_windows_fire_each_window_when_full() -> None:
    harness = Harness(
        CountSlidingWindowAssigner.of(3, 2),
        contents="reduce",
        contents_function=lambda a, b: a + b,
        window_function=Elements(),
    )
    harness.untimed(1, 2, 4, 8, 16, 32, 64)
    assert harness.take() == [
        (("k", CountWindow(0), [7]), MAX_WATERMARK),
        (("k", CountWindow(1), [28]), MAX_WATERMARK),
        (("k", CountWindow(2), [112]), MAX_WATERMARK),
    ]


def test_purging_count_trigger_on_global_windows_fires_every_n() -> None:
    harness = Harness(
        GlobalWindows.create(),
        trigger=PurgingTrigger.of(CountTrigger.of(2)),
        window_function=Elements(),
    )
    harness.untimed("a", "b", "c", "d", "e")
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [
        (("k", GlobalWindow(), ["a", "b"]), MAX_WATERMARK),
        (("k", GlobalWindow(), ["c", "d"]), MAX_WATERMARK),
    ]


def test_a_non_purging_count_trigger_keeps_the_contents() -> None:
    harness = Harness(
        GlobalWindows.create(), trigger=CountTrigger.of(2), window_function=Elements()
    )
    harness.untimed("a", "b", "c", "d")
    assert [record[2] for record, _ in harness.take()] == [["a", "b"], ["a", "b", "c", "d"]]


def test_global_windows_never_fire_by_default() -> None:
    harness = Harness(GlobalWindows.create())
    harness.untimed("a", "b")
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == []


def test_an_empty_pane_never_fires() -> None:
    class FireAlways(Trigger):
        def on_element(self, element, timestamp, window, ctx):
            ctx.register_event_time_timer(window.max_timestamp())
            return TriggerResult.PURGE

        def on_processing_time(self, time, window, ctx):
            return TriggerResult.CONTINUE

        def on_event_time(self, time, window, ctx):
            return TriggerResult.FIRE

        def on_merge(self, window, ctx):
            pass

        def clear(self, window, ctx):
            pass

    harness = Harness(tumbling(1000), trigger=FireAlways(), window_function=Elements())
    harness.elements(("purged at once", 5))
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == []


def test_continuous_event_time_trigger_fires_every_interval() -> None:
    harness = Harness(
        tumbling(1000),
        trigger=ContinuousEventTimeTrigger.of(Time.milliseconds(300)),
        window_function=Elements(),
    )
    harness.elements(("a", 10))  # first fire time: 10 aligned down to 0, plus 300
    harness.watermark(299)
    assert harness.take() == []
    harness.watermark(300)
    assert harness.take() == [(("k", 0, ["a"]), 999)]
    harness.elements(("b", 400))
    harness.watermark(650)  # fires at 600
    assert harness.take() == [(("k", 0, ["a", "b"]), 999)]
    harness.watermark(MAX_WATERMARK)  # at 900, then at the window's end (once)
    assert harness.take() == [(("k", 0, ["a", "b"]), 999), (("k", 0, ["a", "b"]), 999)]
    assert harness.operator.statistics().num_event_time_timers == 0


# -- processing time ------------------------------------------------------------------------------


def test_processing_time_windows_fire_on_the_clock_and_emit_at_once() -> None:
    harness = Harness(TumblingProcessingTimeWindows.of(Time.seconds(1)), window_function=Elements())
    harness.clock(100)
    harness.untimed("a", "b")
    harness.clock(998)
    assert harness.take() == []
    harness.clock(999)
    assert harness.take() == [(("k", 0, ["a", "b"]), 999)]
    harness.clock(1100)
    harness.untimed("c")
    harness.watermark(MAX_WATERMARK)  # event time does not fire processing-time windows
    assert harness.take() == []
    harness.clock(1999)
    assert harness.take() == [(("k", 1000, ["c"]), 1999)]
    assert harness.operator.statistics() == WindowOperatorStatistics(0, 0, 0)


def test_processing_time_sessions_merge() -> None:
    harness = Harness(
        ProcessingTimeSessionWindows.with_gap(Time.milliseconds(100)), window_function=Elements()
    )
    harness.clock(0)
    harness.untimed("a")
    harness.clock(80)
    harness.untimed("b")
    harness.clock(179)
    assert harness.take() == [(("k", 0, ["a", "b"]), 179)]


# -- the process function's context ---------------------------------------------------------------


def test_window_state_is_scoped_to_the_key_and_window() -> None:
    fired = ValueStateDescriptor("fired", Types.INT())
    cleared: list[Any] = []

    class CountFirings(ProcessWindowFunction):
        def process(self, key, context, elements):
            state = context.window_state().get_state(fired)
            state.update((state.value() or 0) + 1)
            yield context.window().start, state.value(), len(list(elements))

        def clear(self, context):
            state = context.window_state().get_state(fired)
            cleared.append((context.window().start, state.value()))
            state.clear()

    harness = Harness(
        tumbling(1000),
        trigger=CountTrigger.of(1),
        lateness=MAX_WATERMARK,
        window_function=CountFirings(),
    )
    harness.elements(("a", 0), ("b", 1), ("c", 1000))
    assert harness.take() == [((0, 1, 1), 999), ((0, 2, 2), 999), ((1000, 1, 1), 1999)]
    harness.watermark(MAX_WATERMARK)
    assert cleared == []  # cleanup at Long.MAX_VALUE: never registered


def test_process_function_clear_runs_at_cleanup_time() -> None:
    cleared: list[Any] = []

    class Remember(ProcessWindowFunction):
        def process(self, key, context, elements):
            return [key]

        def clear(self, context):
            cleared.append((context.window(), context.current_watermark()))

    harness = Harness(tumbling(1000), lateness=100, window_function=Remember())
    harness.elements(("a", 5))
    harness.watermark(999)
    assert cleared == []
    harness.watermark(1099)
    assert cleared == [(TimeWindow(0, 1000), 1099)]
    assert harness.take() == [("k", 999)]


def test_merging_windows_refuse_per_window_state() -> None:
    class UsesWindowState(ProcessWindowFunction):
        def process(self, key, context, elements):
            context.window_state().get_state(ValueStateDescriptor("s", Types.INT()))
            return []

    harness = Harness(
        EventTimeSessionWindows.with_gap(Time.seconds(1)), window_function=UsesWindowState()
    )
    harness.elements(("a", 0))
    with pytest.raises(UserCodeError, match="Per-window state is not allowed"):
        harness.watermark(MAX_WATERMARK)


def test_all_window_functions_get_the_window_and_no_key() -> None:
    class Sizes(ProcessAllWindowFunction):
        def process(self, context, elements):
            yield context.window().start, sorted(elements)

    harness = Harness(tumbling(1000), window_function=Sizes())
    harness.elements((3, 0), (1, 5), key=0)
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [((0, [1, 3]), 999)]


def test_pass_through_all_window_function_emits_the_reduced_value() -> None:
    harness = Harness(
        tumbling(1000),
        contents="reduce",
        contents_function=max,
        window_function=PassThroughAllWindowFunction(),
    )
    harness.elements((3, 0), (7, 5), (1, 6), key=0)
    harness.watermark(MAX_WATERMARK)
    assert harness.take() == [(7, 999)]


def test_each_subtask_gets_its_own_window_function() -> None:
    function = Elements()
    factory = WindowOperatorFactory(
        tumbling(10), EventTimeTrigger.create(), 0, "list", None, function
    )
    first, second = factory.create(), factory.create()
    assert isinstance(first, WindowOperator) and isinstance(second, WindowOperator)
    assert first.function is not second.function
    assert first.function is not function
