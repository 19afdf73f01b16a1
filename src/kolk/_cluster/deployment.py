"""From JobGraph to deployable subtasks (Flink's ExecutionGraph + TaskDeploymentDescriptors).

Each job vertex expands to ``parallelism`` subtasks. Each job edge becomes, per producer
subtask, one result partition whose subpartitions feed consumer input channels:
all-to-all for HASH, REBALANCE, SHUFFLE, BROADCAST, GLOBAL and CUSTOM; pointwise for FORWARD
and RESCALE (Flink's ``DistributionPattern.POINTWISE``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kolk._graph.job_graph import JobEdge, JobGraph, JobVertex
from kolk._runtime.network.buffer import buffer_capacity_for_segment_size
from kolk._runtime.tasks.deployment import InputConfig, OperatorConfig, OutputConfig, TaskConfig
from kolk._runtime.tasks.executor import ChannelConnection

__all__ = ["Deployment", "build_deployment", "pointwise_targets"]

#: ``taskmanager.memory.segment-size`` default (32 KiB).
DEFAULT_SEGMENT_SIZE = 32 * 1024


@dataclass(frozen=True)
class Deployment:
    """All subtasks of a job and the wiring between them.

    Attributes:
        tasks: one TaskConfig per subtask, vertex by vertex in topological order.
        connections: subpartition → channel links (indices into ``tasks``).
    """

    tasks: tuple[TaskConfig, ...]
    connections: tuple[ChannelConnection, ...]


def pointwise_targets(producers: int, consumers: int, producer: int) -> list[int]:
    """Consumer subtasks a pointwise producer feeds (Flink's POINTWISE pattern)."""
    if producers == consumers:
        return [producer]
    if producers < consumers:
        start = producer * consumers // producers
        end = (producer + 1) * consumers // producers
        return list(range(start, end))
    return [producer * consumers // producers]


def _segment_size(configuration: dict[str, str]) -> int:
    raw = configuration.get("taskmanager.memory.segment-size")
    if raw is None:
        return DEFAULT_SEGMENT_SIZE
    text = raw.strip().lower().replace(" ", "")
    units = {"kb": 1024, "k": 1024, "mb": 1024 * 1024, "m": 1024 * 1024, "b": 1}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return int(text[: -len(suffix)]) * factor
    return int(text)


def build_deployment(job_graph: JobGraph, seed: int | None = None) -> Deployment:
    """Expands the job graph into subtasks and channel connections."""
    graph = job_graph.stream_graph
    config = graph.config
    capacity = buffer_capacity_for_segment_size(_segment_size(dict(config.configuration)))
    task_index: dict[tuple[int, int], int] = {}
    configs: list[TaskConfig] = []
    connections: list[ChannelConnection] = []

    # Consumer channel layout per edge: channel index of (producer subtask) at each consumer.
    channels_of: dict[int, dict[int, list[int]]] = {}
    for edge in job_graph.edges:
        up = job_graph.vertex(edge.source_vertex).parallelism
        down = job_graph.vertex(edge.target_vertex).parallelism
        per_consumer: dict[int, list[int]] = {j: [] for j in range(down)}
        for i in range(up):
            targets = pointwise_targets(up, down, i) if edge.is_pointwise else range(down)
            for j in targets:
                per_consumer[j].append(i)
        channels_of[edge.index] = per_consumer

    for vertex in job_graph.vertices:
        outputs = job_graph.outputs_of(vertex.id)
        inputs = job_graph.inputs_of(vertex.id)
        for subtask in range(vertex.parallelism):
            task_index[(vertex.id, subtask)] = len(configs)
            configs.append(
                TaskConfig(
                    job_name=job_graph.job_name,
                    vertex_name=vertex.name,
                    subtask_index=subtask,
                    parallelism=vertex.parallelism,
                    max_parallelism=vertex.max_parallelism,
                    operators=_operator_configs(vertex, outputs, job_graph),
                    outputs=tuple(_output_config(e, job_graph, subtask) for e in outputs),
                    inputs=tuple(
                        InputConfig(
                            f"edge {e.index} from {job_graph.vertex(e.source_vertex).name}",
                            len(channels_of[e.index][subtask]),
                            e.stream_edge.type_number,
                        )
                        for e in inputs
                    ),
                    buffer_capacity=capacity,
                    auto_watermark_interval=config.auto_watermark_interval,
                    seed=None if seed is None else seed * 1_000_003 + len(configs),
                    job_parameters=dict(config.configuration),
                )
            )

    for edge in job_graph.edges:
        up = job_graph.vertex(edge.source_vertex).parallelism
        down = job_graph.vertex(edge.target_vertex).parallelism
        output_index = job_graph.outputs_of(edge.source_vertex).index(edge)
        input_index = job_graph.inputs_of(edge.target_vertex).index(edge)
        for i in range(up):
            targets = pointwise_targets(up, down, i) if edge.is_pointwise else list(range(down))
            for subpartition, j in enumerate(targets):
                connections.append(
                    ChannelConnection(
                        producer=task_index[(edge.source_vertex, i)],
                        output=output_index,
                        subpartition=subpartition,
                        consumer=task_index[(edge.target_vertex, j)],
                        input=input_index,
                        channel=channels_of[edge.index][j].index(i),
                    )
                )
    return Deployment(tuple(configs), tuple(connections))


def _operator_configs(
    vertex: JobVertex, outputs: list[JobEdge], job_graph: JobGraph
) -> tuple[OperatorConfig, ...]:
    graph = job_graph.stream_graph
    position = {node_id: i for i, node_id in enumerate(vertex.node_ids)}
    result = []
    for node_id in vertex.node_ids:
        node = graph.nodes[node_id]
        chained_edges = [
            e for e in node.out_edges if e.target_id in position and position[e.target_id] != 0
        ]
        network_edges = [(i, e) for i, e in enumerate(outputs) if e.source_node == node_id]
        chained = tuple(position[e.target_id] for e in chained_edges if e.side_output is None)
        network = tuple(i for i, e in network_edges if e.stream_edge.side_output is None)
        side_chained = tuple(
            (e.side_output, position[e.target_id]) for e in chained_edges if e.side_output
        )
        side_network = tuple(
            (e.stream_edge.side_output, i) for i, e in network_edges if e.stream_edge.side_output
        )
        result.append(
            OperatorConfig(
                index=position[node_id],
                name=node.name,
                factory=node.operator_factory,
                keyed=node.is_keyed,
                key_selector=node.state_key_selector,
                key_selector2=node.state_key_selector2,
                key_type=node.state_key_type,
                timestamped_input=any(graph.nodes[e.source_id].timestamped for e in node.in_edges),
                chained_outputs=chained,
                network_outputs=network,
                side_chained_outputs=side_chained,
                side_network_outputs=side_network,
            )
        )
    return tuple(result)


def _output_config(edge: JobEdge, job_graph: JobGraph, subtask: int) -> OutputConfig:
    up = job_graph.vertex(edge.source_vertex).parallelism
    down = job_graph.vertex(edge.target_vertex).parallelism
    node = job_graph.stream_graph.nodes[edge.source_node]
    target = job_graph.stream_graph.nodes[edge.target_node]
    spec = edge.stream_edge.partitioner
    num = len(pointwise_targets(up, down, subtask)) if edge.is_pointwise else down
    return OutputConfig(
        name=f"edge {edge.index} to {job_graph.vertex(edge.target_vertex).name}",
        ship_strategy=edge.ship_strategy.value,
        num_subpartitions=num,
        buffer_timeout=node.buffer_timeout,
        key_selector=spec.key_selector,
        key_type=spec.key_type,
        max_parallelism=target.max_parallelism,
        partitioner=spec.partitioner,
        type_info=None if edge.stream_edge.side_output else node.output_type,
    )
