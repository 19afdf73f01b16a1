"""``kolk.datastream.window`` and the windowed streams: Flink's formulas, PyFlink's API."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._graph.transformations import (
    PARALLELISM_DEFAULT,
    OneInputTransformation,
    PartitionTransformation,
    ShipStrategy,
)
from kolk._runtime.operators.factories import WindowOperatorFactory
from kolk.common import Duration, Time, Types
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.data_stream import AllWindowedStream, DataStream, WindowedStream
from kolk.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    NullByteKeySelector,
    PassThroughAllWindowFunction,
    PassThroughWindowFunction,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    WindowFunction,
)
from kolk.datastream.output_tag import OutputTag
from kolk.datastream.window import (
    ContinuousEventTimeTrigger,
    ContinuousProcessingTimeTrigger,
    CountSlidingWindowAssigner,
    CountTrigger,
    CountTumblingWindowAssigner,
    CountWindow,
    CountWindowSerializer,
    DynamicEventTimeSessionWindows,
    DynamicProcessingTimeSessionWindows,
    EventTimeSessionWindows,
    EventTimeTrigger,
    GlobalWindow,
    GlobalWindows,
    GlobalWindowSerializer,
    MergingWindowAssigner,
    NeverTrigger,
    ProcessingTimeSessionWindows,
    ProcessingTimeTrigger,
    PurgingTrigger,
    SessionWindowTimeGapExtractor,
    SlidingEventTimeWindows,
    SlidingProcessingTimeWindows,
    TimeWindow,
    TimeWindowSerializer,
    Trigger,
    TriggerResult,
    TumblingEventTimeWindows,
    TumblingProcessingTimeWindows,
    WindowAssigner,
)

LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1
NO_TIMESTAMP_MESSAGE = (
    "Record has Java Long.MIN_VALUE timestamp (= no timestamp marker). Is the time "
    "characteristic set to 'ProcessingTime', or did you forget to call "
    "'data_stream.assign_timestamps_and_watermarks(...)'?"
)


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


class Clock(WindowAssigner.WindowAssignerContext):
    """An assigner context at a fixed processing time."""

    def __init__(self, now: int = 0) -> None:
        self.now = now

    def get_current_processing_time(self) -> int:
        return self.now

    def get_runtime_context(self) -> Any:
        raise AssertionError("time assigners do not use the runtime context")


class Recorder(Trigger.OnMergeContext):
    """A trigger context recording timer calls, at a given watermark and processing time."""

    def __init__(self, watermark: int = LONG_MIN, now: int = 0) -> None:
        self.watermark = watermark
        self.now = now
        self.calls: list[tuple[str, int]] = []

    def get_current_processing_time(self) -> int:
        return self.now

    def get_metric_group(self) -> Any:
        return None

    def get_current_watermark(self) -> int:
        return self.watermark

    def register_processing_time_timer(self, time: int) -> None:
        self.calls.append(("register processing", time))

    def register_event_time_timer(self, time: int) -> None:
        self.calls.append(("register event", time))

    def delete_processing_time_timer(self, time: int) -> None:
        self.calls.append(("delete processing", time))

    def delete_event_time_timer(self, time: int) -> None:
        self.calls.append(("delete event", time))

    def get_partitioned_state(self, state_descriptor: Any) -> Any:
        raise AssertionError("stateless triggers use no state")

    def merge_partitioned_state(self, state_descriptor: Any) -> None:
        raise AssertionError("stateless triggers merge no state")


# -- windows ------------------------------------------------------------------------------------


def test_time_window_basics_match_pyflink() -> None:
    window = TimeWindow(0, 1000)
    assert window.max_timestamp() == 999
    assert window == TimeWindow(0, 1000)
    assert window != TimeWindow(0, 999)
    assert window != (0, 1000)
    assert hash(window) == hash(TimeWindow(0, 1000))
    assert repr(window) == "TimeWindow(start=0, end=1000)"
    assert window.intersects(TimeWindow(1000, 2000))  # touching counts
    assert not window.intersects(TimeWindow(1001, 2000))
    assert window.cover(TimeWindow(500, 1500)) == TimeWindow(0, 1500)
    assert sorted([TimeWindow(5, 9), TimeWindow(0, 9), TimeWindow(0, 3)]) == [
        TimeWindow(0, 3),
        TimeWindow(0, 9),
        TimeWindow(5, 9),
    ]
    assert TimeWindow(0, 3) <= TimeWindow(0, 3)
    with pytest.raises(TypeError):
        _ = TimeWindow(0, 3) < 5  # type: ignore[operator]


def test_time_window_hash_is_pyflinks() -> None:
    # PyFlink: start + mod_inverse((end << 1) + 1) in Python ints; hash() reduces it.
    x = (1000 << 1) + 1
    inverse = x * x * x
    for _ in range(3):
        inverse *= 2 - x * inverse
    assert hash(TimeWindow(7, 1000)) == hash(7 + inverse)


def test_count_and_global_windows() -> None:
    assert CountWindow(3) == CountWindow(3) != CountWindow(4)
    assert CountWindow(3).max_timestamp() == LONG_MAX
    assert repr(CountWindow(3)) == "CountWindow(id=3)"
    assert GlobalWindow.get() == GlobalWindow()
    assert hash(GlobalWindow()) == 0
    assert GlobalWindow().max_timestamp() == LONG_MAX
    assert repr(GlobalWindow()) == "GlobalWindow"


def test_window_serializers_use_flinks_layout() -> None:
    stream = io.BytesIO()
    TimeWindowSerializer().serialize(TimeWindow(-1, 1000), stream)
    CountWindowSerializer().serialize(CountWindow(5), stream)
    GlobalWindowSerializer().serialize(GlobalWindow(), stream)
    data = stream.getvalue()
    assert data == (b"\xff" * 8 + (1000).to_bytes(8, "big") + (5).to_bytes(8, "big") + b"\x00")
    stream.seek(0)
    assert TimeWindowSerializer().deserialize(stream) == TimeWindow(-1, 1000)
    assert CountWindowSerializer().deserialize(stream) == CountWindow(5)
    assert GlobalWindowSerializer().deserialize(stream) == GlobalWindow()


class Collect(MergingWindowAssigner.MergeCallback):
    def __init__(self) -> None:
        self.merges: list[tuple[list[TimeWindow], TimeWindow]] = []

    def merge(self, to_be_merged: Any, merge_result: Any) -> None:
        self.merges.append((sorted(to_be_merged), merge_result))


def test_merge_windows_groups_overlapping_and_touching_windows() -> None:
    collect = Collect()
    TimeWindow.merge_windows(
        [TimeWindow(10, 20), TimeWindow(0, 5), TimeWindow(5, 8), TimeWindow(30, 40)], collect
    )
    assert collect.merges == [([TimeWindow(0, 5), TimeWindow(5, 8)], TimeWindow(0, 8))]
    collect = Collect()
    TimeWindow.merge_windows([TimeWindow(0, 5), TimeWindow(3, 9), TimeWindow(8, 12)], collect)
    assert collect.merges == [
        ([TimeWindow(0, 5), TimeWindow(3, 9), TimeWindow(8, 12)], TimeWindow(0, 12))
    ]


# -- assigners ----------------------------------------------------------------------------------


def test_tumbling_windows_follow_flinks_formula() -> None:
    assigner = TumblingEventTimeWindows.of(Time.seconds(5))
    assert assigner.assign_windows("x", 0, Clock()) == [TimeWindow(0, 5000)]
    assert assigner.assign_windows("x", 4999, Clock()) == [TimeWindow(0, 5000)]
    assert assigner.assign_windows("x", 5000, Clock()) == [TimeWindow(5000, 10000)]
    assert assigner.assign_windows("x", -1, Clock()) == [TimeWindow(-5000, 0)]
    shifted = TumblingEventTimeWindows.of(Time.hours(1), Time.minutes(15))
    assert shifted.assign_windows("x", 0, Clock()) == [TimeWindow(-2_700_000, 900_000)]
    assert TimeWindow.get_window_start_with_offset(1500, 0, 1000) == 1000
    assert repr(shifted) == "TumblingEventTimeWindows(3600000, 900000)"
    assert assigner.is_event_time()
    assert isinstance(assigner.get_default_trigger(None), EventTimeTrigger)
    assert isinstance(assigner.get_window_serializer(), TimeWindowSerializer)


@given(
    timestamp=st.integers(-(10**15), 10**15),
    size=st.integers(1, 10**9),
    offset_fraction=st.floats(-0.99, 0.99),
)
def test_a_tumbling_window_holds_its_timestamp(
    timestamp: int, size: int, offset_fraction: float
) -> None:
    offset = int(size * offset_fraction)
    (window,) = TumblingEventTimeWindows(size, offset).assign_windows("x", timestamp, Clock())
    assert window.start <= timestamp <= window.max_timestamp()
    assert window.end - window.start == size
    assert (window.start - offset) % size == 0


def test_sliding_windows_include_negative_starts() -> None:
    assigner = SlidingEventTimeWindows.of(Time.seconds(2), Time.seconds(1))
    assert assigner.assign_windows("x", 0, Clock()) == [
        TimeWindow(0, 2000),
        TimeWindow(-1000, 1000),
    ]
    assert assigner.assign_windows("x", 1999, Clock()) == [
        TimeWindow(1000, 3000),
        TimeWindow(0, 2000),
    ]
    assert repr(assigner) == "SlidingEventTimeWindows(2000, 1000, 0)"


@given(
    timestamp=st.integers(-(10**12), 10**12),
    slide=st.integers(1, 1000),
    panes=st.integers(1, 5),
    extra=st.integers(0, 999),
)
def test_sliding_windows_are_every_grid_window_holding_the_timestamp(
    timestamp: int, slide: int, panes: int, extra: int
) -> None:
    size = slide * panes + extra % slide
    windows = SlidingEventTimeWindows(size, slide, 0).assign_windows("x", timestamp, Clock())
    starts = [w.start for w in windows]
    assert starts == sorted(starts, reverse=True)
    assert all(w.start <= timestamp <= w.max_timestamp() and w.start % slide == 0 for w in windows)
    expected = {
        start
        for start in range(timestamp - size - slide, timestamp + slide)
        if start % slide == 0 and start <= timestamp < start + size
    }
    assert set(starts) == expected


def test_processing_time_assigners_use_the_clock() -> None:
    tumbling = TumblingProcessingTimeWindows.of(Time.seconds(1))
    assert tumbling.assign_windows("x", LONG_MIN, Clock(2500)) == [TimeWindow(2000, 3000)]
    sliding = SlidingProcessingTimeWindows.of(Time.seconds(2), Time.seconds(1))
    assert sliding.assign_windows("x", LONG_MIN, Clock(2500)) == [
        TimeWindow(2000, 4000),
        TimeWindow(1000, 3000),
    ]
    sessions = ProcessingTimeSessionWindows.with_gap(Time.seconds(1))
    assert sessions.assign_windows("x", LONG_MIN, Clock(7)) == [TimeWindow(7, 1007)]
    for assigner in (tumbling, sliding, sessions):
        assert not assigner.is_event_time()
        assert isinstance(assigner.get_default_trigger(None), ProcessingTimeTrigger)


class Gap(SessionWindowTimeGapExtractor):
    def extract(self, element: Any) -> int:
        return int(element)


def test_session_assigners() -> None:
    sessions = EventTimeSessionWindows.with_gap(Time.seconds(1))
    assert sessions.assign_windows("x", 500, Clock()) == [TimeWindow(500, 1500)]
    assert repr(sessions) == "EventTimeSessionWindows(1000)"
    assert sessions.is_event_time()
    dynamic = EventTimeSessionWindows.with_dynamic_gap(Gap())
    assert isinstance(dynamic, DynamicEventTimeSessionWindows)
    assert dynamic.assign_windows(30, 100, Clock()) == [TimeWindow(100, 130)]
    processing = DynamicProcessingTimeSessionWindows.with_dynamic_gap(Gap())
    assert processing.assign_windows(5, LONG_MIN, Clock(10)) == [TimeWindow(10, 15)]
    with pytest.raises(ValueError, match=exactly("Dynamic session time gap must satisfy 0 < gap")):
        dynamic.assign_windows(0, 100, Clock())
    collect = Collect()
    sessions.merge_windows([TimeWindow(0, 10), TimeWindow(10, 20)], collect)
    assert collect.merges == [([TimeWindow(0, 10), TimeWindow(10, 20)], TimeWindow(0, 20))]


@pytest.mark.parametrize(
    "assigner",
    [
        TumblingEventTimeWindows.of(Time.seconds(1)),
        SlidingEventTimeWindows.of(Time.seconds(2), Time.seconds(1)),
        EventTimeSessionWindows.with_gap(Time.seconds(1)),
        DynamicEventTimeSessionWindows.with_dynamic_gap(Gap()),
    ],
    ids=repr,
)
def test_event_time_assigners_refuse_records_without_timestamp(assigner: Any) -> None:
    with pytest.raises(RuntimeError, match=exactly(NO_TIMESTAMP_MESSAGE)):
        assigner.assign_windows(1, LONG_MIN, Clock())


@pytest.mark.parametrize(
    ("create", "message"),
    [
        (
            lambda: TumblingEventTimeWindows.of(Time.seconds(1), Time.seconds(1)),
            "TumblingEventTimeWindows parameters must satisfy abs(offset) < size",
        ),
        (
            lambda: TumblingProcessingTimeWindows.of(Time.seconds(1), Time.seconds(-2)),
            "TumblingProcessingTimeWindows parameters must satisfy abs(offset) < size",
        ),
        (
            lambda: SlidingEventTimeWindows.of(Time.seconds(0), Time.seconds(1)),
            "SlidingEventTimeWindows parameters must satisfy abs(offset) < slide and size > 0",
        ),
        (
            lambda: SlidingProcessingTimeWindows.of(
                Time.seconds(2), Time.seconds(1), Time.seconds(1)
            ),
            "SlidingProcessingTimeWindows parameters must satisfy abs(offset) < slide and size > 0",
        ),
        (
            lambda: EventTimeSessionWindows.with_gap(Time.seconds(0)),
            "EventTimeSessionWindows parameters must satisfy 0 < size",
        ),
        (
            lambda: ProcessingTimeSessionWindows.with_gap(Time.seconds(-1)),
            "ProcessingTimeSessionWindows parameters must satisfy 0 < size",
        ),
    ],
)
def test_invalid_assigner_parameters_raise_pyflinks_messages(create: Any, message: str) -> None:
    with pytest.raises(ValueError, match=exactly(message)):
        create()


def test_time_arguments_must_be_time() -> None:
    with pytest.raises(TypeError, match="size must be a Time"):
        TumblingEventTimeWindows.of(Duration.of_seconds(5))  # type: ignore[arg-type]


def test_global_windows() -> None:
    assigner = GlobalWindows.create()
    assert assigner.assign_windows("x", LONG_MIN, Clock()) == [GlobalWindow()]
    assert isinstance(assigner.get_default_trigger(None), NeverTrigger)
    assert not assigner.is_event_time()
    assert repr(assigner) == "GlobalWindows()"


class Counters(WindowAssigner.WindowAssignerContext):
    """An assigner context whose runtime context keeps one counter (one key)."""

    class _State:
        def __init__(self) -> None:
            self.stored: Any = None

        def value(self) -> Any:
            return self.stored

        def update(self, value: Any) -> None:
            self.stored = value

    def __init__(self) -> None:
        self.states: dict[str, Counters._State] = {}

    def get_current_processing_time(self) -> int:
        return 0

    def get_runtime_context(self) -> Any:
        return self

    def get_state(self, descriptor: Any) -> Any:
        return self.states.setdefault(descriptor.get_name(), Counters._State())


def test_count_tumbling_assigner_numbers_windows_per_count() -> None:
    assigner = CountTumblingWindowAssigner.of(2)
    context = Counters()
    assert [assigner.assign_windows("x", LONG_MIN, context) for _ in range(5)] == [
        [CountWindow(0)],
        [CountWindow(0)],
        [CountWindow(1)],
        [CountWindow(1)],
        [CountWindow(2)],
    ]
    assert isinstance(assigner.get_default_trigger(None), CountTrigger)
    assert repr(assigner) == "CountTumblingWindowAssigner(2)"


def test_count_sliding_assigner_gives_each_element_its_windows_newest_first() -> None:
    assigner = CountSlidingWindowAssigner.of(3, 2)
    context = Counters()
    assert [assigner.assign_windows("x", LONG_MIN, context) for _ in range(6)] == [
        [CountWindow(0)],
        [CountWindow(0)],
        [CountWindow(1), CountWindow(0)],
        [CountWindow(1)],
        [CountWindow(2), CountWindow(1)],
        [CountWindow(2)],
    ]


# -- triggers -----------------------------------------------------------------------------------


def test_trigger_result_members_are_pyflinks() -> None:
    assert {m.name: m.value for m in TriggerResult} == {
        "CONTINUE": (False, False),
        "FIRE_AND_PURGE": (True, True),
        "FIRE": (True, False),
        "PURGE": (False, True),
    }
    assert TriggerResult.FIRE_AND_PURGE.is_fire() and TriggerResult.FIRE_AND_PURGE.is_purge()
    assert not TriggerResult.CONTINUE.is_fire()


def test_event_time_trigger() -> None:
    trigger = EventTimeTrigger.create()
    window = TimeWindow(0, 1000)
    context = Recorder(watermark=998)
    assert trigger.on_element("x", 5, window, context) is TriggerResult.CONTINUE
    assert context.calls == [("register event", 999)]
    context.watermark = 999
    assert trigger.on_element("x", 5, window, context) is TriggerResult.FIRE
    assert trigger.on_event_time(999, window, context) is TriggerResult.FIRE
    assert trigger.on_event_time(998, window, context) is TriggerResult.CONTINUE
    assert trigger.on_processing_time(999, window, context) is TriggerResult.CONTINUE
    context.calls.clear()
    trigger.on_merge(TimeWindow(0, 2000), context)
    trigger.on_merge(TimeWindow(0, 900), context)  # already passed: no timer
    trigger.clear(window, context)
    assert context.calls == [("register event", 1999), ("delete event", 999)]
    assert trigger.can_merge()


def test_processing_time_trigger() -> None:
    trigger = ProcessingTimeTrigger.create()
    window = TimeWindow(0, 1000)
    context = Recorder(now=500)
    assert trigger.on_element("x", LONG_MIN, window, context) is TriggerResult.CONTINUE
    assert trigger.on_processing_time(999, window, context) is TriggerResult.FIRE
    assert trigger.on_event_time(999, window, context) is TriggerResult.CONTINUE
    trigger.on_merge(TimeWindow(0, 400), context)  # already passed: no timer
    trigger.clear(window, context)
    assert context.calls == [("register processing", 999), ("delete processing", 999)]


def test_purging_trigger_turns_fire_into_fire_and_purge() -> None:
    trigger = PurgingTrigger.of(EventTimeTrigger())
    window = TimeWindow(0, 1000)
    context = Recorder(watermark=0)
    assert trigger.on_element("x", 5, window, context) is TriggerResult.CONTINUE
    assert trigger.on_event_time(999, window, context) is TriggerResult.FIRE_AND_PURGE
    assert trigger.can_merge()
    assert not PurgingTrigger.of(NeverTrigger()).can_merge()
    assert repr(trigger) == "PurgingTrigger(EventTimeTrigger())"


def test_never_trigger_and_continuous_trigger_factories() -> None:
    context = Recorder()
    never = NeverTrigger()
    assert never.on_element("x", 0, GlobalWindow(), context) is TriggerResult.CONTINUE
    assert not never.can_merge()
    assert ContinuousEventTimeTrigger.of(Time.seconds(1)).interval == 1000
    assert ContinuousProcessingTimeTrigger.of(Time.seconds(2)).interval == 2000
    assert CountTrigger.of(3).can_merge()


# -- the windowed streams -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def client_parallelism() -> Iterator[None]:
    previous = get_client_options()
    set_client_options(parallelism=2)
    yield
    set_client_options(parallelism=previous.parallelism, target=previous.target)


@pytest.fixture
def source() -> DataStream:
    env = StreamExecutionEnvironment.get_execution_environment()
    return env.from_collection([("a", 1), ("b", 2)])


def first(value: Any) -> Any:
    return value[0]


class Sum(AggregateFunction):
    def create_accumulator(self) -> Any:
        return 0

    def add(self, value: Any, accumulator: Any) -> Any:
        return accumulator + value[1]

    def get_result(self, accumulator: Any) -> Any:
        return accumulator

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        return acc_a + acc_b


class Keyed(WindowFunction):
    def apply(self, key: Any, window: Any, inputs: Any) -> Any:
        return [key]


class KeyedProcess(ProcessWindowFunction):
    def process(self, key: Any, context: Any, elements: Any) -> Any:
        return [key]


class All(AllWindowFunction):
    def apply(self, window: Any, inputs: Any) -> Any:
        return list(inputs)


class AllProcess(ProcessAllWindowFunction):
    def process(self, context: Any, elements: Any) -> Any:
        return list(elements)


def window_operator(stream: DataStream) -> tuple[OneInputTransformation, WindowOperatorFactory]:
    transformation = stream._transformation
    assert isinstance(transformation, OneInputTransformation)
    factory = transformation.operator_factory
    assert isinstance(factory, WindowOperatorFactory)
    return transformation, factory


def test_window_records_a_keyed_operator_named_after_the_assigner(source: DataStream) -> None:
    keyed = source.key_by(first, key_type=Types.STRING())
    windowed = keyed.window(TumblingEventTimeWindows.of(Time.seconds(5)))
    assert isinstance(windowed, WindowedStream)
    assert windowed.get_input_type() == keyed.get_type()
    result = windowed.reduce(lambda a, b: (a[0], a[1] + b[1]))
    transformation, factory = window_operator(result)
    assert transformation.name == "TumblingEventTimeWindows"
    assert transformation.description == (
        "Window(TumblingEventTimeWindows(5000, 0), EventTimeTrigger, function)"
    )
    assert isinstance(transformation.input, PartitionTransformation)
    assert transformation.input.partitioner.strategy is ShipStrategy.HASH
    assert transformation.state_key_selector is first
    assert transformation.state_key_type == Types.STRING()
    assert transformation.parallelism == PARALLELISM_DEFAULT
    assert result.get_type() == source.get_type()  # reduce keeps the input type
    assert (factory.contents, factory.allowed_lateness) == ("reduce", 0)
    assert isinstance(factory.trigger, EventTimeTrigger)
    assert isinstance(factory.window_function, PassThroughWindowFunction)
    assert factory.late_data_output_tag is None


def test_window_function_kinds_and_descriptions(source: DataStream) -> None:
    windowed = source.key_by(first).window(EventTimeSessionWindows.with_gap(Time.seconds(1)))
    aggregated = windowed.aggregate(Sum(), KeyedProcess(), output_type=Types.LONG())
    transformation, factory = window_operator(aggregated)
    assert transformation.description == (
        "Window(EventTimeSessionWindows(1000), EventTimeTrigger, Sum, KeyedProcess)"
    )
    assert transformation.output_type == Types.LONG()
    assert (factory.contents, type(factory.contents_function)) == ("aggregate", Sum)
    _, factory = window_operator(windowed.apply(Keyed()))
    assert (factory.contents, type(factory.window_function)) == ("list", Keyed)
    transformation, factory = window_operator(windowed.process(KeyedProcess(), Types.STRING()))
    assert (factory.contents, transformation.output_type) == ("list", Types.STRING())
    # reduce with a window function: the output type is the function's (pickled if None)
    assert window_operator(windowed.reduce(lambda a, b: a, Keyed()))[0].output_type is None


def test_windowed_stream_settings(source: DataStream) -> None:
    tag = OutputTag("late", Types.STRING())
    windowed = (
        source.key_by(first)
        .window(TumblingEventTimeWindows.of(Time.seconds(1)))
        .trigger(PurgingTrigger.of(CountTrigger.of(2)))
        .allowed_lateness(500)
        .side_output_late_data(tag)
    )
    transformation, factory = window_operator(windowed.process(KeyedProcess()))
    assert isinstance(factory.trigger, PurgingTrigger)
    assert factory.allowed_lateness == 500
    assert factory.late_data_output_tag is tag
    assert transformation.description is not None
    assert "PurgingTrigger" in transformation.description


def test_windowed_stream_refusals(source: DataStream) -> None:
    keyed = source.key_by(first)
    with pytest.raises(TypeError, match="window_assigner must be a WindowAssigner"):
        keyed.window(Time.seconds(5))  # type: ignore[arg-type]
    sessions = keyed.window(EventTimeSessionWindows.with_gap(Time.seconds(1)))
    with pytest.raises(
        TypeError,
        match=exactly(
            "A merging window assigner cannot be used with a trigger that does not support merging."
        ),
    ):
        sessions.trigger(NeverTrigger())
    with pytest.raises(ValueError, match=exactly("The allowed lateness cannot be negative.")):
        sessions.allowed_lateness(-1)
    with pytest.raises(TypeError, match="side_output_late_data expects an OutputTag"):
        sessions.side_output_late_data("late")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=exactly("window_function should be a WindowFunction or ProcessWindowFunction"),
    ):
        sessions.reduce(lambda a, b: a, All())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be an instance of ProcessWindowFunction"):
        sessions.process(Keyed())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be an AggregateFunction"):
        sessions.aggregate(lambda a, b: a)  # type: ignore[arg-type]


def test_count_window_purges_each_window_when_it_fires(source: DataStream) -> None:
    keyed = source.key_by(first)
    transformation, factory = window_operator(keyed.count_window(3).reduce(lambda a, b: a))
    assert transformation.name == "CountTumblingWindowAssigner"
    assert isinstance(factory.assigner, CountTumblingWindowAssigner)
    assert isinstance(factory.trigger, PurgingTrigger)
    assert isinstance(factory.trigger.nested_trigger, CountTrigger)
    transformation, factory = window_operator(keyed.count_window(3, 2).apply(Keyed()))
    assert transformation.name == "CountSlidingWindowAssigner"
    assert repr(factory.assigner) == "CountSlidingWindowAssigner(3, 2)"


def test_window_all_keys_everything_with_one_constant_key(source: DataStream) -> None:
    all_windowed = source.window_all(TumblingEventTimeWindows.of(Time.seconds(1)))
    assert isinstance(all_windowed, AllWindowedStream)
    transformation, factory = window_operator(all_windowed.process(AllProcess()))
    # PyFlink keeps the default parallelism; the constant key puts every element on one subtask.
    assert transformation.parallelism == PARALLELISM_DEFAULT
    assert isinstance(transformation.state_key_selector, NullByteKeySelector)
    assert transformation.state_key_selector.get_key("anything") == 0
    assert transformation.description == (
        "AllWindow(TumblingEventTimeWindows(1000, 0), EventTimeTrigger, AllProcess)"
    )
    _, factory = window_operator(all_windowed.reduce(lambda a, b: a))
    assert isinstance(factory.window_function, PassThroughAllWindowFunction)
    _, factory = window_operator(all_windowed.apply(All()))
    assert factory.contents == "list"
    with pytest.raises(
        TypeError,
        match=exactly("window_function should be a AllWindowFunction or ProcessAllWindowFunction"),
    ):
        all_windowed.aggregate(Sum(), Keyed())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be an instance of AllWindowFunction"):
        all_windowed.apply(Keyed())  # type: ignore[arg-type]
