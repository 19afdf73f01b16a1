"""Whole jobs through the public API at parallelism 1, 2 and 4: records, keys, functions.

Every test takes the ``parallelism`` fixture (through ``env``). At p = 1 printed output is
compared exactly; above it as a multiset, plus the facts that do not depend on scheduling:
a keyed record is printed by the subtask its key is assigned to
(``KeyGroupAssigner(128).operator_index``), and each subtask prints its records in input order
(one upstream channel, FIFO), so keyed jobs are compared subtask by subtask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from printed_output import assert_records, by_subtask, parse_printed

from kolk._runtime.key_groups import KeyGroupAssigner
from kolk.datastream import (
    FilterFunction,
    FlatMapFunction,
    KeyedProcessFunction,
    MapFunction,
    ReduceFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import ValueStateDescriptor

#: Flink's default max parallelism for p <= 85 (128 key groups).
ASSIGNER = KeyGroupAssigner(128)

#: Seed keys that PyFlink puts on subtask index 1 / 0 at parallelism 2 (pyflink_behaviour §2.2).
SEED_KEYS_ON_SUBTASK_1 = ["user1", "user2", "user3", "hello", "machine1", "machine2"]
SEED_KEYS_ON_SUBTASK_0 = ["world", "flink", "A", "B"]

#: The seed word count's input (07a): hello on subtask 1, world and flink on 0 at p = 2.
WORDS = ["hello", "world", "hello", "flink", "world", "hello"]

LIFECYCLE = "#lifecycle "


def keyed_expectation(records: Iterable[tuple[Any, str]], parallelism: int) -> dict[int, list[str]]:
    """(key, printed text) pairs in input order → what each subtask must print, in order."""
    expected: dict[int, list[str]] = {}
    for key, text in records:
        expected.setdefault(ASSIGNER.operator_index(key, parallelism), []).append(text)
    return expected


def split_lifecycle(text: str) -> tuple[list[str], str]:
    """Separates the user functions' own ``print()`` lines (marked) from the sink's lines."""
    lifecycle, sink = [], []
    for line in text.splitlines(keepends=True):
        (lifecycle if line.startswith(LIFECYCLE) else sink).append(line)
    return [line[len(LIFECYCLE) :].rstrip("\n") for line in lifecycle], "".join(sink)


# -- stateless operators -------------------------------------------------------------------------


def test_map_filter_flat_map_with_lambdas(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(list(range(12))).map(lambda x: x * 3).filter(lambda x: x % 2 == 0).flat_map(
        lambda x: [x, x + 1]
    ).print()

    env.execute()

    expected = [str(v) for x in range(12) if (x * 3) % 2 == 0 for v in (x * 3, x * 3 + 1)]
    assert_records(parse_printed(capsys.readouterr().out, parallelism), expected, parallelism)


class Triple(MapFunction):
    def map(self, value: int) -> int:
        return value * 3


class IsEven(FilterFunction):
    def filter(self, value: int) -> bool:
        return value % 2 == 0


class AndNext(FlatMapFunction):
    def flat_map(self, value: int) -> Any:
        yield value
        yield value + 1


def test_function_subclasses_give_the_same_output_as_lambdas(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(list(range(12))).map(Triple()).filter(IsEven()).flat_map(AndNext()).print()

    env.execute()

    expected = [str(v) for x in range(12) if (x * 3) % 2 == 0 for v in (x * 3, x * 3 + 1)]
    assert_records(parse_printed(capsys.readouterr().out, parallelism), expected, parallelism)


def test_flat_map_may_return_a_list_or_yield_and_emit_nothing(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(["a b", "", "c"]).flat_map(lambda line: line.split()).print()

    env.execute()

    assert_records(
        parse_printed(capsys.readouterr().out, parallelism), ["a", "b", "c"], parallelism
    )


class Announcing(MapFunction):
    """Prints its life cycle: ``open <subtask index>`` and ``close``.

    ``close`` prints no index: see test_each_subtask_has_its_own_function_instance for why an
    index kept on ``self`` cannot be trusted in kolk today.
    """

    def open(self, runtime_context: RuntimeContext) -> None:
        print(f"{LIFECYCLE}open {runtime_context.get_index_of_this_subtask()}")

    def map(self, value: Any) -> Any:
        return value

    def close(self) -> None:
        print(f"{LIFECYCLE}close")


def test_open_and_close_run_once_per_subtask_that_received_records(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # Three records, round robin from the one source subtask: min(3, p) subtasks get one.
    env.from_collection(["x", "y", "z"]).map(Announcing()).print()

    env.execute()

    lifecycle, sink = split_lifecycle(capsys.readouterr().out)
    opened = sorted(int(line.split()[1]) for line in lifecycle if line.startswith("open"))
    assert len(opened) == min(3, parallelism)
    assert len(set(opened)) == len(opened)
    assert lifecycle.count("close") == len(opened)
    if parallelism == 1:
        assert lifecycle == ["open 0", "close"]
    assert_records(parse_printed(sink, parallelism), ["x", "y", "z"], parallelism)


# -- keyed state ---------------------------------------------------------------------------------


class CountPerKey(KeyedProcessFunction):
    """The seed's counting function: ValueState per key, outputs yielded."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("count", None))

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context) -> Any:
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        yield f"Word: {value}, Count: {count}"


