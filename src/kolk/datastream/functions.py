"""User function contracts (mirrors ``pyflink.datastream.functions``).

These are the interfaces the runtime calls. A function's ``open(runtime_context)`` is called
once per parallel subtask before its first record, ``close()`` once at the end, and only for
subtasks that received at least one record (PyFlink creates its Python workers lazily; programs
rely on it).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from kolk.datastream.state import (
        AggregatingState,
        AggregatingStateDescriptor,
        BroadcastState,
        ListState,
        ListStateDescriptor,
        MapState,
        MapStateDescriptor,
        ReadOnlyBroadcastState,
        ReducingState,
        ReducingStateDescriptor,
        ValueState,
        ValueStateDescriptor,
    )
    from kolk.datastream.time_domain import TimeDomain
    from kolk.datastream.timerservice import TimerService

__all__ = [
    "AggregateFunction",
    "AllWindowFunction",
    "BaseBroadcastProcessFunction",
    "BroadcastProcessFunction",
    "CoFlatMapFunction",
    "CoMapFunction",
    "CoProcessFunction",
    "FilterFunction",
    "FlatMapFunction",
    "Function",
    "KeySelector",
    "KeyedBroadcastProcessFunction",
    "KeyedCoProcessFunction",
    "KeyedProcessFunction",
    "KeyedStateStore",
    "MapFunction",
    "NullByteKeySelector",
    "Partitioner",
    "PassThroughAllWindowFunction",
    "PassThroughWindowFunction",
    "ProcessAllWindowFunction",
    "ProcessFunction",
    "ProcessWindowFunction",
    "ReduceFunction",
    "RuntimeContext",
    "WindowFunction",
]


class KeyedStateStore(abc.ABC):
    """Creates keyed state handles from descriptors.

    Every method returns the state registered under the descriptor's name, creating it on
    first use; its contents are scoped to the key of the element (or timer) being processed.
    """

    @abc.abstractmethod
    def get_state(self, state_descriptor: ValueStateDescriptor) -> ValueState:
        """Gets a handle to the system's key/value state."""

    @abc.abstractmethod
    def get_list_state(self, state_descriptor: ListStateDescriptor) -> ListState:
        """Gets a handle to the system's key/value list state: a list of values per key."""

    @abc.abstractmethod
    def get_map_state(self, state_descriptor: MapStateDescriptor) -> MapState:
        """Gets a handle to the system's key/value map state: a map per key."""

    @abc.abstractmethod
    def get_reducing_state(self, state_descriptor: ReducingStateDescriptor) -> ReducingState:
        """Gets a handle to the system's key/value reducing state: values added to it are
        combined with the descriptor's ReduceFunction."""

    @abc.abstractmethod
    def get_aggregating_state(
        self, state_descriptor: AggregatingStateDescriptor
    ) -> AggregatingState:
        """Gets a handle to the system's key/value aggregating state: values added to it are
        aggregated with the descriptor's AggregateFunction."""


class RuntimeContext(KeyedStateStore):
    """What a function sees of the subtask it runs in (passed to ``open``)."""

    @abc.abstractmethod
    def get_task_name(self) -> str:
        """Returns the name of the task in which the UDF runs."""

    @abc.abstractmethod
    def get_number_of_parallel_subtasks(self) -> int:
        """Gets the parallelism with which the parallel task runs."""

    @abc.abstractmethod
    def get_max_number_of_parallel_subtasks(self) -> int:
        """Gets the number of max-parallelism with which the parallel task runs."""

    @abc.abstractmethod
    def get_index_of_this_subtask(self) -> int:
        """Gets the number of this parallel subtask, from 0 to parallelism - 1."""

    @abc.abstractmethod
    def get_attempt_number(self) -> int:
        """Gets the attempt number of this parallel subtask (0 for the first attempt)."""

    @abc.abstractmethod
    def get_task_name_with_subtasks(self) -> str:
        """Returns the task name with the subtask index, e.g. ``"MyTask (3/6)"``."""

    @abc.abstractmethod
    def get_job_parameter(self, key: str, default_value: str) -> str:
        """Gets the global job parameter value associated with the given key."""

    def get_metrics_group(self) -> Any:
        """Gets the metric group."""
        raise NotImplementedError("RuntimeContext.get_metrics_group is not supported by kolk yet")


