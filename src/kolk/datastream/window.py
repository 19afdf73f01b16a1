"""Windows, window assigners and triggers (mirrors ``pyflink.datastream.window``).

These are the contracts the window operator calls (``kolk._runtime.operators.window_operator``):

- a :class:`WindowAssigner` puts each element into zero or more :class:`Window` s: time
  windows (tumbling, sliding, sessions; event or processing time), count windows, or the one
  :class:`GlobalWindow`;
- a :class:`Trigger` decides, per key and window (a *pane*), when the window function runs
  (FIRE) and when the contents are dropped (PURGE), from elements and timers;
- a :class:`MergingWindowAssigner` (sessions) merges overlapping windows.

The formulas are Flink's: a tumbling window starts at ``ts - (ts - offset + size) % size``; a
sliding assigner returns every window of the slide grid that contains ``ts``, newest first,
including windows that start before 0; a window's ``max_timestamp()`` is ``end - 1``, and an
event-time window fires when the watermark reaches it; session windows ``[ts, ts + gap)`` merge
when they intersect or touch. Event-time assigners refuse records without a timestamp with
PyFlink's message.

PyFlink 2.3 has no evictors (``WindowedStream.evictor`` does not exist), so kolk has none.
Invalid parameters raise ``ValueError`` with PyFlink's wording (PyFlink raises a plain
``Exception``).
"""

from __future__ import annotations

import abc
import enum
import math
import struct
from collections.abc import Collection, Iterable
from io import BytesIO
from typing import Any, Generic, TypeVar, cast

from kolk.common import Time, Types
from kolk.datastream.functions import ReduceFunction, RuntimeContext
from kolk.datastream.state import (
    ReducingState,
    ReducingStateDescriptor,
    State,
    StateDescriptor,
    ValueStateDescriptor,
)

__all__ = [
    "ContinuousEventTimeTrigger",
    "ContinuousProcessingTimeTrigger",
    "CountSlidingWindowAssigner",
    "CountTrigger",
    "CountTumblingWindowAssigner",
    "CountWindow",
    "CountWindowSerializer",
    "DynamicEventTimeSessionWindows",
    "DynamicProcessingTimeSessionWindows",
    "EventTimeSessionWindows",
    "EventTimeTrigger",
    "GlobalWindow",
    "GlobalWindowSerializer",
    "GlobalWindows",
    "MergingWindowAssigner",
    "NeverTrigger",
    "ProcessingTimeSessionWindows",
    "ProcessingTimeTrigger",
    "PurgingTrigger",
    "SessionWindowTimeGapExtractor",
    "SlidingEventTimeWindows",
    "SlidingProcessingTimeWindows",
    "TimeWindow",
    "TimeWindowSerializer",
    "Trigger",
    "TriggerResult",
    "TumblingEventTimeWindows",
    "TumblingProcessingTimeWindows",
    "Window",
    "WindowAssigner",
]

T = TypeVar("T")
W = TypeVar("W")
W2 = TypeVar("W2")

_MAX_LONG = 2**63 - 1
_MIN_LONG = -(2**63)

#: PyFlink's message for an event-time assigner given a record without a timestamp.
NO_TIMESTAMP_MESSAGE = (
    "Record has Java Long.MIN_VALUE timestamp (= no timestamp marker). Is the time "
    "characteristic set to 'ProcessingTime', or did you forget to call "
    "'data_stream.assign_timestamps_and_watermarks(...)'?"
)


def long_to_int_with_bit_mixing(x: int) -> int:
    """PyFlink's hash of a count window id (Python ints: no 64-bit wrap-around)."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB
    return x ^ (x >> 31)


def mod_inverse(x: int) -> int:
    """PyFlink's Newton iteration for the inverse of an odd ``x`` (Python ints, unbounded)."""
    inverse = x * x * x
    inverse *= 2 - x * inverse
    inverse *= 2 - x * inverse
    inverse *= 2 - x * inverse
    return inverse


# TimeWindow hashes as PyFlink's (start + mod_inverse(2 * end + 1)), so sets of windows iterate
# in PyFlink's order: merging sessions picks the same state window, and a merged window lists
# its elements in the same order. mod_inverse costs ~3 us on 1,300-bit ints, and windows of a
# stream share few ends, so the term is cached per end (bounded; cleared when full).
_END_TERMS: dict[int, int] = {}
_END_TERMS_LIMIT = 4096


def _end_term(end: int) -> int:
    term = _END_TERMS.get(end)
    if term is None:
        if len(_END_TERMS) >= _END_TERMS_LIMIT:
            _END_TERMS.clear()
        term = _END_TERMS[end] = mod_inverse((end << 1) + 1)
    return term


