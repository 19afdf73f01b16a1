"""Chaining decisions (Flink's isChainable), checked on the job graph."""

from __future__ import annotations

from graph_helpers import job_graph_of

from kolk._graph.job_graph import JobGraph


def vertices(graph: JobGraph) -> list[tuple[str, int]]:
    return [(v.name, v.parallelism) for v in graph.vertices]


def edges(graph: JobGraph) -> list[tuple[str, str, str]]:
    return [
        (
            graph.vertex(e.source_vertex).name,
            graph.vertex(e.target_vertex).name,
            e.ship_strategy.value,
        )
        for e in graph.edges
    ]


SOURCE = "Source: Collection Source"
SINK = "Sink: Print to Std. Out"


def test_chaining_enabled_fuses_the_whole_pipeline_at_parallelism_1(make_env) -> None:
    env = make_env(1)
    env.from_collection([1, 2]).map(lambda x: x).filter(lambda x: x > 0).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(f"{SOURCE} -> Map -> Filter -> {SINK}", 1)]
    assert edges(graph) == []


def test_parallelism_change_cuts_the_chain_with_rebalance(make_env) -> None:
    env = make_env(2)
    env.from_collection([1, 2]).map(lambda x: x).filter(lambda x: x > 0).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(SOURCE, 1), (f"Map -> Filter -> {SINK}", 2)]
    assert edges(graph) == [(SOURCE, f"Map -> Filter -> {SINK}", "REBALANCE")]


def test_disable_operator_chaining_gives_every_operator_its_own_task(make_env) -> None:
    env = make_env(2)
    env.disable_operator_chaining()
    env.from_collection([1, 2]).map(lambda x: x).filter(lambda x: x > 0).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(SOURCE, 1), ("Map", 2), ("Filter", 2), (SINK, 2)]
    assert edges(graph) == [
        (SOURCE, "Map", "REBALANCE"),
        ("Map", "Filter", "FORWARD"),
        ("Filter", SINK, "FORWARD"),
    ]
    assert sum(v.parallelism for v in graph.vertices) == 7


def test_start_new_chain_begins_a_chain_that_successors_join(make_env) -> None:
    env = make_env(1)
    env.from_collection([1]).map(lambda x: x).filter(lambda x: x > 0).start_new_chain().print()
    assert vertices(job_graph_of(env)) == [(f"{SOURCE} -> Map", 1), (f"Filter -> {SINK}", 1)]


def test_disable_chaining_isolates_the_operator_on_both_sides(make_env) -> None:
    env = make_env(1)
    env.from_collection([1]).map(lambda x: x).disable_chaining().filter(lambda x: x > 0).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(SOURCE, 1), ("Map", 1), (f"Filter -> {SINK}", 1)]
    assert [e[2] for e in edges(graph)] == ["FORWARD", "FORWARD"]


def test_operator_parallelism_change_inside_a_pipeline(make_env) -> None:
    env = make_env(2)
    env.from_collection([1]).map(lambda x: x).set_parallelism(1).filter(lambda x: x > 0).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(f"{SOURCE} -> Map", 1), (f"Filter -> {SINK}", 2)]
    assert edges(graph) == [(f"{SOURCE} -> Map", f"Filter -> {SINK}", "REBALANCE")]


def test_key_by_is_a_hash_edge_never_chained(make_env) -> None:
    env = make_env(1)
    env.from_collection([("a", 1)]).key_by(lambda r: r[0]).reduce(lambda a, b: a).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(SOURCE, 1), (f"Reduce -> {SINK}", 1)]
    assert edges(graph) == [(SOURCE, f"Reduce -> {SINK}", "HASH")]
    reduce_node = graph.stream_graph.nodes[graph.vertices[1].node_ids[0]]
    assert reduce_node.is_keyed
    assert reduce_node.max_parallelism == 128


def test_an_operator_with_two_chained_outputs_is_named_with_parentheses(make_env) -> None:
    env = make_env(1)
    numbers = env.from_collection([1, 2]).map(lambda x: x)
    numbers.filter(lambda x: x > 1).print()
    numbers.map(lambda x: -x).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(f"{SOURCE} -> Map -> (Filter -> {SINK}, Map -> {SINK})", 1)]


def test_union_inputs_are_never_chained(make_env) -> None:
    env = make_env(1)
    a = env.from_collection([1])
    b = env.from_collection([2])
    a.union(b).map(lambda x: x).print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(SOURCE, 1), (SOURCE, 1), (f"Map -> {SINK}", 1)]
    assert [e[2] for e in edges(graph)] == ["FORWARD", "FORWARD"]


def test_explicit_partitioning_cuts_the_chain(make_env) -> None:
    env = make_env(1)
    env.from_collection([1]).rebalance().map(lambda x: x).shuffle().print()
    graph = job_graph_of(env)
    assert vertices(graph) == [(SOURCE, 1), ("Map", 1), (SINK, 1)]
    assert [e[2] for e in edges(graph)] == ["REBALANCE", "SHUFFLE"]


def test_different_slot_sharing_groups_do_not_chain(make_env) -> None:
    env = make_env(1)
    env.from_collection([1]).map(lambda x: x).slot_sharing_group("other").print()
    graph = job_graph_of(env)
    # The sink inherits the map's group, so only the source -> map edge is cut.
    assert vertices(graph) == [(SOURCE, 1), (f"Map -> {SINK}", 1)]
