"""execute_and_collect: a stream's elements back in the client."""

from __future__ import annotations

from typing import Any

from kolk.common import Row, Types
from kolk.datastream import StreamExecutionEnvironment


def test_collect_returns_every_element(parallelism: int) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    stream = env.from_collection([1, 2, 3, 4]).map(lambda x: x * 2)
    with stream.execute_and_collect() as results:
        collected = list(results)
    assert sorted(collected) == [2, 4, 6, 8]


def test_collect_with_a_limit_returns_a_list(parallelism: int) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    results: Any = env.from_collection(["a", "b", "c"]).execute_and_collect(limit=2)
    assert isinstance(results, list)
    assert len(results) == 2
    assert set(results) <= {"a", "b", "c"}


def test_collect_converts_row_typed_elements_to_rows() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    row_type = Types.ROW_NAMED(["name", "n"], [Types.STRING(), Types.INT()])
    results: Any = (
        env.from_collection([1]).map(lambda x: ("a", x), output_type=row_type)
    ).execute_and_collect(limit=10)
    assert results == [Row(name="a", n=1)]
    assert results[0].name == "a"


def test_collect_ends_with_stop_iteration() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    iterator = env.from_collection([7]).execute_and_collect()
    assert next(iterator) == 7
    try:
        next(iterator)
    except StopIteration as stop:
        assert str(stop) == "No more data."
    else:  # pragma: no cover - the assertion documents the failure
        raise AssertionError("the iterator did not end")