def _millis(time: Any, what: str) -> int:
    """The milliseconds of a ``Time`` argument.

    Raises:
        TypeError: not a ``Time`` (windows take ``pyflink.common.Time``, not ``Duration``).
    """
    if not isinstance(time, Time):
        raise TypeError(
            f"{what} must be a Time (e.g. Time.seconds(5)), got {type(time).__name__}: {time!r}"
        )
    return time.to_milliseconds()


def _check_timestamp(timestamp: Any) -> None:
    if timestamp is None or timestamp <= _MIN_LONG:
        raise RuntimeError(NO_TIMESTAMP_MESSAGE)


# -- windows --------------------------------------------------------------------------------


class Window(abc.ABC):
    """A finite bucket of elements; all of them have arrived once time passes
    :meth:`max_timestamp`."""

    @abc.abstractmethod
    def max_timestamp(self) -> int:
        """The largest timestamp that still belongs to this window."""


class TimeWindow(Window):
    """The interval ``[start, end)`` in milliseconds; ``max_timestamp()`` is ``end - 1``.

    A value: equal when start and end are, ordered by start then end, hashed as PyFlink does
    (the hash is cached, so do not change ``start`` or ``end``).
    """

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end

    def max_timestamp(self) -> int:
        return self.end - 1

    def intersects(self, other: TimeWindow) -> bool:
        """True if the windows overlap or touch (``[0, 5)`` and ``[5, 9)`` do)."""
        return self.start <= other.end and self.end >= other.start

    def cover(self, other: TimeWindow) -> TimeWindow:
        """The smallest window containing both."""
        return TimeWindow(min(self.start, other.start), max(self.end, other.end))

    @staticmethod
    def get_window_start_with_offset(timestamp: int, offset: int, window_size: int):
        """The start of the window of ``window_size`` (shifted by ``offset``) holding
        ``timestamp``: ``timestamp - (timestamp - offset + window_size) % window_size``.

        Python's ``%`` is never negative for a positive size, so this is also right for
        timestamps before the epoch (as Flink's remainder correction is).
        """
        return timestamp - (timestamp - offset + window_size) % window_size

    @staticmethod
    def merge_windows(
        windows: Iterable[TimeWindow],
        callback: MergingWindowAssigner.MergeCallback[TimeWindow],
    ) -> None:
        """Calls ``callback.merge(group, cover)`` for every group of more than one window that
        overlap or touch, scanning the windows in (start, end) order."""
        groups: list[tuple[TimeWindow, set[TimeWindow]]] = []
        current: TimeWindow | None = None
        members: set[TimeWindow] = set()
        for candidate in sorted(windows):
            if current is not None and current.intersects(candidate):
                current = current.cover(candidate)
                members.add(candidate)
                continue
            if current is not None:
                groups.append((current, members))
            current, members = candidate, {candidate}
        if current is not None:
            groups.append((current, members))
        for cover, group in groups:
            if len(group) > 1:
                callback.merge(group, cover)

    def __hash__(self) -> int:
        # Cached: a window is hashed many times per element (state and timer keys). Windows
        # are values; their start and end never change once hashed.
        try:
            return self._hash  # type: ignore[no-any-return]
        except AttributeError:
            self._hash: int = hash(self.start + _end_term(self.end))
            return self._hash

    def __eq__(self, other: object) -> bool:
        return (
            self.__class__ == other.__class__
            and self.end == other.end
            and self.start == other.start
        )

    def __lt__(self, other: TimeWindow) -> bool:
        if not isinstance(other, TimeWindow):
            raise TypeError(f"Does not support comparison with non-TimeWindow {other}")
        return (self.start, self.end) < (other.start, other.end)

    def __le__(self, other: TimeWindow) -> bool:
        return self == other or self < other

    def __repr__(self) -> str:
        return f"TimeWindow(start={self.start}, end={self.end})"


class CountWindow(Window):
    """A window numbered ``id`` by a count assigner; it has no end in time."""

    def __init__(self, id: int):
        self.id = id

    def max_timestamp(self) -> int:
        return _MAX_LONG

    def __hash__(self) -> int:
        try:  # cached, as TimeWindow's
            return self._hash  # type: ignore[no-any-return]
        except AttributeError:
            self._hash: int = hash(long_to_int_with_bit_mixing(self.id))
            return self._hash

    def __eq__(self, other: object) -> bool:
        return self.__class__ == other.__class__ and self.id == other.id

    def __repr__(self) -> str:
        return f"CountWindow(id={self.id})"


