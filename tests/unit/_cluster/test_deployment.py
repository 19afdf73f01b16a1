"""Expanding a job graph into subtasks and channels."""

from __future__ import annotations

from kolk._cluster.deployment import build_deployment, pointwise_targets
from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk.datastream import StreamExecutionEnvironment


def test_pointwise_targets_follow_flinks_pattern() -> None:
    assert [pointwise_targets(2, 2, i) for i in range(2)] == [[0], [1]]
    assert [pointwise_targets(2, 4, i) for i in range(2)] == [[0, 1], [2, 3]]
    assert [pointwise_targets(4, 2, i) for i in range(4)] == [[0], [0], [1], [1]]


def deployment_of(env: StreamExecutionEnvironment):
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    return build_deployment(create_job_graph(graph))


def test_all_to_all_edges_connect_every_producer_to_every_consumer() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(3)
    env.from_collection([("a", 1)]).key_by(lambda r: r[0]).reduce(lambda a, b: a).print()
    deployment = deployment_of(env)
    names = [t.task_name_with_subtasks for t in deployment.tasks]
    assert names == [
        "Source: Collection Source (1/1)",
        "Reduce -> Sink: Print to Std. Out (1/3)",
        "Reduce -> Sink: Print to Std. Out (2/3)",
        "Reduce -> Sink: Print to Std. Out (3/3)",
    ]
    assert deployment.tasks[0].outputs[0].num_subpartitions == 3
    assert [t.inputs[0].num_channels for t in deployment.tasks[1:]] == [1, 1, 1]
    assert sorted((c.subpartition, c.consumer) for c in deployment.connections) == [
        (0, 1),
        (1, 2),
        (2, 3),
    ]


def test_forward_edges_connect_subtask_i_to_subtask_i() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.disable_operator_chaining()
    env.from_collection([1]).rebalance().map(lambda x: x).print()
    deployment = deployment_of(env)
    forward = [
        c for c in deployment.connections if deployment.tasks[c.producer].vertex_name == "Map"
    ]
    assert sorted((c.producer, c.consumer, c.subpartition, c.channel) for c in forward) == [
        (1, 3, 0, 0),
        (2, 4, 0, 0),
    ]