class Function(abc.ABC):  # noqa: B024 - PyFlink's base has no abstract method either
    """The base interface for all user-defined functions."""

    def open(self, runtime_context: RuntimeContext) -> None:
        """Initialization method, called before the first record of this subtask."""

    def close(self) -> None:
        """Tear-down method, called after the last record of this subtask."""


class MapFunction(Function):
    """Takes one element and produces one element."""

    @abc.abstractmethod
    def map(self, value: Any) -> Any:
        """The mapping method: transforms the value into exactly one value."""


class FlatMapFunction(Function):
    """Takes one element and produces zero, one, or more elements."""

    @abc.abstractmethod
    def flat_map(self, value: Any) -> Any:
        """Returns (or yields) an iterable of output elements."""


class FilterFunction(Function):
    """Decides which elements to keep."""

    @abc.abstractmethod
    def filter(self, value: Any) -> bool:
        """Returns True to keep the element."""


class KeySelector(Function):
    """Extracts the key of an element, for ``key_by``."""

    @abc.abstractmethod
    def get_key(self, value: Any) -> Any:
        """Returns the key of the value."""


class Partitioner(Function):
    """Chooses the channel of a key (``DataStream.partition_custom``)."""

    @abc.abstractmethod
    def partition(self, key: Any, num_partitions: int) -> int:
        """Returns the partition (0 <= partition < num_partitions) of ``key``."""


class ReduceFunction(Function):
    """Combines two values of the same type into one (``KeyedStream.reduce``)."""

    @abc.abstractmethod
    def reduce(self, value1: Any, value2: Any) -> Any:
        """Combines the current reduced value (value1) with a new element (value2)."""


class AggregateFunction(Function):
    """Aggregates values through an accumulator: the intermediate state of an aggregation.

    The function itself is stateless: ``create_accumulator`` starts an aggregation (one per
    key and window), ``add`` folds a value into an accumulator, ``get_result`` turns an
    accumulator into the result, and ``merge`` combines two accumulators (merging windows).
    Accumulator, input and result types may all differ (an average keeps a sum and a count).
    """

    @abc.abstractmethod
    def create_accumulator(self) -> Any:
        """Creates a new accumulator, starting a new aggregate."""

    @abc.abstractmethod
    def add(self, value: Any, accumulator: Any) -> Any:
        """Adds the value to the accumulator and returns the accumulator (it may be the same
        object, modified)."""

    @abc.abstractmethod
    def get_result(self, accumulator: Any) -> Any:
        """Gets the result of the aggregation from the accumulator."""

    @abc.abstractmethod
    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        """Merges two accumulators and returns the merged one (it may reuse either)."""