class GlobalWindow(Window):
    """The single window of :class:`GlobalWindows`; all instances are equal."""

    def __init__(self) -> None:
        pass

    @staticmethod
    def get() -> GlobalWindow:
        """Returns the global window."""
        return GlobalWindow()

    def max_timestamp(self) -> int:
        return _MAX_LONG

    def __eq__(self, other: object) -> bool:
        return self.__class__ == other.__class__

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "GlobalWindow"


_LONG = struct.Struct(">q")
_TWO_LONGS = struct.Struct(">qq")


class TimeWindowSerializer:
    """Writes a TimeWindow as Flink does: start and end as big-endian longs (16 bytes)."""

    def __init__(self) -> None:
        pass

    def serialize(self, element: TimeWindow, stream: BytesIO) -> None:
        stream.write(_TWO_LONGS.pack(element.start, element.end))

    def deserialize(self, stream: BytesIO) -> TimeWindow:
        return TimeWindow(*_TWO_LONGS.unpack(stream.read(16)))


class CountWindowSerializer:
    """Writes a CountWindow as its id, a big-endian long (8 bytes)."""

    def __init__(self) -> None:
        pass

    def serialize(self, element: CountWindow, stream: BytesIO) -> None:
        stream.write(_LONG.pack(element.id))

    def deserialize(self, stream: BytesIO) -> CountWindow:
        return CountWindow(_LONG.unpack(stream.read(8))[0])


class GlobalWindowSerializer:
    """Writes the GlobalWindow as one zero byte (Flink's format)."""

    def __init__(self) -> None:
        pass

    def serialize(self, element: GlobalWindow, stream: BytesIO) -> None:
        stream.write(b"\x00")

    def deserialize(self, stream: BytesIO) -> GlobalWindow:
        stream.read(1)
        return GlobalWindow.get()


# -- triggers -------------------------------------------------------------------------------


class TriggerResult(enum.Enum):
    """What a trigger asks of the window: its value is (fire, purge).

    FIRE runs the window function on the contents (never on an empty window) and keeps them;
    PURGE drops the contents; FIRE_AND_PURGE does both; CONTINUE does nothing.
    """

    CONTINUE = (False, False)
    FIRE_AND_PURGE = (True, True)
    FIRE = (True, False)
    PURGE = (False, True)

    def is_fire(self) -> bool:
        """True for FIRE and FIRE_AND_PURGE."""
        return self.value[0]

    def is_purge(self) -> bool:
        """True for PURGE and FIRE_AND_PURGE."""
        return self.value[1]


class Trigger(abc.ABC, Generic[T, W]):
    """Decides when a pane (the elements of one key in one window) fires or is purged.

    One trigger object serves every pane: keep state in ``ctx.get_partitioned_state(...)``
    (scoped to the current key and window), never on ``self``. A trigger used with a
    :class:`MergingWindowAssigner` must return True from :meth:`can_merge` and implement
    :meth:`on_merge`. :meth:`clear` must delete the pane's timers and state.
    """

    class TriggerContext(abc.ABC):
        """Time, timers and state of the pane a trigger method is called for."""

        @abc.abstractmethod
        def get_current_processing_time(self) -> int:
            """The current processing time in ms."""

        @abc.abstractmethod
        def get_metric_group(self) -> Any:
            """The metric group of the window operator."""

        @abc.abstractmethod
        def get_current_watermark(self) -> int:
            """The operator's current watermark."""

        @abc.abstractmethod
        def register_processing_time_timer(self, time: int) -> None:
            """Calls ``on_processing_time(time, window, ...)`` once the clock reaches ``time``."""

        @abc.abstractmethod
        def register_event_time_timer(self, time: int) -> None:
            """Calls ``on_event_time(time, window, ...)`` once the watermark reaches ``time``."""

        @abc.abstractmethod
        def delete_processing_time_timer(self, time: int) -> None:
            """Deletes the pane's processing-time timer at ``time``, if any."""

        @abc.abstractmethod
        def delete_event_time_timer(self, time: int) -> None:
            """Deletes the pane's event-time timer at ``time``, if any."""

        @abc.abstractmethod
        def get_partitioned_state(self, state_descriptor: StateDescriptor) -> State:
            """State scoped to the current key and window."""

    class OnMergeContext(TriggerContext):
        """The context of :meth:`Trigger.on_merge`."""

        @abc.abstractmethod
        def merge_partitioned_state(self, state_descriptor: StateDescriptor) -> None:
            """Merges the merged windows' state of this (mergeable) descriptor into the
            result window's."""

    @abc.abstractmethod
    def on_element(self, element: T, timestamp: int, window: W, ctx: Trigger.TriggerContext):
        """Called for every element added to a pane."""

    @abc.abstractmethod
    def on_processing_time(self, time: int, window: W, ctx: Trigger.TriggerContext):
        """Called when a processing-time timer of the pane fires."""

    @abc.abstractmethod
    def on_event_time(self, time: int, window: W, ctx: Trigger.TriggerContext):
        """Called when an event-time timer of the pane fires."""

    def can_merge(self) -> bool:
        """True if the trigger supports merging windows (then :meth:`on_merge` works)."""
        return False

    @abc.abstractmethod
    def on_merge(self, window: W, ctx: Trigger.OnMergeContext) -> None:
        """Called when windows were merged into ``window``."""

    @abc.abstractmethod
    def clear(self, window: W, ctx: Trigger.TriggerContext) -> None:
        """Deletes the pane's timers and state (the window is purged or expires)."""


