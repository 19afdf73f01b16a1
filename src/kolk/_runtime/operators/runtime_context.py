"""The RuntimeContext handed to ``open()`` (process-function contexts: :mod:`.contexts`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk.datastream.functions import RuntimeContext
from kolk.datastream.state import (
    AggregatingState,
    AggregatingStateDescriptor,
    ListState,
    ListStateDescriptor,
    MapState,
    MapStateDescriptor,
    ReducingState,
    ReducingStateDescriptor,
    StateDescriptor,
    ValueState,
    ValueStateDescriptor,
)
from kolk.util.exceptions import StateAccessException

__all__ = ["StreamingRuntimeContext"]


class StreamingRuntimeContext(RuntimeContext):
    """What a function sees of its subtask; keyed state only for operators on a KeyedStream."""

    def __init__(
        self,
        task_name: str,
        subtask_index: int,
        parallelism: int,
        max_parallelism: int,
        attempt: int,
        job_parameters: Mapping[str, str],
        keyed_backend: HeapKeyedStateBackend | None,
    ) -> None:
        self._task_name = task_name
        self._subtask_index = subtask_index
        self._parallelism = parallelism
        self._max_parallelism = max_parallelism
        self._attempt = attempt
        self._job_parameters = job_parameters
        self._keyed_backend = keyed_backend

    def get_task_name(self) -> str:
        return self._task_name

    def get_number_of_parallel_subtasks(self) -> int:
        return self._parallelism

    def get_max_number_of_parallel_subtasks(self) -> int:
        return self._max_parallelism

    def get_index_of_this_subtask(self) -> int:
        return self._subtask_index

    def get_attempt_number(self) -> int:
        return self._attempt

    def get_task_name_with_subtasks(self) -> str:
        return f"{self._task_name} ({self._subtask_index + 1}/{self._parallelism})"

    def get_job_parameter(self, key: str, default_value: str) -> str:
        return self._job_parameters.get(key, default_value)

    def get_state(self, state_descriptor: ValueStateDescriptor) -> ValueState[Any]:
        _expect(state_descriptor, ValueStateDescriptor, "get_state")
        return self._keyed_state().get_value_state(state_descriptor)

    def get_list_state(self, state_descriptor: ListStateDescriptor) -> ListState[Any]:
        _expect(state_descriptor, ListStateDescriptor, "get_list_state")
        return self._keyed_state().get_list_state(state_descriptor)

    def get_map_state(self, state_descriptor: MapStateDescriptor) -> MapState[Any, Any]:
        _expect(state_descriptor, MapStateDescriptor, "get_map_state")
        return self._keyed_state().get_map_state(state_descriptor)

    def get_reducing_state(self, state_descriptor: ReducingStateDescriptor) -> ReducingState[Any]:
        _expect(state_descriptor, ReducingStateDescriptor, "get_reducing_state")
        return self._keyed_state().get_reducing_state(state_descriptor)

    def get_aggregating_state(
        self, state_descriptor: AggregatingStateDescriptor
    ) -> AggregatingState[Any, Any]:
        _expect(state_descriptor, AggregatingStateDescriptor, "get_aggregating_state")
        return self._keyed_state().get_aggregating_state(state_descriptor)

    def _keyed_state(self) -> HeapKeyedStateBackend:
        """The keyed backend, or StateAccessException for a function not on a KeyedStream."""
        if self._keyed_backend is None:
            raise StateAccessException(
                "This state is only accessible by functions executed on a KeyedStream. "
                "Apply key_by(...) before this operator to use keyed state."
            )
        return self._keyed_backend


def _expect(descriptor: StateDescriptor, kind: type[StateDescriptor], method: str) -> None:
    """Raises TypeError unless ``descriptor`` is a ``kind`` (``get_state`` and its siblings)."""
    if not isinstance(descriptor, kind):
        raise TypeError(f"{method} expects a {kind.__name__}, got {type(descriptor).__name__}")
