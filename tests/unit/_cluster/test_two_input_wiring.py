"""Two-input operators: both inputs reach the head by input number, keyed or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kolk._graph.transformations import (
    PartitionerSpec,
    PartitionTransformation,
    ShipStrategy,
    TwoInputTransformation,
)
from kolk._runtime.operators.base import StreamOperator, TwoInputOperator
from kolk._runtime.operators.factories import OperatorFactory
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.data_stream import DataStream


class Tagging(TwoInputOperator):
    """Emits ``(input, key, value)`` for every record."""

    def process_batch1(self, records, keys, key_groups, timestamps) -> None:
        self.output(
            [(1, k, v) for k, v in zip(keys or [None] * len(records), records, strict=True)], None
        )

    def process_batch2(self, records, keys, key_groups, timestamps) -> None:
        self.output(
            [(2, k, v) for k, v in zip(keys or [None] * len(records), records, strict=True)], None
        )


@dataclass(frozen=True, eq=False)
class TaggingFactory(OperatorFactory):
    def create(self) -> StreamOperator:
        return Tagging()


def connect(env: StreamExecutionEnvironment, keyed: bool) -> None:
    first = env.from_collection(["a", "b"])
    second = env.from_collection(["x"])
    inputs: list[Any] = [first._transformation, second._transformation]
    selector = (lambda s: s.upper()) if keyed else None
    if keyed:
        inputs = [
            PartitionTransformation(
                id=env._new_id(),
                name="Partition",
                input=t,
                partitioner=PartitionerSpec(ShipStrategy.HASH, selector),
            )
            for t in inputs
        ]
    op = TwoInputTransformation(
        id=env._new_id(),
        name="Co-Tag",
        input1=inputs[0],
        input2=inputs[1],
        operator_factory=TaggingFactory(),
        state_key_selector1=selector,
        state_key_selector2=selector,
    )
    env._add_operator(op)
    DataStream(env, op).print()


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("keyed", [False, True])
def test_both_inputs_reach_the_two_input_head(
    keyed: bool, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    connect(env, keyed)
    env.execute()
    lines = sorted(line.split("> ", 1)[-1] for line in capsys.readouterr().out.splitlines())
    if keyed:
        assert lines == ["(1, 'A', 'a')", "(1, 'B', 'b')", "(2, 'X', 'x')"]
    else:
        assert lines == ["(1, None, 'a')", "(1, None, 'b')", "(2, None, 'x')"]