class EventTimeTrigger(Trigger[Any, TimeWindow]):
    """Fires once the watermark reaches the window's ``max_timestamp()`` (at once if it
    already has: a late element of a window within its allowed lateness)."""

    def on_element(self, element, timestamp, window, ctx):
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        # Only a window the watermark has not passed needs its timer (it fired otherwise).
        if window.max_timestamp() > ctx.get_current_watermark():
            ctx.register_event_time_timer(window.max_timestamp())

    def clear(self, window, ctx) -> None:
        ctx.delete_event_time_timer(window.max_timestamp())

    @staticmethod
    def create() -> EventTimeTrigger:
        """Returns an event-time trigger."""
        return EventTimeTrigger()

    def __repr__(self) -> str:
        return "EventTimeTrigger()"


class ProcessingTimeTrigger(Trigger[Any, TimeWindow]):
    """Fires once the processing-time clock reaches the window's ``max_timestamp()``."""

    def on_element(self, element, timestamp, window, ctx):
        ctx.register_processing_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.FIRE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        if window.max_timestamp() > ctx.get_current_processing_time():
            ctx.register_processing_time_timer(window.max_timestamp())

    def clear(self, window, ctx) -> None:
        ctx.delete_processing_time_timer(window.max_timestamp())

    @staticmethod
    def create() -> ProcessingTimeTrigger:
        """Returns a processing-time trigger."""
        return ProcessingTimeTrigger()

    def __repr__(self) -> str:
        return "ProcessingTimeTrigger()"


class Min(ReduceFunction):
    """Keeps the smaller value (the next fire time of the continuous triggers)."""

    def reduce(self, value1, value2):
        return min(value1, value2)


class _ContinuousTrigger(Trigger[Any, TimeWindow]):
    """Shared part of the continuous triggers: the next fire time, kept in a reducing state
    "fire-time" (minimum), is ``interval`` after the previous one, capped at the window's
    ``max_timestamp()``; the first is aligned down to a multiple of ``interval``."""

    def __init__(self, interval: int):
        self.interval = interval
        self.state_desc = ReducingStateDescriptor("fire-time", Min(), Types.LONG())

    def _fire_time_state(self, ctx: Trigger.TriggerContext) -> ReducingState:
        return cast(ReducingState, ctx.get_partitioned_state(self.state_desc))

    def _register_timer(self, ctx: Trigger.TriggerContext, time: int) -> None:
        raise NotImplementedError

    def _delete_timer(self, ctx: Trigger.TriggerContext, time: int) -> None:
        raise NotImplementedError

    def register_next_fire_timestamp(
        self,
        time: int,
        window: TimeWindow,
        ctx: Trigger.TriggerContext,
        fire_timestamp_state: ReducingState,
    ):
        """Records and registers the fire time after ``time``."""
        next_fire_timestamp = min(time + self.interval, window.max_timestamp())
        fire_timestamp_state.add(next_fire_timestamp)
        self._register_timer(ctx, next_fire_timestamp)

    def _first_fire(self, time: int, window: TimeWindow, ctx: Trigger.TriggerContext) -> None:
        state = self._fire_time_state(ctx)
        if state.get() is None:
            self.register_next_fire_timestamp(time - time % self.interval, window, ctx, state)

    def _on_timer(self, time: int, window: TimeWindow, ctx: Trigger.TriggerContext):
        state = self._fire_time_state(ctx)
        if state.get() == time:
            state.clear()
            self.register_next_fire_timestamp(time, window, ctx, state)
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        ctx.merge_partitioned_state(self.state_desc)
        next_fire_timestamp = self._fire_time_state(ctx).get()
        if next_fire_timestamp is not None:
            self._register_timer(ctx, next_fire_timestamp)

    def clear(self, window, ctx) -> None:
        state = self._fire_time_state(ctx)
        timestamp = state.get()
        if timestamp is not None:
            self._delete_timer(ctx, timestamp)
            state.clear()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.interval})"


