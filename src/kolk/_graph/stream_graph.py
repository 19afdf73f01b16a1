"""The StreamGraph: one node per operator, edges carrying their partitioning.

Generated from the transformations at ``execute()`` (Flink's ``StreamGraphGenerator``):
virtual transformations (partitioning, union) become properties of edges; parallelism ``-1``
becomes the environment's; an edge without an explicit partitioning is FORWARD when both ends
have the same parallelism and REBALANCE otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kolk._graph.config import JobConfig
from kolk._graph.transformations import (
    PARALLELISM_DEFAULT,
    ChainingStrategy,
    OneInputTransformation,
    PartitionerSpec,
    PartitionTransformation,
    ShipStrategy,
    SideOutputTransformation,
    SinkTransformation,
    SourceTransformation,
    Transformation,
    TwoInputTransformation,
    UnionTransformation,
)
from kolk._runtime.key_groups import compute_default_max_parallelism
from kolk._runtime.operators.factories import OperatorFactory
from kolk.util.exceptions import JobGraphException

__all__ = ["StreamEdge", "StreamGraph", "StreamGraphGenerator", "StreamNode"]

DEFAULT_SLOT_SHARING_GROUP = "default"


@dataclass(frozen=True)
class StreamEdge:
    """A connection between two operators.

    Attributes:
        source_id: upstream node id.
        target_id: downstream node id.
        partitioner: the partitioning (strategy, key selector, key type, custom partitioner).
        type_number: 0 into a one-input operator; 1 or 2 into the first or second input of a
            two-input operator.
        side_output: the tag id when the edge carries the source's side output, else None.
    """

    source_id: int
    target_id: int
    partitioner: PartitionerSpec
    type_number: int = 0
    side_output: str | None = None

    @property
    def ship_strategy(self) -> ShipStrategy:
        """The edge's ship strategy."""
        return self.partitioner.strategy


@dataclass
class StreamNode:
    """One operator of the StreamGraph (values fixed once generated).

    Attributes:
        id: the transformation id.
        name: the operator name.
        pact: "Data Source", "Operator" or "Data Sink" (the plan's vocabulary).
        parallelism: resolved parallelism (>= 1).
        max_parallelism: resolved number of key groups for this operator's keyed state.
        chaining_strategy: ALWAYS, HEAD or NEVER.
        slot_sharing_group: resolved slot sharing group name.
        buffer_timeout: flush timeout of this operator's outputs in ms (-1, 0 or > 0).
        operator_factory: creates the runtime operator.
        output_type: the declared output type, or None (pickled).
        state_key_selector: set for keyed operators (the first input's, for two inputs).
        state_key_selector2: the second input's key selector of a keyed two-input operator.
        state_key_type: the KeyedStream's declared key type, if any.
        timestamped: the operator's output records carry timestamps (it assigns them, or its
            input carries them).
        shown: False when plans and chained names leave the operator out (see
            ``Transformation.shown``).
    """

    id: int
    name: str
    pact: str
    parallelism: int
    max_parallelism: int
    chaining_strategy: ChainingStrategy
    slot_sharing_group: str
    buffer_timeout: int
    operator_factory: OperatorFactory
    output_type: Any = None
    state_key_selector: Any = None
    state_key_type: Any = None
    state_key_selector2: Any = None
    uid: str | None = None
    timestamped: bool = False
    shown: bool = True
    in_edges: list[StreamEdge] = field(default_factory=list)
    out_edges: list[StreamEdge] = field(default_factory=list)

    @property
    def is_keyed(self) -> bool:
        """True if the operator runs on a KeyedStream."""
        return self.state_key_selector is not None or self.state_key_selector2 is not None


@dataclass
class StreamGraph:
    """Operators and edges of one job, with the job's settings."""

    config: JobConfig
    nodes: dict[int, StreamNode] = field(default_factory=dict)

    @property
    def job_name(self) -> str:
        """The job's name."""
        return self.config.job_name

    def sources(self) -> list[StreamNode]:
        """Nodes without inputs, by id."""
        return [n for _, n in sorted(self.nodes.items()) if not n.in_edges]

    def sinks(self) -> list[StreamNode]:
        """Sink nodes, by id."""
        return [n for _, n in sorted(self.nodes.items()) if n.pact == "Data Sink"]


#: (upstream node id, partitioning asked for, side output tag id or None)
_Handle = tuple[int, PartitionerSpec | None, str | None]


