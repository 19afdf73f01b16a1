"""What the window operator hands user code: the trigger context, the assigner context, the
window function contexts, and the call of the window function itself.

Each context is one object per operator, re-pointed at the current pane (the key is the key
context's; the window is set by the operator) before each call, as in Flink and PyFlink: a
context is only valid during the call it is passed to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.operators.window_state import (
    MergingWindowStateStore,
    PerWindowStateStore,
    WindowScopedState,
)
from kolk._runtime.time.timer_service import InternalTimerService
from kolk.datastream.evictor import EvictorContext
from kolk.datastream.functions import (
    AllWindowFunction,
    KeyedStateStore,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    RuntimeContext,
    WindowFunction,
)
from kolk.datastream.state import State, StateDescriptor
from kolk.datastream.window import Trigger, WindowAssigner

__all__ = [
    "AssignerContext",
    "TriggerContext",
    "WindowFunctionCall",
]

#: What ``window_state()`` returns: per-window state, or the refusal of merging windows.
WindowStateStore = PerWindowStateStore | MergingWindowStateStore


class TriggerContext(Trigger.OnMergeContext):
    """The context of every trigger method: timers and state of (current key, :attr:`window`).

    Timers are registered in the operator's timer service with the window as namespace, so
    they fire back for this pane. During ``on_merge``, :attr:`merged_windows` holds the
    windows merged into :attr:`window`.
    """

    def __init__(self, timers: InternalTimerService, scoped: WindowScopedState) -> None:
        self._timers = timers
        self._scoped = scoped
        self.window: Any = None
        self.merged_windows: Any = None

    def get_current_processing_time(self) -> int:
        return self._timers.current_processing_time()

    def get_metric_group(self) -> Any:
        raise NotImplementedError(
            "Trigger.TriggerContext.get_metric_group is not supported by kolk yet"
        )

    def get_current_watermark(self) -> int:
        return self._timers.current_watermark

    def register_processing_time_timer(self, time: int) -> None:
        self._timers.register_processing_time_timer(self.window, time)

    def register_event_time_timer(self, time: int) -> None:
        self._timers.register_event_time_timer(self.window, time)

    def delete_processing_time_timer(self, time: int) -> None:
        self._timers.delete_processing_time_timer(self.window, time)

    def delete_event_time_timer(self, time: int) -> None:
        self._timers.delete_event_time_timer(self.window, time)

    def get_partitioned_state(self, state_descriptor: StateDescriptor) -> State:
        self._scoped.scope(self.window)
        return self._scoped.state(state_descriptor)

    def merge_partitioned_state(self, state_descriptor: StateDescriptor) -> None:
        if self.merged_windows:
            self._scoped.merge(state_descriptor, self.window, list(self.merged_windows))


class AssignerContext(WindowAssigner.WindowAssignerContext):
    """The context of ``assign_windows``: processing time, and the runtime context (whose
    keyed state is the current key's: the count assigners keep their counters there)."""

    def __init__(self, timers: InternalTimerService, runtime_context: RuntimeContext) -> None:
        self._timers = timers
        self._runtime_context = runtime_context

    def get_current_processing_time(self) -> int:
        return self._timers.current_processing_time()

    def get_runtime_context(self) -> RuntimeContext:
        return self._runtime_context


class _ProcessWindowContext(ProcessWindowFunction.Context[Any]):
    """``ProcessWindowFunction.Context``: the window, time, per-window and per-key state."""

    def __init__(
        self,
        timers: InternalTimerService,
        window_state: WindowStateStore,
        global_state: KeyedStateStore,
    ) -> None:
        self._timers = timers
        self._window_state = window_state
        self._global_state = global_state
        self._window: Any = None

    def window(self) -> Any:
        return self._window

    def current_processing_time(self) -> int:
        return self._timers.current_processing_time()

    def current_watermark(self) -> int:
        return self._timers.current_watermark

    def window_state(self) -> KeyedStateStore:
        self._window_state.window = self._window
        return self._window_state

    def global_state(self) -> KeyedStateStore:
        return self._global_state


class _ProcessAllWindowContext(ProcessAllWindowFunction.Context[Any]):
    """``ProcessAllWindowFunction.Context``: the window, per-window and global state."""

    def __init__(self, window_state: WindowStateStore, global_state: KeyedStateStore) -> None:
        self._window_state = window_state
        self._global_state = global_state
        self._window: Any = None

    def window(self) -> Any:
        return self._window

    def window_state(self) -> KeyedStateStore:
        self._window_state.window = self._window
        return self._window_state

    def global_state(self) -> KeyedStateStore:
        return self._global_state


class WindowFunctionCall:
    """Calls the user's window function for a fired pane (PyFlink's ``InternalWindowFunction``
    family in one class).

    Args:
        function: a ``WindowFunction``, ``ProcessWindowFunction``, ``AllWindowFunction`` or
            ``ProcessAllWindowFunction``.
        single_value: the contents are one value (after ``reduce``/``aggregate``), handed to
            the function as a one-element list; else they are the list of elements.
        timers: the operator's timer service (time for the process contexts).
        window_state: the ``window_state()`` store.
        runtime_context: the ``global_state()`` store.

    Raises:
        TypeError: ``function`` is none of the four window function kinds.
    """

    def __init__(
        self,
        function: Any,
        single_value: bool,
        timers: InternalTimerService,
        window_state: WindowStateStore,
        runtime_context: StreamingRuntimeContext,
    ) -> None:
        self.function = function
        self._single_value = single_value
        self._context: Any = None
        if isinstance(function, ProcessWindowFunction):
            self._context = _ProcessWindowContext(timers, window_state, runtime_context)
        elif isinstance(function, ProcessAllWindowFunction):
            self._context = _ProcessAllWindowContext(window_state, runtime_context)
        elif not isinstance(function, (WindowFunction, AllWindowFunction)):
            raise TypeError(
                "window_function should be a WindowFunction, ProcessWindowFunction, "
                f"AllWindowFunction or ProcessAllWindowFunction, got {type(function).__name__}"
            )

    def process(self, key: Any, window: Any, contents: Any) -> Iterable[Any] | None:
        """The function's outputs for the pane (None: none)."""
        inputs = [contents] if self._single_value else contents
        function = self.function
        context = self._context
        if context is not None:
            context._window = window
            if isinstance(function, ProcessWindowFunction):
                return function.process(key, context, inputs)  # type: ignore[no-any-return]
            return function.process(context, inputs)  # type: ignore[no-any-return]
        if isinstance(function, WindowFunction):
            return function.apply(key, window, inputs)  # type: ignore[no-any-return]
        return function.apply(window, inputs)  # type: ignore[no-any-return]

    def clear(self, window: Any) -> None:
        """The window expired: a process function's ``clear(context)``."""
        context = self._context
        if context is not None:
            context._window = window
            self.function.clear(context)


class WindowEvictorContext(EvictorContext):
    """What an evictor sees: the operator's clock and watermark."""

    def __init__(self, timers: InternalTimerService) -> None:
        self._timers = timers

    def get_current_processing_time(self) -> int:
        return self._timers.current_processing_time()

    def get_current_watermark(self) -> int:
        return self._timers.current_watermark