class ContinuousEventTimeTrigger(_ContinuousTrigger):
    """Fires every ``interval`` of event time, and once the watermark reaches the window's
    end."""

    @staticmethod
    def of(interval: Time) -> ContinuousEventTimeTrigger:
        """A trigger firing every ``interval`` of event time."""
        return ContinuousEventTimeTrigger(_millis(interval, "interval"))

    def _register_timer(self, ctx: Trigger.TriggerContext, time: int) -> None:
        ctx.register_event_time_timer(time)

    def _delete_timer(self, ctx: Trigger.TriggerContext, time: int) -> None:
        ctx.delete_event_time_timer(time)

    def on_element(self, element, timestamp, window, ctx):
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        self._first_fire(timestamp, window, ctx)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        if time == window.max_timestamp():
            return TriggerResult.FIRE
        return self._on_timer(time, window, ctx)


class ContinuousProcessingTimeTrigger(_ContinuousTrigger):
    """Fires every ``interval`` of processing time (at most until the window's end)."""

    @staticmethod
    def of(interval: Time) -> ContinuousProcessingTimeTrigger:
        """A trigger firing every ``interval`` of processing time."""
        return ContinuousProcessingTimeTrigger(_millis(interval, "interval"))

    def _register_timer(self, ctx: Trigger.TriggerContext, time: int) -> None:
        ctx.register_processing_time_timer(time)

    def _delete_timer(self, ctx: Trigger.TriggerContext, time: int) -> None:
        ctx.delete_processing_time_timer(time)

    def on_element(self, element, timestamp, window, ctx):
        self._first_fire(ctx.get_current_processing_time(), window, ctx)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return self._on_timer(time, window, ctx)

    def on_event_time(self, time, window, ctx):
        return TriggerResult.CONTINUE


class PurgingTrigger(Trigger[Any, Window]):
    """Wraps a trigger and turns each of its FIREs into FIRE_AND_PURGE."""

    def __init__(self, nested_trigger: Trigger[Any, Window]):
        self.nested_trigger = nested_trigger

    @staticmethod
    def of(nested_trigger: Trigger[Any, Window]) -> PurgingTrigger:
        """A purging version of ``nested_trigger``."""
        return PurgingTrigger(nested_trigger)

    @staticmethod
    def _purging(result: TriggerResult) -> TriggerResult:
        return TriggerResult.FIRE_AND_PURGE if result.is_fire() else result

    def on_element(self, element, timestamp, window, ctx):
        return self._purging(self.nested_trigger.on_element(element, timestamp, window, ctx))

    def on_event_time(self, time, window, ctx):
        return self._purging(self.nested_trigger.on_event_time(time, window, ctx))

    def on_processing_time(self, time, window, ctx):
        return self._purging(self.nested_trigger.on_processing_time(time, window, ctx))

    def clear(self, window, ctx) -> None:
        self.nested_trigger.clear(window, ctx)

    def can_merge(self) -> bool:
        return self.nested_trigger.can_merge()

    def on_merge(self, window, ctx) -> None:
        self.nested_trigger.on_merge(window, ctx)

    def __repr__(self) -> str:
        return f"PurgingTrigger({self.nested_trigger!r})"


def _add(value1: int, value2: int) -> int:
    return value1 + value2


class CountTrigger(Trigger[Any, CountWindow]):
    """Fires when a pane has received ``window_size`` elements since it last fired (the
    count is kept in a reducing state "count"); it never purges on its own."""

    def __init__(self, window_size: int):
        self._window_size = window_size
        self._count_state_descriptor = ReducingStateDescriptor("count", _add, Types.LONG())

    @staticmethod
    def of(window_size: int) -> CountTrigger:
        """A trigger firing every ``window_size`` elements."""
        return CountTrigger(window_size)

    def on_element(self, element, timestamp, window, ctx):
        count = cast(ReducingState, ctx.get_partitioned_state(self._count_state_descriptor))
        count.add(1)
        if count.get() >= self._window_size:
            count.clear()
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        ctx.merge_partitioned_state(self._count_state_descriptor)

    def clear(self, window, ctx) -> None:
        ctx.get_partitioned_state(self._count_state_descriptor).clear()

    def __repr__(self) -> str:
        return f"CountTrigger({self._window_size})"


class NeverTrigger(Trigger[Any, GlobalWindow]):
    """Never fires: the default trigger of :class:`GlobalWindows` (set another one)."""

    def on_element(self, element, timestamp, window, ctx):
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_merge(self, window, ctx) -> None:
        pass

    def clear(self, window, ctx) -> None:
        pass

    def __repr__(self) -> str:
        return "NeverTrigger()"