class StreamGraphGenerator:
    """Turns a program's transformations into a :class:`StreamGraph`.

    Args:
        transformations: the transformations recorded by the environment (sinks and operators;
            their inputs are reached through them).
        config: the job's settings.
    """

    def __init__(self, transformations: list[Transformation], config: JobConfig) -> None:
        self._transformations = transformations
        self._config = config
        self._graph = StreamGraph(config)
        self._done: dict[int, list[_Handle]] = {}

    def generate(self) -> StreamGraph:
        """Builds the graph; raises JobGraphException for an invalid program."""
        if not self._transformations:
            raise RuntimeError("No operators defined in streaming topology. Cannot execute.")
        for transformation in sorted(self._transformations, key=lambda t: t.id):
            self._transform(transformation)
        return self._graph

    def _transform(self, t: Transformation) -> list[_Handle]:
        done = self._done.get(t.id)
        if done is not None:
            return done
        result: list[_Handle]
        if isinstance(t, PartitionTransformation):
            assert t.input is not None
            result = [(node_id, t.partitioner, tag) for node_id, _, tag in self._transform(t.input)]
        elif isinstance(t, SideOutputTransformation):
            assert t.input is not None
            result = [
                (node_id, partitioner, t.output_tag.tag_id)
                for node_id, partitioner, _ in self._transform(t.input)
            ]
        elif isinstance(t, UnionTransformation):
            result = [h for i in t.union_inputs for h in self._transform(i)]
        elif isinstance(t, SourceTransformation):
            assert t.operator_factory is not None
            node = self._add_node(t, "Data Source", t.operator_factory, [])
            result = [(node.id, None, None)]
        elif isinstance(t, OneInputTransformation):
            assert t.input is not None and t.operator_factory is not None
            inputs = self._transform(t.input)
            pact = "Data Sink" if isinstance(t, SinkTransformation) else "Operator"
            node = self._add_node(t, pact, t.operator_factory, inputs)
            node.state_key_selector = t.state_key_selector
            node.state_key_type = t.state_key_type
            node.timestamped = t.operator_factory.assigns_timestamps or any(
                self._graph.nodes[source_id].timestamped for source_id, _, _ in inputs
            )
            for source_id, partitioner, tag in inputs:
                self._add_edge(source_id, node, partitioner, 0, tag)
            result = [(node.id, None, None)]
        elif isinstance(t, TwoInputTransformation):
            assert t.input1 is not None and t.input2 is not None
            assert t.operator_factory is not None
            inputs1 = self._transform(t.input1)
            inputs2 = self._transform(t.input2)
            node = self._add_node(t, "Operator", t.operator_factory, inputs1 + inputs2)
            node.state_key_selector = t.state_key_selector1
            node.state_key_selector2 = t.state_key_selector2
            node.state_key_type = t.state_key_type
            node.timestamped = t.operator_factory.assigns_timestamps or any(
                self._graph.nodes[source_id].timestamped for source_id, _, _ in inputs1 + inputs2
            )
            for type_number, handles in ((1, inputs1), (2, inputs2)):
                for source_id, partitioner, tag in handles:
                    self._add_edge(source_id, node, partitioner, type_number, tag)
            result = [(node.id, None, None)]
        else:  # pragma: no cover - all transformation kinds are handled above
            raise JobGraphException(f"unknown transformation {type(t).__name__}")
        self._done[t.id] = result
        return result

    def _add_node(
        self, t: Transformation, pact: str, factory: OperatorFactory, inputs: list[_Handle]
    ) -> StreamNode:
        config = self._config
        parallelism = t.parallelism if t.parallelism != PARALLELISM_DEFAULT else config.parallelism
        if t.non_parallel:
            parallelism = 1
        if t.max_parallelism > 0:
            max_parallelism = t.max_parallelism
        elif config.max_parallelism > 0:
            max_parallelism = config.max_parallelism
        else:
            max_parallelism = compute_default_max_parallelism(parallelism)
        if max_parallelism < parallelism:
            raise JobGraphException(
                f"The maximum parallelism ({max_parallelism}) of '{t.name}' must not be smaller "
                f"than its parallelism ({parallelism}): raise set_max_parallelism()."
            )
        group = t.slot_sharing_group
        if group is None:
            groups = {self._graph.nodes[node_id].slot_sharing_group for node_id, _, _ in inputs}
            group = groups.pop() if len(groups) == 1 else DEFAULT_SLOT_SHARING_GROUP
        node = StreamNode(
            id=t.id,
            name=t.name,
            pact=pact,
            parallelism=parallelism,
            max_parallelism=max_parallelism,
            chaining_strategy=t.chaining_strategy,
            slot_sharing_group=group,
            buffer_timeout=t.buffer_timeout
            if t.buffer_timeout is not None
            else config.buffer_timeout,
            operator_factory=factory,
            output_type=t.output_type,
            uid=t.uid,
            shown=t.shown,
        )
        self._graph.nodes[node.id] = node
        return node

    def _add_edge(
        self,
        source_id: int,
        target: StreamNode,
        partitioner: PartitionerSpec | None,
        type_number: int = 0,
        side_output: str | None = None,
    ) -> None:
        source = self._graph.nodes[source_id]
        if partitioner is None:
            strategy = (
                ShipStrategy.FORWARD
                if source.parallelism == target.parallelism
                else ShipStrategy.REBALANCE
            )
            partitioner = PartitionerSpec(strategy)
        elif (
            partitioner.strategy is ShipStrategy.FORWARD
            and source.parallelism != target.parallelism
        ):
            raise JobGraphException(
                "Forward partitioning does not allow change of parallelism. Upstream operation: "
                f"{source.name}-{source.id} parallelism: {source.parallelism}, downstream "
                f"operation: {target.name}-{target.id} parallelism: {target.parallelism} You must "
                "use another partitioning strategy, such as broadcast, rebalance, shuffle or "
                "global."
            )
        edge = StreamEdge(source.id, target.id, partitioner, type_number, side_output)
        source.out_edges.append(edge)
        target.in_edges.append(edge)
