"""StreamGraph generation: parallelism, partitioners, max parallelism, errors."""

from __future__ import annotations

import pytest
from graph_helpers import stream_graph_of

from kolk._graph.plan import stream_graph_json
from kolk.util.exceptions import JobGraphException


def test_default_partitioner_is_forward_or_rebalance_by_parallelism(make_env) -> None:
    env = make_env(3)
    env.from_collection([1]).map(lambda x: x).print()
    graph = stream_graph_of(env)
    strategies = {
        (e.source_id, e.target_id): e.ship_strategy.value
        for n in graph.nodes.values()
        for e in n.out_edges
    }
    assert sorted(strategies.values()) == ["FORWARD", "REBALANCE"]
    assert [n.parallelism for _, n in sorted(graph.nodes.items())] == [1, 3, 3]


def test_forward_across_a_parallelism_change_is_refused(make_env) -> None:
    env = make_env(2)
    env.from_collection([1]).forward().map(lambda x: x).print()
    with pytest.raises(
        JobGraphException, match="Forward partitioning does not allow change of parallelism"
    ):
        stream_graph_of(env)


def test_max_parallelism_follows_flinks_default_rule(make_env) -> None:
    env = make_env(200)
    env.from_collection([("a", 1)]).key_by(lambda r: r[0]).reduce(lambda a, b: a).print()
    graph = stream_graph_of(env)
    # roundUp(200 + 200 // 2) = 512 for the parallel operators; from_collection is forced
    # non-parallel (max parallelism 1), as Flink's forceNonParallel does.
    assert sorted(n.max_parallelism for n in graph.nodes.values()) == [1, 512, 512]
    assert [n.max_parallelism for n in graph.nodes.values() if n.is_keyed] == [512]


def test_environment_max_parallelism_applies_to_every_operator(make_env) -> None:
    env = make_env(2)
    env.set_max_parallelism(16)
    env.from_collection([("a", 1)]).key_by(lambda r: r[0]).reduce(lambda a, b: a).print()
    graph = stream_graph_of(env)
    assert {n.max_parallelism for n in graph.nodes.values() if n.parallelism == 2} == {16}


def test_execution_plan_json_has_flinks_shape_and_pretty_printing(make_env) -> None:
    env = make_env(2)
    env.disable_operator_chaining()
    env.from_collection([1, 2, 3]).map(lambda x: x * 2).filter(lambda x: x > 5).print()
    assert (
        env.get_execution_plan()
        == """{
  "nodes" : [ {
    "id" : 1,
    "type" : "Source: Collection Source",
    "pact" : "Data Source",
    "contents" : "Source: Collection Source",
    "parallelism" : 1
  }, {
    "id" : 2,
    "type" : "Map",
    "pact" : "Operator",
    "contents" : "Map",
    "parallelism" : 2,
    "predecessors" : [ {
      "id" : 1,
      "ship_strategy" : "REBALANCE",
      "side" : "second"
    } ]
  }, {
    "id" : 3,
    "type" : "Filter",
    "pact" : "Operator",
    "contents" : "Filter",
    "parallelism" : 2,
    "predecessors" : [ {
      "id" : 2,
      "ship_strategy" : "FORWARD",
      "side" : "second"
    } ]
  }, {
    "id" : 4,
    "type" : "Sink: Print to Std. Out",
    "pact" : "Data Sink",
    "contents" : "Sink: Print to Std. Out",
    "parallelism" : 2,
    "predecessors" : [ {
      "id" : 3,
      "ship_strategy" : "FORWARD",
      "side" : "second"
    } ]
  } ]
}"""
    )


def test_plan_lists_sinks_last_and_keyed_edges_as_hash(make_env) -> None:
    env = make_env(2)
    words = env.from_collection(["a", "b"])
    words.print()
    words.key_by(lambda w: w).reduce(lambda a, b: a + b).print()
    text = stream_graph_json(stream_graph_of(env))
    ids = [
        int(line.split(":")[1].strip(" ,"))
        for line in text.splitlines()
        if line.startswith('    "id"')
    ]
    assert ids == [1, 4, 2, 5]  # source, reduce (4), then the two sinks (2, 5) by id
    assert '"ship_strategy" : "HASH"' in text