# -- assigners ------------------------------------------------------------------------------


class WindowAssigner(abc.ABC, Generic[T, W]):
    """Puts each element into zero or more windows; comes with a default trigger."""

    class WindowAssignerContext(abc.ABC):
        """What an assigner may query while assigning."""

        @abc.abstractmethod
        def get_current_processing_time(self) -> int:
            """The current processing time in ms."""

        @abc.abstractmethod
        def get_runtime_context(self) -> RuntimeContext:
            """The window operator's runtime context (keyed state of the current key)."""

    @abc.abstractmethod
    def assign_windows(
        self, element: T, timestamp: int, context: WindowAssigner.WindowAssignerContext
    ) -> Collection[W]:
        """The windows of an element with the given timestamp."""

    @abc.abstractmethod
    def get_default_trigger(self, env) -> Trigger[T, W]:
        """The trigger used when ``WindowedStream.trigger`` is not called."""

    @abc.abstractmethod
    def get_window_serializer(self) -> Any:
        """A serializer for the windows this assigner creates."""

    @abc.abstractmethod
    def is_event_time(self) -> bool:
        """True if windows follow event time (they then have a lateness and a cleanup)."""


class MergingWindowAssigner(WindowAssigner[T, W]):
    """An assigner whose windows can merge (sessions)."""

    class MergeCallback(abc.ABC, Generic[W2]):
        """Receives the merges :meth:`MergingWindowAssigner.merge_windows` decides."""

        @abc.abstractmethod
        def merge(self, to_be_merged: Iterable[W2], merge_result: W2) -> None:
            """The windows ``to_be_merged`` become ``merge_result``."""

    @abc.abstractmethod
    def merge_windows(
        self, windows: Iterable[W], callback: MergingWindowAssigner.MergeCallback[W]
    ) -> None:
        """Decides which of ``windows`` merge, reporting each merge to ``callback``."""


class _TimeWindows(WindowAssigner[Any, TimeWindow]):
    """Assigners of TimeWindows; a subclass picks the time (event or processing) by mixing in
    :class:`_EventTime` or :class:`_ProcessingTime`."""

    @abc.abstractmethod
    def _time(self, timestamp: Any, context: WindowAssigner.WindowAssignerContext) -> int:
        """The time an element is windowed by."""

    def get_window_serializer(self):
        return TimeWindowSerializer()


class _EventTime(_TimeWindows):
    """Windows by the element's timestamp; fired by the watermark."""

    def _time(self, timestamp: Any, context: WindowAssigner.WindowAssignerContext) -> int:
        _check_timestamp(timestamp)
        return cast(int, timestamp)

    def get_default_trigger(self, env):
        return EventTimeTrigger()

    def is_event_time(self) -> bool:
        return True


class _ProcessingTime(_TimeWindows):
    """Windows by the processing time when the element arrives; fired by the clock."""

    def _time(self, timestamp: Any, context: WindowAssigner.WindowAssignerContext) -> int:
        return context.get_current_processing_time()

    def get_default_trigger(self, env):
        return ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        return False


def _optional_millis(offset: Time | None) -> int:
    return 0 if offset is None else _millis(offset, "offset")


class _Tumbling(_TimeWindows):
    """Consecutive windows of ``size`` ms starting at multiples of ``size`` plus ``offset``:
    ``start = time - (time - offset + size) % size``."""

    def __init__(self, size: int, offset: int):
        if abs(offset) >= size:
            raise ValueError(f"{type(self).__name__} parameters must satisfy abs(offset) < size")
        self._size = size
        self._offset = offset

    def assign_windows(self, element, timestamp, context):
        time = self._time(timestamp, context)
        start = time - (time - self._offset + self._size) % self._size
        return [TimeWindow(start, start + self._size)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._size}, {self._offset})"


class TumblingEventTimeWindows(_Tumbling, _EventTime):
    """Consecutive, non-overlapping event-time windows of ``size`` ms (shifted by
    ``offset``)."""

    @staticmethod
    def of(size: Time, offset: Time | None = None) -> TumblingEventTimeWindows:
        """Windows of ``size``, starting at multiples of ``size`` plus ``offset``."""
        return TumblingEventTimeWindows(_millis(size, "size"), _optional_millis(offset))