class CountPerKeyReturningList(CountPerKey):
    """The same, returning a list instead of yielding."""

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context) -> Any:
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        return [f"Word: {value}, Count: {count}"]


WORD_COUNTS = [
    ("hello", "Word: hello, Count: 1"),
    ("world", "Word: world, Count: 1"),
    ("hello", "Word: hello, Count: 2"),
    ("flink", "Word: flink, Count: 1"),
    ("world", "Word: world, Count: 2"),
    ("hello", "Word: hello, Count: 3"),
]


@pytest.mark.parametrize("function", [CountPerKey, CountPerKeyReturningList])
def test_keyed_process_function_with_value_state(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    function: Callable[[], KeyedProcessFunction],
) -> None:
    env.from_collection(WORDS).key_by(lambda w: w).process(function()).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == keyed_expectation(WORD_COUNTS, parallelism)


def test_seed_keys_land_on_the_subtasks_pyflink_puts_them_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A fixed fact of PyFlink at p = 2, hence no parallelism fixture here.
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    keys = SEED_KEYS_ON_SUBTASK_1 + SEED_KEYS_ON_SUBTASK_0
    env.from_collection(keys).key_by(lambda k: k).map(lambda k: k).print()

    env.execute()

    out = capsys.readouterr().out.splitlines()
    assert sorted(out) == sorted(
        [f"2> {k}" for k in SEED_KEYS_ON_SUBTASK_1] + [f"1> {k}" for k in SEED_KEYS_ON_SUBTASK_0]
    )


class AnnouncingCounter(CountPerKey):
    def open(self, runtime_context: RuntimeContext) -> None:
        super().open(runtime_context)
        print(f"{LIFECYCLE}open {runtime_context.get_index_of_this_subtask()}")

    def close(self) -> None:
        print(f"{LIFECYCLE}close")