class ProcessFunction(Function):
    """Processes each element of a stream; may emit any number of elements.

    ``process_element`` may ``yield`` its outputs (PyFlink's style) or return an iterable.
    """

    class Context(abc.ABC):
        """Information available during ``process_element``."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """A TimerService for querying time and registering timers."""

        @abc.abstractmethod
        def timestamp(self) -> int:
            """The timestamp of the element being processed, or None if it has none."""

    @abc.abstractmethod
    def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
        """Processes one element; yields or returns the outputs."""


class KeyedProcessFunction(Function):
    """Processes each element of a keyed stream, with keyed state and timers."""

    class Context(abc.ABC):
        """Information available during ``process_element`` and ``on_timer``."""

        @abc.abstractmethod
        def get_current_key(self) -> Any:
            """The key of the element (or timer) being processed."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """A TimerService for querying time and registering timers."""

        @abc.abstractmethod
        def timestamp(self) -> int:
            """The timestamp of the element or firing timer, or None if it has none."""

    class OnTimerContext(Context):
        """Information available in ``on_timer``."""

        @abc.abstractmethod
        def time_domain(self) -> TimeDomain:
            """The TimeDomain of the firing timer."""

    @abc.abstractmethod
    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
        """Processes one element; yields or returns the outputs."""

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Any:
        """Called when a timer fires; yields or returns the outputs."""


# -- functions over two connected streams (``connect``) -----------------------------------------
# The same function object serves both inputs, so the two sides can share its attributes and
# state. Outputs of the process functions are what they yield or return (None: no output).
# Each output carries the timestamp of the element that produced it (or, from on_timer, the
# timer's time in event time).

IN1 = TypeVar("IN1")
IN2 = TypeVar("IN2")
CO_OUT = TypeVar("CO_OUT")
CO_KEY = TypeVar("CO_KEY")


class CoMapFunction(Function):
    """A map over two connected streams: ``map1`` for the first input, ``map2`` for the
    second; one output per element (None: no output, as in PyFlink)."""

    @abc.abstractmethod
    def map1(self, value: Any) -> Any:
        """Maps an element of the first input."""

    @abc.abstractmethod
    def map2(self, value: Any) -> Any:
        """Maps an element of the second input."""


class CoFlatMapFunction(Function):
    """A flat map over two connected streams: ``flat_map1`` / ``flat_map2`` yield or return
    any number of outputs per element."""

    @abc.abstractmethod
    def flat_map1(self, value: Any) -> Any:
        """Yields or returns the outputs for an element of the first input."""

    @abc.abstractmethod
    def flat_map2(self, value: Any) -> Any:
        """Yields or returns the outputs for an element of the second input."""


class CoProcessFunction(Function):
    """Processes the elements of two connected streams.

    On non-keyed connected streams the context offers the element's timestamp and time
    queries only (timers need keys). Applied to keyed connected streams
    (``connect(...).key_by(...)``) it runs keyed, as in Flink: keyed state and timers work,
    and ``on_timer`` (if defined) is called when a timer fires.
    """

    class Context(abc.ABC):
        """Information available during ``process_element1`` / ``process_element2``."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """A TimerService for querying time (and, when keyed, registering timers)."""

        @abc.abstractmethod
        def timestamp(self) -> int:
            """The timestamp of the element being processed (``Long.MIN_VALUE`` if none)."""

    @abc.abstractmethod
    def process_element1(self, value: Any, ctx: CoProcessFunction.Context) -> Any:
        """Processes an element of the first input; yields or returns the outputs."""

    @abc.abstractmethod
    def process_element2(self, value: Any, ctx: CoProcessFunction.Context) -> Any:
        """Processes an element of the second input; yields or returns the outputs."""


class KeyedCoProcessFunction(Function):
    """Processes the elements of two keyed connected streams, with keyed state and timers.

    Both inputs are partitioned by their own key selectors into the same key space: elements
    of either input with equal keys meet in the same subtask and share the key's state.
    """

    class Context(abc.ABC):
        """Information available during ``process_element1/2`` and ``on_timer``."""

        @abc.abstractmethod
        def get_current_key(self) -> Any:
            """The key of the element (or timer) being processed."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """A TimerService for querying time and registering timers for the current key."""

        @abc.abstractmethod
        def timestamp(self) -> int:
            """The timestamp of the element or firing timer (``Long.MIN_VALUE`` if none)."""

    class OnTimerContext(Context):
        """Information available in ``on_timer``."""

        @abc.abstractmethod
        def time_domain(self) -> TimeDomain:
            """The TimeDomain of the firing timer."""

    @abc.abstractmethod
    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        """Processes an element of the first input; yields or returns the outputs."""

    @abc.abstractmethod
    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        """Processes an element of the second input; yields or returns the outputs."""

    def on_timer(self, timestamp: int, ctx: KeyedCoProcessFunction.OnTimerContext) -> Any:
        """Called when a timer fires; yields or returns the outputs."""


class BaseBroadcastProcessFunction(Function):
    """What every broadcast process function has: contexts with time and broadcast state."""

    class BaseContext(abc.ABC):
        """Time information available in both contexts."""

        @abc.abstractmethod
        def timestamp(self) -> int:
            """The timestamp of the element being processed (``Long.MIN_VALUE`` if none)."""

        @abc.abstractmethod
        def current_processing_time(self) -> int:
            """The current processing time in ms."""

        @abc.abstractmethod
        def current_watermark(self) -> int:
            """The current event-time watermark."""

    class Context(BaseContext):
        """The context of ``process_broadcast_element``: read-write broadcast state."""

        @abc.abstractmethod
        def get_broadcast_state(self, state_descriptor: MapStateDescriptor) -> BroadcastState:
            """The broadcast state of a descriptor given to ``broadcast(...)``, writable."""

    class ReadOnlyContext(BaseContext):
        """The context of ``process_element``: read-only broadcast state."""

        @abc.abstractmethod
        def get_broadcast_state(
            self, state_descriptor: MapStateDescriptor
        ) -> ReadOnlyBroadcastState:
            """The broadcast state of a descriptor given to ``broadcast(...)``, read-only."""


class BroadcastProcessFunction(BaseBroadcastProcessFunction, Generic[IN1, IN2, CO_OUT]):
    """Processes a non-keyed stream connected with a BroadcastStream.

    ``process_broadcast_element`` sees every broadcast element on every subtask and may
    update the broadcast state; ``process_element`` sees this subtask's share of the other
    stream and reads the broadcast state.
    """

    class Context(BaseBroadcastProcessFunction.Context, abc.ABC):
        """The context of ``process_broadcast_element``."""

    class ReadOnlyContext(BaseBroadcastProcessFunction.ReadOnlyContext, abc.ABC):
        """The context of ``process_element``."""

    @abc.abstractmethod
    def process_element(self, value: IN1, ctx: ReadOnlyContext) -> Any:
        """Processes an element of the non-broadcast stream; yields or returns the outputs."""

    @abc.abstractmethod
    def process_broadcast_element(self, value: IN2, ctx: Context) -> Any:
        """Processes a broadcast element; yields or returns the outputs."""


class KeyedBroadcastProcessFunction(
    BaseBroadcastProcessFunction, Generic[CO_KEY, IN1, IN2, CO_OUT]
):
    """Processes a KeyedStream connected with a BroadcastStream.

    The keyed side has keyed state, timers and the current key; the broadcast side has none
    of them (no key is set while a broadcast element is processed: keyed state access there
    raises). PyFlink has no ``Context.apply_to_keyed_state`` (Flink's Java API does).
    """

    class Context(BaseBroadcastProcessFunction.Context, abc.ABC):
        """The context of ``process_broadcast_element``."""

    class ReadOnlyContext(BaseBroadcastProcessFunction.ReadOnlyContext, abc.ABC):
        """The context of ``process_element``: also timers and the current key."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """A TimerService for querying time and registering timers for the current key."""

        @abc.abstractmethod
        def get_current_key(self) -> Any:
            """The key of the element being processed."""

    class OnTimerContext(ReadOnlyContext, abc.ABC):
        """The context of ``on_timer``."""

        @abc.abstractmethod
        def time_domain(self) -> TimeDomain:
            """The TimeDomain of the firing timer."""

        @abc.abstractmethod
        def get_current_key(self) -> Any:
            """The key of the firing timer."""

    @abc.abstractmethod
    def process_element(self, value: IN1, ctx: ReadOnlyContext) -> Any:
        """Processes an element of the keyed stream; yields or returns the outputs."""

    @abc.abstractmethod
    def process_broadcast_element(self, value: IN2, ctx: Context) -> Any:
        """Processes a broadcast element; yields or returns the outputs."""

    def on_timer(self, timestamp: int, ctx: OnTimerContext) -> Any:
        """Called when a timer fires; yields or returns the outputs."""


class NullByteKeySelector(KeySelector):
    """Gives every element the key 0: a keyed stream with one key (``window_all``)."""

    def get_key(self, value):
        return 0


# -- window functions ---------------------------------------------------------------------------
# The window operator calls them when a trigger fires a pane (a key's window), with the pane's
# contents: every element for ``apply``/``process``, or the one reduced or aggregated value
# (as a one-element list) when they follow ``reduce``/``aggregate``. Outputs are what they
# yield or return (None: no output); each output carries the window's ``max_timestamp()``.
# Generic as in PyFlink, so ``ProcessWindowFunction[IN, OUT, KEY, W]`` subscripts work.

IN = TypeVar("IN")
OUT = TypeVar("OUT")
KEY = TypeVar("KEY")
W = TypeVar("W")
W2 = TypeVar("W2")


class WindowFunction(Function, Generic[IN, OUT, KEY, W]):
    """Evaluates a keyed window: ``apply(key, window, inputs)``."""

    @abc.abstractmethod
    def apply(self, key: Any, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        """Yields or returns the outputs for the elements of one key's window."""


class AllWindowFunction(Function, Generic[IN, OUT, W]):
    """Evaluates a window of a non-keyed stream (``window_all``): ``apply(window, inputs)``."""

    @abc.abstractmethod
    def apply(self, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        """Yields or returns the outputs for the elements of one window."""


class ProcessWindowFunction(Function, Generic[IN, OUT, KEY, W]):
    """Evaluates a keyed window with a context (the window, time, per-window state)."""

    class Context(abc.ABC, Generic[W2]):
        """What ``process`` and ``clear`` see of the window being evaluated."""

        @abc.abstractmethod
        def window(self) -> Any:
            """The window being evaluated."""

        @abc.abstractmethod
        def current_processing_time(self) -> int:
            """The current processing time in ms."""

        @abc.abstractmethod
        def current_watermark(self) -> int:
            """The current event-time watermark."""

        @abc.abstractmethod
        def window_state(self) -> KeyedStateStore:
            """State scoped to the key and the window; clean it up in ``clear``.

            Not available with merging (session) windows.
            """

        @abc.abstractmethod
        def global_state(self) -> KeyedStateStore:
            """State scoped to the key only, shared by all its windows."""

    @abc.abstractmethod
    def process(
        self, key: Any, context: ProcessWindowFunction.Context, elements: Iterable[Any]
    ) -> Iterable[Any]:
        """Yields or returns the outputs for the elements of one key's window."""

    def clear(self, context: ProcessWindowFunction.Context) -> None:
        """Deletes per-window state when the window expires (the watermark passes its
        ``max_timestamp()`` plus the allowed lateness)."""


class ProcessAllWindowFunction(Function, Generic[IN, OUT, W]):
    """Evaluates a window of a non-keyed stream with a context."""

    class Context(abc.ABC, Generic[W2]):
        """What ``process`` and ``clear`` see of the window being evaluated."""

        @abc.abstractmethod
        def window(self) -> Any:
            """The window being evaluated."""

        @abc.abstractmethod
        def window_state(self) -> KeyedStateStore:
            """State scoped to the window; clean it up in ``clear``.

            Not available with merging (session) windows.
            """

        @abc.abstractmethod
        def global_state(self) -> KeyedStateStore:
            """State shared by all windows."""

    @abc.abstractmethod
    def process(
        self, context: ProcessAllWindowFunction.Context, elements: Iterable[Any]
    ) -> Iterable[Any]:
        """Yields or returns the outputs for the elements of one window."""

    def clear(self, context: ProcessAllWindowFunction.Context) -> None:
        """Deletes per-window state when the window expires."""


class PassThroughWindowFunction(WindowFunction[IN, IN, KEY, W]):
    """Emits the window's inputs unchanged (``reduce``/``aggregate`` without a window
    function)."""

    def apply(self, key: Any, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        yield from inputs


class PassThroughAllWindowFunction(AllWindowFunction[IN, IN, W]):
    """Emits the window's inputs unchanged (``window_all`` reduce/aggregate)."""

    def apply(self, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        yield from inputs
