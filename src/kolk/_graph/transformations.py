"""Transformations: what the DataStream builders record, before any graph is made.

A Transformation describes one logical operation (Flink's ``Transformation`` class family).
Builders mutate them (``name()``, ``set_parallelism()``, ``start_new_chain()``, ...) until
``execute()``; the StreamGraph generator then reads them and never changes them.

Parallelism ``-1`` (:data:`PARALLELISM_DEFAULT`) means "the environment's default", resolved when
the StreamGraph is generated.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kolk._runtime.operators.factories import OperatorFactory

__all__ = [
    "PARALLELISM_DEFAULT",
    "ChainingStrategy",
    "OneInputTransformation",
    "PartitionTransformation",
    "PartitionerSpec",
    "ShipStrategy",
    "SideOutputTransformation",
    "SinkTransformation",
    "SourceTransformation",
    "Transformation",
    "TwoInputTransformation",
    "UnionTransformation",
]

PARALLELISM_DEFAULT = -1


class ChainingStrategy(enum.Enum):
    """Flink's ``ChainingStrategy``: whether an operator may join its predecessor's chain.

    ALWAYS (the default) chains when the edge allows it; HEAD (``start_new_chain()``) always
    starts a new chain but lets successors chain to it; NEVER (``disable_chaining()``) stands
    alone.
    """

    ALWAYS = "ALWAYS"
    HEAD = "HEAD"
    NEVER = "NEVER"


class ShipStrategy(enum.Enum):
    """How records travel along an edge; the value is Flink's partitioner ``toString``."""

    FORWARD = "FORWARD"
    REBALANCE = "REBALANCE"
    RESCALE = "RESCALE"
    SHUFFLE = "SHUFFLE"
    BROADCAST = "BROADCAST"
    GLOBAL = "GLOBAL"
    HASH = "HASH"
    CUSTOM = "CUSTOM"


@dataclass(frozen=True)
class PartitionerSpec:
    """An explicitly requested partitioning (``key_by``, ``rebalance()``, ``shuffle()``, ...).

    Attributes:
        strategy: the ship strategy.
        key_selector: for HASH, the user's key selector (a callable or ``KeySelector``).
        key_type: for HASH, the declared key type (``key_by(..., key_type)``) or None (pickled).
        partitioner: for CUSTOM, the user's ``Partitioner``.
    """

    strategy: ShipStrategy
    key_selector: Any = None
    key_type: Any = None
    partitioner: Any = None


@dataclass(eq=False)
class Transformation:
    """One logical operation of a program.

    Attributes:
        id: unique within the environment, assigned in creation order from 1.
        name: operator name, shown in plans and task names (``"Map"``).
        output_type: the declared ``TypeInformation`` of the output, or None (pickled).
        parallelism: the parallelism, or PARALLELISM_DEFAULT.
        max_parallelism: the maximum parallelism (number of key groups), or -1 (derived).
        uid: the user-provided stable id, if any.
        chaining_strategy: see :class:`ChainingStrategy`.
        slot_sharing_group: explicit slot sharing group, or None (inherit from inputs).
        buffer_timeout: the buffer timeout of this operator's outputs in ms, or None (the
            environment's).
        description: free-text description shown in plans.
        non_parallel: True when the parallelism is fixed to 1 (``from_collection``).
        shown: False for an operator plans and chained names leave out: the watermark step
            kolk chains after ``from_source``, which Flink runs inside the source operator.
    """

    id: int
    name: str
    output_type: Any = None
    parallelism: int = PARALLELISM_DEFAULT
    max_parallelism: int = -1
    uid: str | None = None
    chaining_strategy: ChainingStrategy = ChainingStrategy.ALWAYS
    slot_sharing_group: str | None = None
    buffer_timeout: int | None = None
    description: str | None = None
    non_parallel: bool = False
    shown: bool = True

    @property
    def inputs(self) -> list[Transformation]:
        """The transformations this one reads from."""
        return []


@dataclass(eq=False)
class SourceTransformation(Transformation):
    """A source: no inputs; its operator produces records (``from_collection``)."""

    operator_factory: OperatorFactory | None = None


@dataclass(eq=False)
class OneInputTransformation(Transformation):
    """An operator with one input.

    Attributes:
        input: the upstream transformation.
        operator_factory: creates the runtime operator for each subtask.
        state_key_selector: set when the input is a KeyedStream: the operator is *keyed*
            (its input arrives hash-partitioned and it may use keyed state).
        state_key_type: the declared key type of the KeyedStream, if any.
    """

    input: Transformation | None = None
    operator_factory: OperatorFactory | None = None
    state_key_selector: Any = None
    state_key_type: Any = None

    @property
    def inputs(self) -> list[Transformation]:
        assert self.input is not None
        return [self.input]


@dataclass(eq=False)
class TwoInputTransformation(Transformation):
    """An operator with two inputs (``connect``: co-map, co-process, broadcast process).

    Attributes:
        input1: the first input (``process_element1`` / ``map1``).
        input2: the second input (``process_element2`` / ``map2``; the broadcast side).
        operator_factory: creates a TwoInputOperator per subtask.
        state_key_selector1: the first input's key selector when it is keyed, else None.
        state_key_selector2: the second input's key selector when it is keyed, else None.
        state_key_type: the declared key type of the keyed inputs, if any.
    """

    input1: Transformation | None = None
    input2: Transformation | None = None
    operator_factory: OperatorFactory | None = None
    state_key_selector1: Any = None
    state_key_selector2: Any = None
    state_key_type: Any = None

    @property
    def inputs(self) -> list[Transformation]:
        assert self.input1 is not None and self.input2 is not None
        return [self.input1, self.input2]


@dataclass(eq=False)
class SinkTransformation(OneInputTransformation):
    """A sink: a one-input operator whose output is not a stream (pact "Data Sink")."""


@dataclass(eq=False)
class PartitionTransformation(Transformation):
    """A virtual node that sets the partitioning of the edge to its downstream operators."""

    input: Transformation | None = None
    partitioner: PartitionerSpec = field(
        default_factory=lambda: PartitionerSpec(ShipStrategy.FORWARD)
    )

    @property
    def inputs(self) -> list[Transformation]:
        assert self.input is not None
        return [self.input]


@dataclass(eq=False)
class SideOutputTransformation(Transformation):
    """A virtual node: the side output ``output_tag`` of its input operator."""

    input: Transformation | None = None
    output_tag: Any = None

    @property
    def inputs(self) -> list[Transformation]:
        assert self.input is not None
        return [self.input]


@dataclass(eq=False)
class UnionTransformation(Transformation):
    """A virtual node that merges several streams of the same type into one."""

    union_inputs: list[Transformation] = field(default_factory=list)

    @property
    def inputs(self) -> list[Transformation]:
        return list(self.union_inputs)