class TumblingProcessingTimeWindows(_Tumbling, _ProcessingTime):
    """Consecutive, non-overlapping processing-time windows of ``size`` ms."""

    @staticmethod
    def of(size: Time, offset: Time | None = None) -> TumblingProcessingTimeWindows:
        """Windows of ``size``, starting at multiples of ``size`` plus ``offset``."""
        return TumblingProcessingTimeWindows(_millis(size, "size"), _optional_millis(offset))


class _Sliding(_TimeWindows):
    """Windows of ``size`` ms starting every ``slide`` ms: an element gets every window of
    that grid containing its time, latest start first (starts before 0 included)."""

    def __init__(self, size: int, slide: int, offset: int):
        if abs(offset) >= slide or size <= 0:
            raise ValueError(
                f"{type(self).__name__} parameters must satisfy abs(offset) < slide and size > 0"
            )
        self._size = size
        self._slide = slide
        self._offset = offset
        self._pane_size = math.gcd(size, slide)

    def assign_windows(self, element, timestamp, context):
        time = self._time(timestamp, context)
        size = self._size
        slide = self._slide
        last_start = time - (time - self._offset + slide) % slide
        return [TimeWindow(start, start + size) for start in range(last_start, time - size, -slide)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._size}, {self._slide}, {self._offset})"


class SlidingEventTimeWindows(_Sliding, _EventTime):
    """Event-time windows of ``size`` ms starting every ``slide`` ms (they may overlap; an
    element is in ``size / slide`` of them)."""

    @staticmethod
    def of(size: Time, slide: Time, offset: Time | None = None) -> SlidingEventTimeWindows:
        """Windows of ``size`` every ``slide``, shifted by ``offset``."""
        return SlidingEventTimeWindows(
            _millis(size, "size"), _millis(slide, "slide"), _optional_millis(offset)
        )


class SlidingProcessingTimeWindows(_Sliding, _ProcessingTime):
    """Processing-time windows of ``size`` ms starting every ``slide`` ms."""

    @staticmethod
    def of(size: Time, slide: Time, offset: Time | None = None) -> SlidingProcessingTimeWindows:
        """Windows of ``size`` every ``slide``, shifted by ``offset``."""
        return SlidingProcessingTimeWindows(
            _millis(size, "size"), _millis(slide, "slide"), _optional_millis(offset)
        )


class SessionWindowTimeGapExtractor(abc.ABC):
    """Gives the session gap of an element (dynamic session windows)."""

    @abc.abstractmethod
    def extract(self, element: Any) -> int:
        """The session gap for ``element``, in ms (must be > 0)."""


class _Sessions(_TimeWindows, MergingWindowAssigner[Any, TimeWindow]):
    """Sessions: an element at time ``t`` gets ``[t, t + gap)``; windows that overlap or
    touch merge."""

    _session_gap: int

    def _gap(self, element: Any) -> int:
        return self._session_gap

    def assign_windows(self, element, timestamp, context):
        time = self._time(timestamp, context)
        return [TimeWindow(time, time + self._gap(element))]

    def merge_windows(self, windows, callback) -> None:
        TimeWindow.merge_windows(windows, callback)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._session_gap})"


class _FixedGap(_Sessions):
    def __init__(self, session_gap: int):
        if session_gap <= 0:
            raise ValueError(f"{type(self).__name__} parameters must satisfy 0 < size")
        self._session_gap = session_gap


class _DynamicGap(_Sessions):
    """The gap comes from a :class:`SessionWindowTimeGapExtractor`, per element."""

    def __init__(self, session_window_time_gap_extractor: SessionWindowTimeGapExtractor):
        self._session_gap = 0
        self._session_window_time_gap_extractor = session_window_time_gap_extractor

    def _gap(self, element: Any) -> int:
        self._session_gap = self._session_window_time_gap_extractor.extract(element)
        if self._session_gap <= 0:
            raise ValueError("Dynamic session time gap must satisfy 0 < gap")
        return self._session_gap


class DynamicEventTimeSessionWindows(_DynamicGap, _EventTime):
    """Event-time sessions whose gap an extractor gives per element."""

    @staticmethod
    def with_dynamic_gap(
        extractor: SessionWindowTimeGapExtractor,
    ) -> DynamicEventTimeSessionWindows:
        """Sessions with the gap ``extractor.extract(element)``."""
        return DynamicEventTimeSessionWindows(extractor)


class DynamicProcessingTimeSessionWindows(_DynamicGap, _ProcessingTime):
    """Processing-time sessions whose gap an extractor gives per element."""

    @staticmethod
    def with_dynamic_gap(
        extractor: SessionWindowTimeGapExtractor,
    ) -> DynamicProcessingTimeSessionWindows:
        """Sessions with the gap ``extractor.extract(element)``."""
        return DynamicProcessingTimeSessionWindows(extractor)


