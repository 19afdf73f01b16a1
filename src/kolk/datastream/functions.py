"""User function contracts (mirrors ``pyflink.datastream.functions``).

These are the interfaces the runtime calls. A function's ``open(runtime_context)`` is called
once per parallel subtask before its first record, ``close()`` once at the end, and only for
subtasks that received at least one record (PyFlink creates its Python workers lazily; programs
rely on it).
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kolk.datastream.state import State, StateDescriptor, ValueState, ValueStateDescriptor
    from kolk.datastream.time_domain import TimeDomain
    from kolk.datastream.timerservice import TimerService

__all__ = [
    "FilterFunction",
    "FlatMapFunction",
    "Function",
    "KeySelector",
    "KeyedProcessFunction",
    "KeyedStateStore",
    "MapFunction",
    "ProcessFunction",
    "ReduceFunction",
    "RuntimeContext",
]


class KeyedStateStore(abc.ABC):
    """Creates keyed state handles from descriptors."""

    @abc.abstractmethod
    def get_state(self, state_descriptor: ValueStateDescriptor) -> ValueState:
        """Gets a handle to the system's key/value state."""

    def get_list_state(self, state_descriptor: StateDescriptor) -> State:
        """Gets a handle to the system's key/value list state."""
        raise NotImplementedError("KeyedStateStore.get_list_state is not supported by kolk yet")

    def get_map_state(self, state_descriptor: StateDescriptor) -> State:
        """Gets a handle to the system's key/value map state."""
        raise NotImplementedError("KeyedStateStore.get_map_state is not supported by kolk yet")

    def get_reducing_state(self, state_descriptor: StateDescriptor) -> State:
        """Gets a handle to the system's key/value reducing state."""
        raise NotImplementedError("KeyedStateStore.get_reducing_state is not supported by kolk yet")

    def get_aggregating_state(self, state_descriptor: StateDescriptor) -> State:
        """Gets a handle to the system's key/value aggregating state."""
        raise NotImplementedError(
            "KeyedStateStore.get_aggregating_state is not supported by kolk yet"
        )


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


class ReduceFunction(Function):
    """Combines two values of the same type into one (``KeyedStream.reduce``)."""

    @abc.abstractmethod
    def reduce(self, value1: Any, value2: Any) -> Any:
        """Combines the current reduced value (value1) with a new element (value2)."""


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
