"""What a task needs to run one subtask (Flink's ``TaskDeploymentDescriptor``).

The cluster layer derives these immutable values from the JobGraph; the runtime never sees the
graph itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kolk._runtime.operators.factories import OperatorFactory

__all__ = ["InputConfig", "OperatorConfig", "OutputConfig", "TaskConfig"]


@dataclass(frozen=True)
class OperatorConfig:
    """One operator of the task's chain.

    Attributes:
        index: position in :attr:`TaskConfig.operators` (0 = chain head).
        name: operator name (``"Map"``).
        factory: creates the operator.
        keyed: the operator runs on a KeyedStream (keyed state, current key).
        key_selector: the KeyedStream's key selector (keyed operators; the first input's for a
            two-input operator).
        key_selector2: the second input's key selector of a keyed two-input operator.
        key_type: the KeyedStream's declared key type, if any.
        timestamped_input: the records reaching this operator carry timestamps.
        chained_outputs: indices of operators this one feeds by direct call.
        network_outputs: indices into :attr:`TaskConfig.outputs` this one writes to.
        side_chained_outputs: (tag id, operator index) for side outputs fed by direct call.
        side_network_outputs: (tag id, output index) for side outputs written to the network.
    """

    index: int
    name: str
    factory: OperatorFactory
    keyed: bool = False
    key_selector: Any = None
    key_selector2: Any = None
    key_type: Any = None
    timestamped_input: bool = False
    chained_outputs: tuple[int, ...] = ()
    network_outputs: tuple[int, ...] = ()
    side_chained_outputs: tuple[tuple[str, int], ...] = ()
    side_network_outputs: tuple[tuple[str, int], ...] = ()

    @property
    def side_output_tags(self) -> frozenset[str]:
        """The tag ids of this operator's side outputs that something consumes."""
        return frozenset(tag for tag, _ in self.side_chained_outputs + self.side_network_outputs)


@dataclass(frozen=True)
class OutputConfig:
    """One non-chained output edge: a ResultPartition and how records are routed into it.

    Attributes:
        name: for messages and traces.
        ship_strategy: ``"FORWARD"``, ``"REBALANCE"``, ``"RESCALE"``, ``"SHUFFLE"``,
            ``"BROADCAST"``, ``"GLOBAL"``, ``"HASH"`` or ``"CUSTOM"``.
        num_subpartitions: consumer channels this producer subtask feeds.
        buffer_timeout: ms; > 0 periodic flush, 0 flush every record, -1 only when full.
        key_selector: for HASH and CUSTOM.
        key_type: for HASH: the declared key type or None (pickled).
        max_parallelism: for HASH: the consumer's number of key groups.
        partitioner: for CUSTOM.
        type_info: the records' declared type (None: pickled Python objects); chooses how a
            buffer is encoded when the edge crosses processes.
    """

    name: str
    ship_strategy: str
    num_subpartitions: int
    buffer_timeout: int
    key_selector: Any = None
    key_type: Any = None
    max_parallelism: int = 128
    partitioner: Any = None
    type_info: Any = None


@dataclass(frozen=True)
class InputConfig:
    """One input edge: an InputGate with one channel per connected producer subtask.

    Attributes:
        name: for messages and traces.
        num_channels: one per connected producer subtask.
        input_number: 0 into a one-input head; 1 or 2 into a two-input head's inputs.
    """

    name: str
    num_channels: int
    input_number: int = 0


@dataclass(frozen=True)
class TaskConfig:
    """Everything one subtask needs.

    Attributes:
        job_name: the job's name.
        vertex_name: the chained name (``"Map -> Filter"``).
        subtask_index: 0-based.
        parallelism: subtasks of this vertex.
        max_parallelism: key groups of the chain head.
        operators: the chain, head first.
        outputs: non-chained output edges.
        inputs: input edges (empty for a source task).
        buffer_capacity: records per network buffer.
        auto_watermark_interval: ``pipeline.auto-watermark-interval`` in ms (0 = off).
        seed: seeds the task's random choices (rebalance start, shuffle), or None.
        attempt: the execution attempt (0 for the first).
        job_parameters: global job parameters (``RuntimeContext.get_job_parameter``).
    """

    job_name: str
    vertex_name: str
    subtask_index: int
    parallelism: int
    max_parallelism: int
    operators: tuple[OperatorConfig, ...]
    outputs: tuple[OutputConfig, ...] = ()
    inputs: tuple[InputConfig, ...] = ()
    buffer_capacity: int = 1024
    auto_watermark_interval: int = 200
    seed: int | None = None
    attempt: int = 0
    job_parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def task_name_with_subtasks(self) -> str:
        """Flink's ``Name (i/n)`` form."""
        return f"{self.vertex_name} ({self.subtask_index + 1}/{self.parallelism})"
