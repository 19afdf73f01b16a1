"""The JobGraph: operator chains as job vertices, connected by job edges.

Flink's ``StreamingJobGraphGenerator.createChain``: starting from each source, follow the
chainable out-edges (:func:`kolk._graph.chaining.is_chainable`) to build a chain; every other
out-edge becomes a job edge whose target starts a new chain. A vertex is named after its chain
(``createChainedName``): ``A``, ``A -> B``, or ``A -> (B, C)`` when an operator has several
chained outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from kolk._graph.chaining import is_chainable
from kolk._graph.stream_graph import StreamEdge, StreamGraph, StreamNode
from kolk._graph.transformations import ShipStrategy

__all__ = ["JobEdge", "JobGraph", "JobVertex", "create_job_graph"]

#: Ship strategies whose producers connect to a subset of consumers (pointwise).
POINTWISE_STRATEGIES = frozenset({ShipStrategy.FORWARD, ShipStrategy.RESCALE})


@dataclass(frozen=True)
class JobEdge:
    """A non-chained stream edge between two vertices (an intermediate result).

    Attributes:
        index: position in the job graph's edge list (stable ids for partitions).
        source_vertex: producing vertex id; source_node: the operator producing the records.
        target_vertex: consuming vertex id; target_node: the chain head consuming them.
        stream_edge: the underlying stream edge (partitioner, key selector, ...).
    """

    index: int
    source_vertex: int
    source_node: int
    target_vertex: int
    target_node: int
    stream_edge: StreamEdge

    @property
    def ship_strategy(self) -> ShipStrategy:
        """The edge's ship strategy."""
        return self.stream_edge.ship_strategy

    @property
    def is_pointwise(self) -> bool:
        """True for FORWARD/RESCALE: each producer feeds a subset of consumers."""
        return self.ship_strategy in POINTWISE_STRATEGIES


@dataclass(frozen=True)
class JobVertex:
    """One operator chain; runs as ``parallelism`` subtasks.

    Attributes:
        id: the chain head's node id.
        name: the chained name, e.g. ``"Source: Collection Source -> Map -> Filter"``.
        node_ids: the chain's operators, head first, in depth-first order.
        parallelism: subtasks.
        max_parallelism: the head's max parallelism.
    """

    id: int
    name: str
    node_ids: tuple[int, ...]
    parallelism: int
    max_parallelism: int


@dataclass(frozen=True)
class JobGraph:
    """Vertices (topological order) and edges of a job."""

    job_name: str
    stream_graph: StreamGraph
    vertices: tuple[JobVertex, ...]
    edges: tuple[JobEdge, ...]

    def vertex(self, vertex_id: int) -> JobVertex:
        """The vertex with the given id."""
        for vertex in self.vertices:
            if vertex.id == vertex_id:
                return vertex
        raise KeyError(vertex_id)

    def inputs_of(self, vertex_id: int) -> list[JobEdge]:
        """Job edges into a vertex, in edge order."""
        return [e for e in self.edges if e.target_vertex == vertex_id]

    def outputs_of(self, vertex_id: int) -> list[JobEdge]:
        """Job edges out of a vertex, in edge order."""
        return [e for e in self.edges if e.source_vertex == vertex_id]


def _chained_name(node: StreamNode, graph: StreamGraph) -> str:
    """Flink's chained name (``A -> B``, ``A -> (B, C)``); a node that is not shown gives
    only its successors' part."""
    children = [graph.nodes[e.target_id] for e in node.out_edges if is_chainable(e, graph)]
    parts = [part for part in (_chained_name(c, graph) for c in children) if part]
    rest = parts[0] if len(parts) == 1 else f"({', '.join(parts)})" if parts else ""
    if not node.shown:
        return rest
    return f"{node.name} -> {rest}" if rest else node.name


def create_job_graph(graph: StreamGraph) -> JobGraph:
    """Chains the StreamGraph's operators into job vertices."""
    vertices: list[JobVertex] = []
    pending_edges: list[tuple[int, StreamEdge]] = []  # (source vertex id, non-chained edge)
    vertex_of: dict[int, int] = {}
    heads: list[int] = [n.id for n in graph.sources()]
    seen_heads: set[int] = set()
    while heads:
        head_id = heads.pop(0)
        if head_id in seen_heads:
            continue
        seen_heads.add(head_id)
        head = graph.nodes[head_id]
        chain: list[int] = []
        stack = [head]
        while stack:
            node = stack.pop()
            chain.append(node.id)
            vertex_of[node.id] = head_id
            chained = []
            for edge in node.out_edges:
                if is_chainable(edge, graph):
                    chained.append(graph.nodes[edge.target_id])
                else:
                    pending_edges.append((head_id, edge))
                    heads.append(edge.target_id)
            stack.extend(reversed(chained))
        vertices.append(
            JobVertex(
                id=head_id,
                name=_chained_name(head, graph),
                node_ids=tuple(chain),
                parallelism=head.parallelism,
                max_parallelism=head.max_parallelism,
            )
        )
    edges = tuple(
        JobEdge(i, source_vertex, edge.source_id, vertex_of[edge.target_id], edge.target_id, edge)
        for i, (source_vertex, edge) in enumerate(pending_edges)
    )
    return JobGraph(graph.job_name, graph, _topological(vertices, edges), edges)


def _topological(vertices: list[JobVertex], edges: tuple[JobEdge, ...]) -> tuple[JobVertex, ...]:
    remaining = list(vertices)
    placed: set[int] = set()
    ordered: list[JobVertex] = []
    while remaining:
        for vertex in remaining:
            if all(e.source_vertex in placed for e in edges if e.target_vertex == vertex.id):
                ordered.append(vertex)
                placed.add(vertex.id)
                remaining.remove(vertex)
                break
        else:  # pragma: no cover - a stream graph has no cycles without iterations
            raise ValueError("cycle in job graph")
    return tuple(ordered)