def test_keyed_function_opens_and_closes_only_where_its_keys_are(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # user1..3 all hash to subtask 1 at p = 2 (the reason seed 07b prints its final line once).
    keys = ["user1", "user2", "user1", "user3", "user2", "user1"]
    env.from_collection(keys).key_by(lambda k: k).process(AnnouncingCounter()).print()

    env.execute()

    out = capsys.readouterr().out
    lifecycle, sink = split_lifecycle(out)
    subtasks = sorted({ASSIGNER.operator_index(k, parallelism) for k in keys})
    assert sorted(line for line in lifecycle if line.startswith("open")) == [
        f"open {i}" for i in subtasks
    ]
    assert lifecycle.count("close") == len(subtasks)
    if parallelism in (1, 2):
        # One subtask holds every key: open before its first record, close after its last.
        assert subtasks == [0 if parallelism == 1 else 1]
        lines = out.splitlines()
        sink_lines = [n for n, line in enumerate(lines) if not line.startswith(LIFECYCLE)]
        assert lines[0] == f"{LIFECYCLE}open {subtasks[0]}"
        assert lines[-1] == f"{LIFECYCLE}close"
        assert sink_lines == list(range(1, len(lines) - 1))
    counts: dict[str, int] = {}
    expected = []
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
        expected.append((key, f"Word: {key}, Count: {counts[key]}"))
    printed = parse_printed(sink, parallelism)
    assert by_subtask(printed) == keyed_expectation(expected, parallelism)


class KeyAndValue(KeyedProcessFunction):
    def process_element(self, value: tuple[str, int], ctx: KeyedProcessFunction.Context) -> Any:
        yield f"{ctx.get_current_key()!r} <- {value!r}"


def test_get_current_key_is_the_key_selectors_result(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [("hello", 1), ("world", 2), ("flink", 3), ("hello", 4)]
    env.from_collection(records).key_by(lambda r: (r[0], len(r[0]))).process(KeyAndValue()).print()

    env.execute()

    expected = [((w, len(w)), f"{(w, len(w))!r} <- {(w, n)!r}") for w, n in records]
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == keyed_expectation(expected, parallelism)


class StatefulMap(MapFunction):
    """Keyed state works in a map applied to a KeyedStream, as in PyFlink."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.seen = runtime_context.get_state(ValueStateDescriptor("seen", None))

    def map(self, value: str) -> str:
        seen = (self.seen.value() or 0) + 1
        self.seen.update(seen)
        return f"{value}#{seen}"


def test_keyed_state_in_a_map_on_a_keyed_stream(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(WORDS).key_by(lambda w: w).map(StatefulMap()).print()

    env.execute()

    counts: dict[str, int] = {}
    expected = []
    for word in WORDS:
        counts[word] = counts.get(word, 0) + 1
        expected.append((word, f"{word}#{counts[word]}"))
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == keyed_expectation(expected, parallelism)


# -- reduce and the rolling aggregations --------------------------------------------------------

PAIRS = [("a", 1), ("b", 10), ("a", 2), ("a", 3), ("b", 20)]


class AddSecond(ReduceFunction):
    def reduce(self, value1: tuple[str, int], value2: tuple[str, int]) -> tuple[str, int]:
        return value1[0], value1[1] + value2[1]


@pytest.mark.parametrize("reducer", [lambda a, b: (a[0], a[1] + b[1]), AddSecond()])
def test_reduce_emits_the_running_result_per_key(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    reducer: Any,
) -> None:
    # Flink's StreamGroupedReduceOperator: the key's first element as is, then reduce(acc, new).
    env.from_collection(PAIRS).key_by(lambda p: p[0]).reduce(reducer).print()

    env.execute()

    expected = [
        ("a", "('a', 1)"),
        ("b", "('b', 10)"),
        ("a", "('a', 3)"),
        ("a", "('a', 6)"),
        ("b", "('b', 30)"),
    ]
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == keyed_expectation(expected, parallelism)


TRIPLES = [("a", 3, "first-a"), ("b", 5, "first-b"), ("a", 1, "x"), ("a", 7, "y"), ("b", 2, "z")]

# PyFlink's KeyedStream._accumulate on tuples: the selected field is aggregated, every other
# field is the key's first element's (data_stream.py, reduce_func for tuple input).
AGGREGATED = {
    "sum": [("a", 3), ("b", 5), ("a", 4), ("a", 11), ("b", 7)],
    "min": [("a", 3), ("b", 5), ("a", 1), ("a", 1), ("b", 2)],
    "max": [("a", 3), ("b", 5), ("a", 3), ("a", 7), ("b", 5)],
}


@pytest.mark.parametrize("aggregation", sorted(AGGREGATED))
def test_sum_min_max_by_tuple_position(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    aggregation: str,
) -> None:
    keyed = env.from_collection(TRIPLES).key_by(lambda t: t[0])
    getattr(keyed, aggregation)(1).print()

    env.execute()

    expected = [(key, repr((key, n, f"first-{key}"))) for key, n in AGGREGATED[aggregation]]
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == keyed_expectation(expected, parallelism)


# -- union ---------------------------------------------------------------------------------------


def test_union_of_two_streams_keeps_every_record_and_each_inputs_order(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    left = env.from_collection([f"left-{i}" for i in range(5)])
    right = env.from_collection([f"right-{i}" for i in range(3)])
    left.union(right).map(lambda s: s.upper()).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    expected = [f"LEFT-{i}" for i in range(5)] + [f"RIGHT-{i}" for i in range(3)]
    assert sorted(text for _, text in printed) == sorted(expected)
    if parallelism == 1:
        # How the two inputs interleave is the scheduler's choice; each input's order is not.
        texts = [text for _, text in printed]
        assert [t for t in texts if t.startswith("LEFT")] == expected[:5]
        assert [t for t in texts if t.startswith("RIGHT")] == expected[5:]


def test_union_then_key_by_puts_both_inputs_keys_together(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    left = env.from_collection([("hello", 1), ("world", 1)])
    right = env.from_collection([("hello", 1), ("flink", 1)])
    left.union(right).key_by(lambda p: p[0]).reduce(lambda a, b: (a[0], a[1] + b[1])).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    expected = ["('hello', 1)", "('hello', 2)", "('world', 1)", "('flink', 1)"]
    assert sorted(text for _, text in printed) == sorted(expected)
    for index, text in printed:
        word = text.split("'")[1]
        assert index == ASSIGNER.operator_index(word, parallelism)


# -- one function instance per subtask (PyFlink unpickles one per subtask) ---------------------


class TagWithSubtask(MapFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.index = runtime_context.get_index_of_this_subtask()
        print(f"{LIFECYCLE}open {self.index}")

    def map(self, value: int) -> str:
        return f"{value}@{self.index}"

    def close(self) -> None:
        print(f"{LIFECYCLE}close {self.index}")


def test_each_subtask_has_its_own_function_instance(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Timeout 0: one record per buffer, so the subtasks take turns (as they do with any input
    # larger than one buffer per subtask).
    env.set_buffer_timeout(0)
    env.from_collection(list(range(8))).map(TagWithSubtask()).print()

    env.execute()

    lifecycle, sink = split_lifecycle(capsys.readouterr().out)
    opened = sorted(line.split()[1] for line in lifecycle if line.startswith("open"))
    closed = sorted(line.split()[1] for line in lifecycle if line.startswith("close"))
    assert closed == opened
    for index, text in parse_printed(sink, parallelism):
        assert text.endswith(f"@{index}"), f"subtask {index} printed {text!r}"


def test_state_handle_taken_in_open_stays_with_its_subtask(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The seed programs' idiom (state handle kept on self in open()) with subtasks taking turns:
    # what any keyed job with more than one buffer (1,024 records) per subtask does.
    env.set_buffer_timeout(0)
    env.from_collection(WORDS).key_by(lambda w: w).process(CountPerKey()).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == keyed_expectation(WORD_COUNTS, parallelism)
