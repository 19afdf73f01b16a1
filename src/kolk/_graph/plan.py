"""Plans for people: the StreamGraph as Flink's JSON, and the JobGraph as text.

``env.get_execution_plan()`` returns the StreamGraph in the format of Flink's
``JSONGenerator`` (nodes with id, type, pact, contents, parallelism and predecessors with
ship_strategy; ``side`` is always ``"second"``, as in Flink), pretty-printed the way Jackson's
``DefaultPrettyPrinter`` does. Node order: sinks last, then by id; each step emits the first
remaining node whose inputs have all been emitted.
"""

from __future__ import annotations

from typing import Any

from kolk._graph.config import JobConfig
from kolk._graph.job_graph import JobGraph
from kolk._graph.stream_graph import StreamGraph, StreamGraphGenerator
from kolk._graph.transformations import Transformation

__all__ = ["describe_job_graph", "execution_plan_json", "stream_graph_json"]


def execution_plan_json(transformations: list[Transformation], config: JobConfig) -> str:
    """The execution plan of the transformations as Flink-format JSON."""
    return stream_graph_json(StreamGraphGenerator(transformations, config).generate())


def stream_graph_json(graph: StreamGraph) -> str:
    """The StreamGraph as Flink-format JSON."""
    sink_ids = {n.id for n in graph.sinks()}
    remaining = sorted(graph.nodes, key=lambda i: (i in sink_ids, i))
    emitted: set[int] = set()
    nodes: list[dict[str, Any]] = []
    while remaining:
        for node_id in remaining:
            node = graph.nodes[node_id]
            if all(e.source_id in emitted for e in node.in_edges):
                break
        else:  # pragma: no cover - no cycles
            raise ValueError("cycle in stream graph")
        remaining.remove(node_id)
        emitted.add(node_id)
        if not node.shown:
            continue
        entry: dict[str, Any] = {
            "id": node.id,
            "type": node.name,
            "pact": node.pact,
            "contents": node.name,
            "parallelism": node.parallelism,
        }
        if node.in_edges:
            entry["predecessors"] = [
                {
                    "id": _shown_source(graph, e.source_id),
                    "ship_strategy": e.ship_strategy.value,
                    "side": "second",
                }
                for e in node.in_edges
            ]
        nodes.append(entry)
    return _jackson_pretty({"nodes": nodes})


def _shown_source(graph: StreamGraph, node_id: int) -> int:
    """The node itself, or for a node plans leave out, the shown node it follows."""
    node = graph.nodes[node_id]
    while not node.shown and node.in_edges:
        node = graph.nodes[node.in_edges[0].source_id]
    return node.id


def _jackson_pretty(value: Any, level: int = 0) -> str:
    """Jackson DefaultPrettyPrinter: objects indent by 2 per level, arrays stay inline."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        pad = "  " * (level + 1)
        fields = [f'{pad}"{k}" : {_jackson_pretty(v, level + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(fields) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(_jackson_pretty(v, level) for v in value) + " ]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return str(value)


def describe_job_graph(job_graph: JobGraph, config: JobConfig) -> str:
    """A readable account of chaining: vertices with their operators, then edges."""
    timeout = config.buffer_timeout
    lines = [
        f"Job: {job_graph.job_name}",
        f"  chaining {'enabled' if config.chaining_enabled else 'disabled'}, "
        f"buffer timeout {timeout} ms, "
        f"{sum(v.parallelism for v in job_graph.vertices)} subtasks "
        f"in {len(job_graph.vertices)} tasks",
        "",
        "Tasks (job vertices):",
    ]
    numbers = {v.id: i + 1 for i, v in enumerate(job_graph.vertices)}
    for vertex in job_graph.vertices:
        lines.append(f"  [{numbers[vertex.id]}] {vertex.name}  (parallelism {vertex.parallelism})")
    lines.append("")
    lines.append("Edges:")
    if not job_graph.edges:
        lines.append("  (none: the whole job is one chain)")
    for edge in job_graph.edges:
        source = job_graph.vertex(edge.source_vertex)
        target = job_graph.vertex(edge.target_vertex)
        lines.append(
            f"  [{numbers[source.id]}] -> [{numbers[target.id]}]  {edge.ship_strategy.value}  "
            f"({source.parallelism} -> {target.parallelism} subtasks)"
        )
    return "\n".join(lines)
