"""The window operator (Flink's ``WindowOperator``, as PyFlink 2.3 runs it in Python).

Per element (of the current key): the assigner gives its windows; a window that is already
late (event time only: ``max_timestamp() + allowed_lateness <= watermark``) is skipped; else
the element is added to the pane's contents (all elements, or reduced, or aggregated) and the
trigger's ``on_element`` decides: FIRE calls the window function on the contents (an empty
pane never fires) and emits its results with the timestamp ``window.max_timestamp()``; PURGE
empties the pane. Every pane gets a cleanup timer at its cleanup time
(``max_timestamp() + allowed_lateness`` in event time, ``max_timestamp()`` in processing
time, none if that is ``Long.MAX_VALUE``). An element skipped by all its windows and itself
late (``timestamp + allowed_lateness <= watermark``) goes to the late-data side output if
there is one, else it is dropped and counted in :attr:`WindowOperator.num_late_records_dropped`
(Flink's ``numLateRecordsDropped``).

Timers (the trigger's and the cleanup timers, namespace = window) call the trigger's
``on_event_time``/``on_processing_time`` with the same FIRE/PURGE handling; the cleanup timer
then clears the pane: contents, trigger state and timers, and the process function's
``clear``. Event-time timers fire in ``process_watermark`` in timestamp order (ties in
registration order, :class:`~kolk._runtime.time.timer_service.InternalTimerService`), before
the watermark moves on; so the final ``MAX_WATERMARK`` fires every pending window.

Merging assigners (sessions) keep a :class:`~.window_merging.MergingWindowSet` per key: a new
element's window merges with the key's in-flight windows; merged panes merge their trigger
state (``on_merge``), lose their cleanup timers, and their contents move into one state window.

Semantics follow ``WindowOperator.java`` and PyFlink's
``fn_execution/datastream/window/window_operator.py`` (``process_element`` L345-425,
``on_event_time`` L427-465, cleanup and lateness L512-559) except where PyFlink loses data:
merged reducing and aggregating panes keep every merged value, as Flink merges them (PyFlink's
bag-backed states return only the first value of a merged bag, ``state_impl.py`` L246-249).

Threading model: one operator per subtask; every call on its task's thread.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast

from kolk._runtime.errors import UserCodeError
from kolk._runtime.operators.base import InputOperator, OperatorEnvironment
from kolk._runtime.operators.window_contexts import (
    AssignerContext,
    TriggerContext,
    WindowEvictorContext,
    WindowFunctionCall,
)
from kolk._runtime.operators.window_merging import MergingWindowSet
from kolk._runtime.operators.window_state import (
    AggregateContents,
    EvictingContents,
    ListContents,
    MergingWindowStateStore,
    PerWindowStateStore,
    ReduceContents,
    WindowContents,
    WindowScopedState,
)
from kolk._runtime.time.timer_service import InternalTimer
from kolk._runtime.time.watermark import MAX_WATERMARK, NO_TIMESTAMP
from kolk.datastream.state import ValueStateDescriptor
from kolk.datastream.window import MergingWindowAssigner, Trigger, TriggerResult, WindowAssigner
from kolk.util.exceptions import KolkInternalError

__all__ = ["WindowOperator", "WindowOperatorStatistics"]

_CONTINUE = TriggerResult.CONTINUE
_FIRE = TriggerResult.FIRE
_PURGE = TriggerResult.PURGE
_FIRE_AND_PURGE = TriggerResult.FIRE_AND_PURGE
_MAX_LONG = MAX_WATERMARK
#: The keyed state holding a key's in-flight merging windows (PyFlink's name).
_MERGING_WINDOW_SET = "merging-window-set"
_RUNTIME_DIR = str(pathlib.Path(__file__).resolve().parents[1])


@dataclass(frozen=True, slots=True)
class WindowOperatorStatistics:
    """A snapshot of a window operator's counters."""

    num_late_records_dropped: int
    num_event_time_timers: int
    num_processing_time_timers: int


