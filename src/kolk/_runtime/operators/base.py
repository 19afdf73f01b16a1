"""Operator contracts: what the task calls on the operators of its chain.

Three kinds (Flink has one ``StreamOperator`` interface; kolk splits it by how records enter,
so the hot path can be a single loop per chain):

- :class:`FunctionOperator`: calls a user function per record (map, filter, flat_map,
  process, reduce). Consecutive function operators of a chain are fused into one per-record
  loop by :mod:`kolk._runtime.tasks.fusion`, as PyFlink fuses its Python operators.
- :class:`BatchOperator`: takes a whole list of records (sinks).
- :class:`SourceOperator`: produces records.
- :class:`InputOperator`: a keyed chain head with its own per-record loop and timers (windows):
  takes whole batches with their keys and timestamps and emits through :attr:`output`.

Life cycle, once per subtask: ``setup`` (always), ``open`` (before the first record reaches
the chain; never if none does), ``finish`` (end of input), ``close`` (only if opened).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kolk._runtime.operators.contexts import TaskTime
from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.timer_service import InternalTimerService, Triggerable
from kolk.datastream.functions import Function

__all__ = [
    "BatchOperator",
    "FunctionOperator",
    "InputOperator",
    "OperatorEnvironment",
    "SourceOperator",
    "StreamOperator",
    "TwoInputOperator",
]


@dataclass(frozen=True)
class OperatorEnvironment:
    """What the task gives an operator at setup.

    Attributes:
        name: the operator's name.
        task_name: the task's chained name.
        subtask_index: 0-based subtask index.
        parallelism: the subtask count.
        runtime_context: passed to user functions' ``open``.
        key_context: the current key (keyed operators), else None.
        keyed_backend: keyed state (keyed operators), else None.
        create_timer_service: keyed operators: returns a new InternalTimerService calling back
            the given Triggerable, wired to the task's processing-time scheduling; else None.
        task_time: the task's current input watermark.
    """

    name: str
    task_name: str
    subtask_index: int
    parallelism: int
    runtime_context: StreamingRuntimeContext
    key_context: KeyContext | None = None
    keyed_backend: HeapKeyedStateBackend | None = None
    create_timer_service: Callable[[Triggerable], InternalTimerService] | None = None
    task_time: TaskTime = field(default_factory=TaskTime)


class StreamOperator(abc.ABC):
    """Base of all operators."""

    env: OperatorEnvironment

    def setup(self, env: OperatorEnvironment) -> None:
        """Receives the operator's environment (always called, before anything else)."""
        self.env = env

    @property
    def name(self) -> str:
        """The operator's name (after setup)."""
        return self.env.name

    def open(self) -> None:
        """Called before the first record reaches this chain."""

    def finish(self) -> None:
        """End of input: flush what the operator buffers."""

    def close(self) -> None:
        """Releases resources; called only if ``open`` was."""


class FunctionOperator(StreamOperator):
    """An operator that calls a user function per record.

    Subclasses set :attr:`kind` (the fusion template) and :attr:`call` (the bound user
    callable), and may add per-record helpers in :meth:`bindings`.
    """

    kind: str = ""
    #: Side-output consumers by tag id (set by the chain when the operator has side outputs).
    side_outputs: dict[str, Callable[..., None]] | None = None

    def __init__(self, function: Any, method: str) -> None:
        self.function = function
        bound = getattr(function, method, None) if isinstance(function, Function) else None
        if bound is None:
            if not callable(function):
                raise TypeError(
                    f"expected a callable or an object with a '{method}' method, got "
                    f"{type(function).__name__}"
                )
            bound = function
        self.call: Callable[..., Any] = bound

    def bindings(self) -> dict[str, Any]:
        """Values the fused loop needs besides ``call`` (context ``c``, state ``s``)."""
        return {}

    def open(self) -> None:
        if isinstance(self.function, Function):
            self.function.open(self.env.runtime_context)

    def close(self) -> None:
        if isinstance(self.function, Function):
            self.function.close()


class BatchOperator(StreamOperator):
    """An operator that takes whole batches of records (sinks)."""

    @abc.abstractmethod
    def process_batch(self, records: list[Any]) -> None:
        """Processes records in order."""


class SourceOperator(StreamOperator):
    """An operator that produces records."""

    @abc.abstractmethod
    def emit_next(self, max_records: int, emit: Callable[[list[Any]], None]) -> bool:
        """Emits up to ``max_records`` records through ``emit``; False once exhausted."""


#: ``output(records, timestamps)``: hands records on, with their timestamps (a list parallel
#: to the records, entries may be None) or None when they carry none.
Output = Callable[[list[Any], "list[Any] | None"], None]


class InputOperator(StreamOperator):
    """A keyed chain head that runs its own loop over each batch and may fire timers.

    The chain sets :attr:`output` before ``open()``; records emitted through it run through
    the operators chained after this one. Watermarks reach :meth:`process_watermark` (fire
    event-time timers there); the chain forwards the watermark downstream afterwards.
    """

    output: Output
    #: Side-output consumers by tag id: ``side_outputs[tag_id](records, timestamps)``.
    side_outputs: dict[str, Output]

    @abc.abstractmethod
    def process_batch(
        self,
        records: list[Any],
        keys: list[Any],
        key_groups: list[int],
        timestamps: list[Any] | None,
    ) -> None:
        """Processes records in order; ``keys[i]``/``key_groups[i]`` belong to ``records[i]``.

        ``timestamps`` is None when the stream carries no timestamps. The operator sets its
        key context per record itself.
        """

    def process_watermark(self, watermark: int) -> None:
        """The input's watermark advanced: fire event-time timers up to it."""


class TwoInputOperator(StreamOperator):
    """A chain head with two inputs (``connect``): co-map, co-flat-map, co-process, keyed
    co-process and broadcast process operators.

    The chain sets :attr:`output` before ``open()``. For a keyed operator, ``keys`` and
    ``key_groups`` run parallel to the records (None for a non-keyed input); the operator sets
    its key context per record itself. ``timestamps`` is None when the input carries none.
    Watermarks: the task combines both inputs' watermarks (the minimum) and calls
    :meth:`process_watermark` before forwarding it.
    """

    output: Output
    #: Side-output consumers by tag id: ``side_outputs[tag_id](records, timestamps)``.
    side_outputs: dict[str, Output]
    #: Whether emitted batches carry timestamp lists (set by the chain from the graph).
    timestamped_output: bool = True

    @abc.abstractmethod
    def process_batch1(
        self,
        records: list[Any],
        keys: list[Any] | None,
        key_groups: list[int] | None,
        timestamps: list[Any] | None,
    ) -> None:
        """Processes records of the first input, in order."""

    @abc.abstractmethod
    def process_batch2(
        self,
        records: list[Any],
        keys: list[Any] | None,
        key_groups: list[int] | None,
        timestamps: list[Any] | None,
    ) -> None:
        """Processes records of the second input, in order."""

    def process_watermark(self, watermark: int) -> None:
        """The combined watermark of both inputs advanced: fire event-time timers up to it."""
