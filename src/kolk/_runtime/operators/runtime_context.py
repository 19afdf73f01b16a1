"""The RuntimeContext handed to ``open()`` and the contexts handed to process functions."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk.datastream.functions import KeyedProcessFunction, ProcessFunction, RuntimeContext
from kolk.datastream.state import ValueState, ValueStateDescriptor
from kolk.datastream.timerservice import TimerService
from kolk.util.exceptions import StateAccessException

__all__ = [
    "KeyedProcessContext",
    "ProcessContext",
    "StreamingRuntimeContext",
    "UnsupportedTimerService",
]

#: Flink's initial watermark, ``Long.MIN_VALUE``.
MIN_WATERMARK = -(2**63)


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
        if not isinstance(state_descriptor, ValueStateDescriptor):
            raise TypeError(
                f"get_state expects a ValueStateDescriptor, got {type(state_descriptor).__name__}"
            )
        if self._keyed_backend is None:
            raise StateAccessException(
                "This state is only accessible by functions executed on a KeyedStream. "
                "Apply key_by(...) before this operator to use keyed state."
            )
        return self._keyed_backend.get_value_state(state_descriptor)


class UnsupportedTimerService(TimerService):
    """Time queries work; registering timers arrives with event time (not in kolk yet)."""

    def __init__(self, keyed: bool) -> None:
        self._keyed = keyed

    def current_processing_time(self) -> int:
        return time.time_ns() // 1_000_000

    def current_watermark(self) -> int:
        return MIN_WATERMARK

    def _refuse(self, what: str) -> None:
        if not self._keyed:
            raise RuntimeError(
                "Setting timers is only supported on a keyed streams. Apply key_by(...) and "
                "use a KeyedProcessFunction to register timers."
            )
        raise NotImplementedError(f"TimerService.{what} is not supported by kolk yet")

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._refuse("register_processing_time_timer")

    def register_event_time_timer(self, timestamp: int) -> None:
        self._refuse("register_event_time_timer")

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._refuse("delete_processing_time_timer")

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._refuse("delete_event_time_timer")


#: What ``ctx.timestamp()`` returns for a record without a timestamp: PyFlink's operators pass
#: Java's ``StreamRecord.getTimestamp()``, which is ``Long.MIN_VALUE`` then.
NO_TIMESTAMP = MIN_WATERMARK


class ProcessContext(ProcessFunction.Context):
    """The context of ``ProcessFunction.process_element`` (records carry no timestamp yet)."""

    def __init__(self) -> None:
        self._timer_service = UnsupportedTimerService(keyed=False)

    def timer_service(self) -> TimerService:
        return self._timer_service

    def timestamp(self) -> Any:
        return NO_TIMESTAMP


class KeyedProcessContext(KeyedProcessFunction.Context):
    """The context of ``KeyedProcessFunction.process_element``: the current key."""

    def __init__(self, key_context: KeyContext) -> None:
        self._key_context = key_context
        self._timer_service = UnsupportedTimerService(keyed=True)

    def get_current_key(self) -> Any:
        if self._key_context.key_group < 0:
            raise StateAccessException("get_current_key() called outside a keyed context")
        return self._key_context.key

    def timer_service(self) -> TimerService:
        return self._timer_service

    def timestamp(self) -> Any:
        return NO_TIMESTAMP