class WindowOperator(InputOperator):
    """Assigns elements to windows and evaluates them when their trigger fires.

    Args:
        assigner: the ``WindowAssigner``.
        trigger: the ``Trigger`` (the assigner's default one if the user set none).
        allowed_lateness: ms an event-time window is kept after its end (>= 0).
        contents: "list" (every element), "reduce" or "aggregate".
        contents_function: the ``ReduceFunction`` (or callable) / ``AggregateFunction``;
            None for "list".
        window_function: the user's (or the pass-through) window function.
        late_data_output_tag: the ``OutputTag`` late elements go to, or None (dropped and
            counted).
    """

    def __init__(
        self,
        assigner: WindowAssigner[Any, Any],
        trigger: Trigger[Any, Any],
        allowed_lateness: int,
        contents: str,
        contents_function: Any,
        window_function: Any,
        late_data_output_tag: Any = None,
        evictor: Any = None,
    ) -> None:
        if contents not in ("list", "reduce", "aggregate"):
            raise KolkInternalError(f"unknown window contents kind {contents!r}")
        self.assigner = assigner
        self.trigger = trigger
        self.allowed_lateness = allowed_lateness
        self.function = window_function
        self._contents_kind = contents
        self._contents_function = contents_function
        self._evictor = evictor
        self._late_tag_id = None if late_data_output_tag is None else late_data_output_tag.tag_id
        self._event_time = assigner.is_event_time()
        self._merging = isinstance(assigner, MergingWindowAssigner)
        #: Flink's ``numLateRecordsDropped``.
        self.num_late_records_dropped = 0
        self._out: list[Any] = []
        self._out_ts: list[Any] = []
        self._late: list[Any] = []
        self._late_ts: list[Any] = []

    def setup(self, env: OperatorEnvironment) -> None:
        """Creates the timer service, the window state and the contexts.

        Raises:
            TypeError: the operator is not keyed (it needs a key context and timers).
        """
        super().setup(env)
        if env.key_context is None or env.create_timer_service is None:
            raise TypeError(f"operator '{env.name}' needs a keyed input (key_by first)")
        self._key_context = env.key_context
        self._timers = timers = env.create_timer_service(self)
        runtime_context = env.runtime_context
        scoped = WindowScopedState(
            env.key_context, runtime_context.get_max_number_of_parallel_subtasks()
        )
        self._scoped = scoped
        self._contents: WindowContents
        if self._evictor is not None:
            self._contents = EvictingContents(
                scoped, self._contents_kind, self._contents_function, self._evictor
            )
        elif self._contents_kind == "reduce":
            self._contents = ReduceContents(scoped, self._contents_function)
        elif self._contents_kind == "aggregate":
            self._contents = AggregateContents(scoped, self._contents_function)
        else:
            self._contents = ListContents(scoped)
        window_state = MergingWindowStateStore() if self._merging else PerWindowStateStore(scoped)
        self._call = WindowFunctionCall(
            self.function, self._contents_kind != "list", timers, window_state, runtime_context
        )
        self._trigger_context = TriggerContext(timers, scoped)
        self._evictor_context = WindowEvictorContext(timers)
        self._assigner_context = AssignerContext(timers, runtime_context)
        if self._merging:
            self._window_sets = runtime_context.get_state(
                ValueStateDescriptor(_MERGING_WINDOW_SET, None)
            )
        self._process_element: Callable[[Any, int], None] = (
            self._process_merging if self._merging else self._process_aligned
        )

    def open(self) -> None:
        self.function.open(self.env.runtime_context)

    def close(self) -> None:
        self.function.close()

    def statistics(self) -> WindowOperatorStatistics:
        """A frozen snapshot of the operator's counters."""
        timers = self._timers
        return WindowOperatorStatistics(
            self.num_late_records_dropped,
            timers.num_event_time_timers(),
            timers.num_processing_time_timers(),
        )

    # -- input ----------------------------------------------------------------------------------

    def process_batch(
        self,
        records: list[Any],
        keys: list[Any],
        key_groups: list[int],
        timestamps: list[Any] | None,
    ) -> None:
        key_context = self._key_context
        process = self._process_element
        try:
            if timestamps is None:
                for value, key, key_group in zip(records, keys, key_groups, strict=True):
                    key_context.key = key
                    key_context.key_group = key_group
                    process(value, NO_TIMESTAMP)
            else:
                for value, key, key_group, ts in zip(
                    records, keys, key_groups, timestamps, strict=True
                ):
                    key_context.key = key
                    key_context.key_group = key_group
                    process(value, NO_TIMESTAMP if ts is None else ts)
        except Exception as exc:
            raise self._failure(exc) from exc
        finally:
            key_context.clear()
        self._flush()

    def process_watermark(self, watermark: int) -> None:
        try:
            self._timers.advance_watermark(watermark)
        except Exception as exc:
            raise self._failure(exc) from exc
        self._flush()

    # -- timers (Triggerable) -------------------------------------------------------------------

    def on_event_time(self, timer: InternalTimer) -> None:
        """An event-time timer of a pane fired (inside :meth:`process_watermark`)."""
        self._on_timer(timer, True)

    def on_processing_time(self, timer: InternalTimer) -> None:
        """A processing-time timer of a pane fired; its results are emitted at once."""
        try:
            self._on_timer(timer, False)
        except Exception as exc:
            raise self._failure(exc) from exc
        self._flush()

    def _on_timer(self, timer: InternalTimer, event_time: bool) -> None:
        window = timer.namespace
        context = self._trigger_context
        context.window = window
        window_set = None
        state_window = window
        if self._merging:
            window_set = self._window_set()
            state_window = window_set.get_state_window(window)
            if state_window is None:
                # The window merged or was cleaned up; a trigger left this timer behind.
                return
        if event_time:
            result = self.trigger.on_event_time(timer.timestamp, window, context)
        else:
            result = self.trigger.on_processing_time(timer.timestamp, window, context)
        if result is not _CONTINUE:
            self._act(result, window, state_window)
        if event_time == self._event_time and timer.timestamp == self._cleanup_time(window):
            self._clear_all_state(window, state_window, window_set)
        if window_set is not None:
            self._store(window_set)

    # -- elements -------------------------------------------------------------------------------

    def _process_aligned(self, value: Any, timestamp: int) -> None:
        """One element, with a non-merging assigner: each window is its own state window."""
        windows = self.assigner.assign_windows(value, timestamp, self._assigner_context)
        skipped = True
        scope = self._scoped.scope
        contents = self._contents
        context = self._trigger_context
        for window in windows:
            if self._is_window_late(window):
                continue
            skipped = False
            scope(window)
            contents.add(value, timestamp)
            context.window = window
            result = self.trigger.on_element(value, timestamp, window, context)
            if result is not _CONTINUE and not self._act(result, window, window):
                continue
            self._register_cleanup_timer(window)
        if skipped and self._is_element_late(timestamp):
            self._late_element(value, timestamp)

    def _process_merging(self, value: Any, timestamp: int) -> None:
        """One element, with a merging assigner: its windows merge with in-flight ones."""
        windows = self.assigner.assign_windows(value, timestamp, self._assigner_context)
        window_set = self._window_set()
        skipped = True
        contents = self._contents
        context = self._trigger_context
        for window in windows:
            actual = window_set.add_window(window, self._merge)
            if self._is_window_late(actual):
                window_set.retire_window(actual)
                continue
            skipped = False
            state_window = window_set.get_state_window(actual)
            if state_window is None:
                raise KolkInternalError(f"Window {actual} is not in in-flight window set.")
            self._scoped.scope(state_window)
            contents.add(value, timestamp)
            context.window = actual
            result = self.trigger.on_element(value, timestamp, actual, context)
            if result is not _CONTINUE and not self._act(result, actual, state_window):
                continue
            self._register_cleanup_timer(actual)
        self._store(window_set)
        if skipped and self._is_element_late(timestamp):
            self._late_element(value, timestamp)

    def _late_element(self, value: Any, timestamp: int) -> None:
        """An element late for all its windows: to the late side output, else dropped."""
        if self._late_tag_id is None:
            self.num_late_records_dropped += 1
        else:
            self._late.append(value)
            self._late_ts.append(timestamp)

    def _act(self, result: TriggerResult, window: Any, state_window: Any) -> bool:
        """Carries out a FIRE and/or PURGE; False if a FIRE found the pane empty (Flink then
        skips the rest of the element's handling for this window)."""
        # Identity tests: TriggerResult.is_fire() reads Enum.value, a slow descriptor.
        if result is _FIRE or result is _FIRE_AND_PURGE:
            self._scoped.scope(state_window)
            contents = self._contents.get()
            if contents is None:
                return False
            if isinstance(self._contents, EvictingContents):
                context = self._evictor_context
                contents = self._contents.fire(window, context)
                if contents is not None:
                    self._emit(window, contents)
                self._scoped.scope(state_window)
                self._contents.after_fire(window, context)
            else:
                self._emit(window, contents)
        if result is _PURGE or result is _FIRE_AND_PURGE:
            self._scoped.scope(state_window)
            self._contents.clear()
        return True

    def _emit(self, window: Any, contents: Any) -> None:
        results = self._call.process(self._key_context.key, window, contents)
        if results is not None:
            timestamp = window.max_timestamp()
            append = self._out.append
            append_ts = self._out_ts.append
            for result in results:
                append(result)
                append_ts(timestamp)

    def _flush(self) -> None:
        if self._out:
            records, timestamps = self._out, self._out_ts
            self._out = []
            self._out_ts = []
            self.output(records, timestamps)
        if self._late:
            records, timestamps = self._late, self._late_ts
            self._late = []
            self._late_ts = []
            # Nobody reads the side output unless get_side_output(tag) was called (Flink
            # drops the records then too).
            side_output = (getattr(self, "side_outputs", None) or {}).get(self._late_tag_id)
            if side_output is not None:
                side_output(records, timestamps)

    # -- merging --------------------------------------------------------------------------------

    def _window_set(self) -> MergingWindowSet:
        mapping = self._window_sets.value()
        assigner = cast(MergingWindowAssigner[Any, Any], self.assigner)
        return MergingWindowSet(assigner, {} if mapping is None else mapping)

    def _store(self, window_set: MergingWindowSet) -> None:
        if window_set.mapping:
            self._window_sets.update(window_set.mapping)
        else:
            self._window_sets.clear()

    def _merge(
        self,
        merge_result: Any,
        merged_windows: Collection[Any],
        state_window_result: Any,
        merged_state_windows: list[Any],
    ) -> None:
        """Windows merged: merges their trigger state, drops their timers and moves their
        contents into the state window of the result.

        Raises:
            RuntimeError: the merge would end the window before the current time (Flink's
                ``UnsupportedOperationException``).
        """
        timers = self._timers
        if self._event_time:
            if merge_result.max_timestamp() + self.allowed_lateness <= timers.current_watermark:
                raise RuntimeError(
                    "The end timestamp of an event-time window cannot become earlier than the "
                    f"current watermark by merging. Current watermark: "
                    f"{timers.current_watermark} window: {merge_result}"
                )
        elif merge_result.max_timestamp() <= timers.current_processing_time():
            raise RuntimeError(
                "The end timestamp of a processing-time window cannot become earlier than the "
                f"current processing time by merging. Current processing time: "
                f"{timers.current_processing_time()} window: {merge_result}"
            )
        context = self._trigger_context
        context.window = merge_result
        context.merged_windows = merged_windows
        try:
            self.trigger.on_merge(merge_result, context)
        finally:
            context.merged_windows = None
        for merged in merged_windows:
            context.window = merged
            self.trigger.clear(merged, context)
            self._delete_cleanup_timer(merged)
        self._contents.merge(state_window_result, merged_state_windows)

    # -- lateness and cleanup -------------------------------------------------------------------

    def _cleanup_time(self, window: Any) -> int:
        """When a pane's state goes: its end plus the lateness (event time; capped at
        ``Long.MAX_VALUE``, Flink's overflow guard), or its end (processing time)."""
        end: int = window.max_timestamp()
        return min(end + self.allowed_lateness, _MAX_LONG) if self._event_time else end

    def _is_window_late(self, window: Any) -> bool:
        return self._event_time and self._cleanup_time(window) <= self._timers.current_watermark

    def _is_element_late(self, timestamp: int) -> bool:
        return (
            self._event_time and timestamp + self.allowed_lateness <= self._timers.current_watermark
        )

    def _register_cleanup_timer(self, window: Any) -> None:
        time = self._cleanup_time(window)
        if time == _MAX_LONG:
            return
        if self._event_time:
            self._timers.register_event_time_timer(window, time)
        else:
            self._timers.register_processing_time_timer(window, time)

    def _delete_cleanup_timer(self, window: Any) -> None:
        time = self._cleanup_time(window)
        if time == _MAX_LONG:
            return
        if self._event_time:
            self._timers.delete_event_time_timer(window, time)
        else:
            self._timers.delete_processing_time_timer(window, time)

    def _clear_all_state(
        self, window: Any, state_window: Any, window_set: MergingWindowSet | None
    ) -> None:
        """The pane expired: its contents, trigger state and timers, per-window state (the
        process function's ``clear``) and in-flight entry go."""
        self._scoped.scope(state_window)
        self._contents.clear()
        context = self._trigger_context
        context.window = window
        self.trigger.clear(window, context)
        self._call.clear(window)
        if window_set is not None:
            window_set.retire_window(window)

    # -- errors ---------------------------------------------------------------------------------

    def _failure(self, exc: Exception) -> Exception:
        """The exception to raise for one raised while processing: kolk's own as they are,
        anything else as a UserCodeError naming the function that raised."""
        if isinstance(exc, (UserCodeError, KolkInternalError)):
            return exc
        return UserCodeError(self.name, _raising_function(exc.__traceback__), exc)


def _raising_function(traceback: TracebackType | None) -> str:
    """Names the innermost frame outside kolk's runtime (the user's function, or the window
    contract that raised, such as an assigner refusing a record without timestamp), skipping
    private helpers."""
    found = "window function"
    while traceback is not None:
        frame = traceback.tb_frame
        code = frame.f_code
        if not code.co_filename.startswith(_RUNTIME_DIR) and not code.co_name.startswith("_"):
            # A method is named by its object's class (TumblingEventTimeWindows, not the
            # private base defining assign_windows).
            owner = frame.f_locals.get("self")
            qualname = (
                f"{type(owner).__qualname__}.{code.co_name}"
                if owner is not None
                else getattr(code, "co_qualname", code.co_name)
            )
            found = f"function {qualname} ({code.co_filename}:{code.co_firstlineno})"
        traceback = traceback.tb_next
    return found
