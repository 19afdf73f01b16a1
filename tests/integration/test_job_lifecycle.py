"""The environment around a job: print sinks and their prefixes, running a program twice,
the execution plan, and chaining switches that must not change what a job prints."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from printed_output import assert_records, by_subtask, parse_printed

from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._runtime.key_groups import KeyGroupAssigner
from kolk.common import JobExecutionResult
from kolk.datastream import StreamExecutionEnvironment

ASSIGNER = KeyGroupAssigner(128)
WORDS = ["hello", "world", "hello", "flink", "world", "hello"]


# -- print() prefixes ----------------------------------------------------------------------------


def test_print_without_identifier(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(["a", "b", "c"]).map(lambda s: s).print()

    env.execute()

    out = capsys.readouterr().out
    if parallelism == 1:
        assert out == "a\nb\nc\n"  # no prefix at all
    assert_records(parse_printed(out, parallelism), ["a", "b", "c"], parallelism)


def test_print_with_identifier(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # "id:N> " above parallelism 1, "id> " at 1 (Flink's PrintSinkOutputWriter).
    env.from_collection(["a", "b", "c"]).map(lambda s: s).print("id")

    env.execute()

    out = capsys.readouterr().out
    if parallelism == 1:
        assert out == "id> a\nid> b\nid> c\n"
    assert_records(parse_printed(out, parallelism, "id"), ["a", "b", "c"], parallelism)


def test_keyed_stream_print_drops_the_identifier(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # PyFlink's KeyedStream.print is self._values().print(): the id is not passed on.
    env.from_collection(WORDS).key_by(lambda w: w).print("ignored")

    env.execute()

    out = capsys.readouterr().out
    assert "ignored" not in out
    printed = parse_printed(out, parallelism)
    expected: dict[int, list[str]] = {}
    for word in WORDS:
        expected.setdefault(ASSIGNER.operator_index(word, parallelism), []).append(word)
    assert by_subtask(printed) == expected


def test_sink_parallelism_decides_the_prefix(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(["a", "b"]).map(lambda s: s).print("one").set_parallelism(1)

    env.execute()

    assert sorted(capsys.readouterr().out.splitlines()) == ["one> a", "one> b"]


# -- running programs ----------------------------------------------------------------------------


def test_a_program_can_execute_twice_and_execute_clears_its_operators(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection([1, 2, 3]).map(lambda x: x * 10).print()
    first = env.execute("first")
    first_out = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(first_out, ["10", "20", "30"], parallelism)

    # execute() forgot the operators (Flink: getStreamGraph(clearTransformations=true)).
    with pytest.raises(RuntimeError, match="No operators defined in streaming topology"):
        env.execute("nothing")

    env.from_collection([4, 5]).map(lambda x: x * 100).print()
    second = env.execute("second")
    second_out = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(second_out, ["400", "500"], parallelism)

    assert isinstance(first, JobExecutionResult)
    assert isinstance(second, JobExecutionResult)
    assert first.get_job_id() != second.get_job_id()
    assert first.get_net_runtime() >= 0


def test_get_execution_plan_is_flinks_json_and_keeps_the_operators(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(WORDS).map(lambda w: w).key_by(lambda w: w).map(lambda w: w).print()

    plan_text = env.get_execution_plan()
    assert env.get_execution_plan() == plan_text, "the plan leaves the program as it was"
    plan = json.loads(plan_text)

    assert list(plan) == ["nodes"]
    nodes = plan["nodes"]
    assert [n["type"] for n in nodes] == [
        "Source: Collection Source",
        "Map",
        "Map",
        "Sink: Print to Std. Out",
    ]
    assert [n["pact"] for n in nodes] == ["Data Source", "Operator", "Operator", "Data Sink"]
    assert [n["contents"] for n in nodes] == [n["type"] for n in nodes]
    assert [n["parallelism"] for n in nodes] == [1, parallelism, parallelism, parallelism]
    ids = [n["id"] for n in nodes]
    assert ids == sorted(ids)
    assert "predecessors" not in nodes[0]
    for node in nodes:
        assert list(node)[:5] == ["id", "type", "pact", "contents", "parallelism"]
    strategies = [
        [(p["id"], p["ship_strategy"], p["side"]) for p in n["predecessors"]] for n in nodes[1:]
    ]
    first_edge = "FORWARD" if parallelism == 1 else "REBALANCE"
    assert strategies == [
        [(ids[0], first_edge, "second")],
        [(ids[1], "HASH", "second")],
        [(ids[2], "FORWARD", "second")],
    ]
    # Jackson's pretty printer, as Flink writes it.
    assert plan_text.startswith('{\n  "nodes" : [ {\n    "id" : ')
    assert '"ship_strategy" : "HASH",' in plan_text

    env.execute()  # the plan did not consume the operators
    assert len(capsys.readouterr().out.splitlines()) == len(WORDS)


# -- chaining switches change tasks, never output ------------------------------------------------


def _stateless(env: StreamExecutionEnvironment, variant: str) -> None:
    mapped = env.from_collection(list(range(20))).map(lambda x: x + 1)
    filtered = mapped.filter(lambda x: x % 3 != 0)
    if variant == "start_new_chain":
        filtered.start_new_chain()
    if variant == "disable_chaining":
        mapped.disable_chaining()
    filtered.map(lambda x: f"v{x}").print()


def _keyed(env: StreamExecutionEnvironment, variant: str) -> None:
    # Keyed straight from the one source subtask: one channel per keyed subtask, so each
    # subtask's output order is fixed (a rebalanced map before key_by would give two).
    counted = (
        env.from_collection([(w, 1) for w in WORDS])
        .key_by(lambda p: p[0])
        .reduce(lambda a, b: (a[0], a[1] + b[1]))
    )
    shown = counted.map(lambda p: f"{p[0]}={p[1]}")
    if variant == "start_new_chain":
        shown.start_new_chain()
    if variant == "disable_chaining":
        counted.disable_chaining()
    shown.print()


VARIANTS = ["enabled", "disable_operator_chaining", "start_new_chain", "disable_chaining"]


def _run(
    parallelism: int,
    build: Callable[[StreamExecutionEnvironment, str], None],
    variant: str,
    capsys: pytest.CaptureFixture[str],
) -> tuple[list[tuple[int, str]], int]:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    if variant == "disable_operator_chaining":
        env.disable_operator_chaining()
    build(env, variant)
    stream_graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    tasks = len(create_job_graph(stream_graph).vertices)
    env.execute()
    return parse_printed(capsys.readouterr().out, parallelism), tasks


@pytest.mark.parametrize("variant", VARIANTS[1:])
def test_chaining_switches_do_not_change_stateless_output(
    parallelism: int, capsys: pytest.CaptureFixture[str], variant: str
) -> None:
    reference, chained_tasks = _run(parallelism, _stateless, "enabled", capsys)
    printed, tasks = _run(parallelism, _stateless, variant, capsys)

    assert tasks > chained_tasks, "the switch must really split the chain"
    assert_records(printed, [text for _, text in reference], parallelism)


@pytest.mark.parametrize("variant", VARIANTS[1:])
def test_chaining_switches_do_not_change_keyed_output(
    parallelism: int, capsys: pytest.CaptureFixture[str], variant: str
) -> None:
    reference, chained_tasks = _run(parallelism, _keyed, "enabled", capsys)
    printed, tasks = _run(parallelism, _keyed, variant, capsys)

    assert tasks > chained_tasks, "the switch must really split the chain"
    # Keyed: the same subtask prints the same records in the same order.
    assert by_subtask(printed) == by_subtask(reference)
    assert sorted(text for _, text in printed) == sorted(
        ["hello=1", "hello=2", "hello=3", "world=1", "world=2", "flink=1"]
    )