class EventTimeSessionWindows(_FixedGap, _EventTime):
    """Event-time sessions: a key's window closes after ``gap`` ms without elements."""

    @staticmethod
    def with_gap(size: Time) -> EventTimeSessionWindows:
        """Sessions with a fixed gap."""
        return EventTimeSessionWindows(_millis(size, "size"))

    @staticmethod
    def with_dynamic_gap(
        extractor: SessionWindowTimeGapExtractor,
    ) -> DynamicEventTimeSessionWindows:
        """Sessions with the gap ``extractor.extract(element)``."""
        return DynamicEventTimeSessionWindows(extractor)


class ProcessingTimeSessionWindows(_FixedGap, _ProcessingTime):
    """Processing-time sessions: a key's window closes after ``gap`` ms without elements."""

    @staticmethod
    def with_gap(size: Time) -> ProcessingTimeSessionWindows:
        """Sessions with a fixed gap."""
        return ProcessingTimeSessionWindows(_millis(size, "size"))

    @staticmethod
    def with_dynamic_gap(
        extractor: SessionWindowTimeGapExtractor,
    ) -> DynamicProcessingTimeSessionWindows:
        """Sessions with the gap ``extractor.extract(element)``."""
        return DynamicProcessingTimeSessionWindows(extractor)


class GlobalWindows(WindowAssigner[Any, GlobalWindow]):
    """Puts every element into the one :class:`GlobalWindow`; its default trigger never
    fires, so set one (e.g. ``CountTrigger``)."""

    def __init__(self) -> None:
        pass

    def assign_windows(self, element, timestamp, context):
        return [GlobalWindow.get()]

    @staticmethod
    def create() -> GlobalWindows:
        """Returns the global window assigner."""
        return GlobalWindows()

    def get_default_trigger(self, env):
        return NeverTrigger()

    def get_window_serializer(self):
        return GlobalWindowSerializer()

    def is_event_time(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "GlobalWindows()"


def _next_count(descriptor: ValueStateDescriptor, context: Any) -> int:
    """The 0-based position of the current element among its key's (a keyed counter)."""
    state = context.get_runtime_context().get_state(descriptor)
    count = state.value() or 0
    state.update(count + 1)
    return cast(int, count)


class CountTumblingWindowAssigner(WindowAssigner[Any, CountWindow]):
    """Per key, the n-th element (from 0) goes to ``CountWindow(n // window_size)``; the
    default trigger fires each window once full."""

    def __init__(self, window_size: int):
        self._window_size = window_size
        self._count_descriptor = ValueStateDescriptor("tumble-count-assigner", Types.LONG())

    @staticmethod
    def of(window_size: int) -> CountTumblingWindowAssigner:
        """Tumbling windows of ``window_size`` elements."""
        return CountTumblingWindowAssigner(window_size)

    def assign_windows(self, element, timestamp, context):
        return [CountWindow(_next_count(self._count_descriptor, context) // self._window_size)]

    def get_default_trigger(self, env):
        return CountTrigger(self._window_size)

    def get_window_serializer(self):
        return CountWindowSerializer()

    def is_event_time(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"CountTumblingWindowAssigner({self._window_size})"


class CountSlidingWindowAssigner(WindowAssigner[Any, CountWindow]):
    """Per key, window ``i`` holds elements ``i * window_slide`` up to
    ``i * window_slide + window_size - 1`` (from 0); the n-th element goes to every such
    window, newest first. The default trigger fires every ``window_size`` elements of a
    window, so a window fires when it is full (PyFlink's assigner)."""

    def __init__(self, window_size: int, window_slide: int):
        self._window_size = window_size
        self._window_slide = window_slide
        self._count_descriptor = ValueStateDescriptor("slide-count-assigner", Types.LONG())

    @staticmethod
    def of(window_size: int, window_slide: int) -> CountSlidingWindowAssigner:
        """Windows of ``window_size`` elements, one starting every ``window_slide``."""
        return CountSlidingWindowAssigner(window_size, window_slide)

    def assign_windows(self, element, timestamp, context):
        count = _next_count(self._count_descriptor, context)
        window_id = count // self._window_slide
        start = window_id * self._window_slide
        windows = []
        while window_id >= 0 and start <= count <= start + self._window_size - 1:
            windows.append(CountWindow(window_id))
            window_id -= 1
            start -= self._window_slide
        return windows

    def get_default_trigger(self, env):
        return CountTrigger(self._window_size)

    def get_window_serializer(self):
        return CountWindowSerializer()

    def is_event_time(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"CountSlidingWindowAssigner({self._window_size}, {self._window_slide})"
