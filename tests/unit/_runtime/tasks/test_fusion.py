"""Fused chains: per-record order through the functions, and errors named by operator."""

from __future__ import annotations

from typing import Any

import pytest

from kolk._runtime.errors import UserCodeError
from kolk._runtime.operators.base import FunctionOperator, OperatorEnvironment
from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.operators.simple import FilterOperator, FlatMapOperator, MapOperator
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.tasks.fusion import compile_segment


def set_up(op: FunctionOperator, name: str, key_context: KeyContext | None = None) -> Any:
    ctx = StreamingRuntimeContext("t", 0, 1, 128, 0, {}, None)
    op.setup(OperatorEnvironment(name, "t", 0, 1, ctx, key_context))
    return op


def test_each_record_passes_every_function_before_the_next_starts() -> None:
    calls: list[str] = []

    def double(x: int) -> int:
        calls.append(f"map {x}")
        return 2 * x

    def keep(x: int) -> bool:
        calls.append(f"filter {x}")
        return x > 2

    out: list[list[int]] = []
    run = compile_segment(
        [set_up(MapOperator(double), "Map"), set_up(FilterOperator(keep), "Filter")],
        [("sink", out.append)],
    )
    run([1, 2])
    assert calls == ["map 1", "filter 2", "map 2", "filter 4"]
    assert out == [[4]]


def test_flat_map_expands_and_nothing_is_emitted_for_an_empty_batch_result() -> None:
    out: list[list[Any]] = []
    run = compile_segment(
        [set_up(FlatMapOperator(lambda s: s.split()), "FlatMap")], [("sink", out.append)]
    )
    run(["a b", "", "c"])
    run([""])
    assert out == [["a", "b", "c"]]


def test_an_error_is_attributed_to_the_operator_whose_function_raised() -> None:
    run = compile_segment(
        [
            set_up(MapOperator(lambda x: x + 1), "Map"),
            set_up(FilterOperator(lambda x: 1 // (x - 2) > 0), "Filter"),
        ],
        [],
    )
    with pytest.raises(UserCodeError) as info:
        run([0, 1])
    assert info.value.operator_name == "Filter"
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert "test_fusion.py" in info.value.function_name


def test_keyed_segment_sets_the_key_per_record_and_leaves_the_context_after() -> None:
    key_context = KeyContext()
    seen: list[tuple[Any, int]] = []

    def record(value: Any) -> Any:
        seen.append((key_context.key, key_context.key_group))
        return value

    run = compile_segment([set_up(MapOperator(record), "Map", key_context)], [], key_context)
    run(["x", "y"], ["kx", "ky"], [3, 7])
    assert seen == [("kx", 3), ("ky", 7)]
    assert key_context.key_group == -1
