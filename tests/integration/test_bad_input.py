"""Programs that cannot run: refused while the program is built, or when the job is made.

Where PyFlink refuses the same call, kolk keeps its exception type and the first sentence of its
message (kolk may add what to do after it); Flink's Java ``IllegalArgumentException`` surfaces as
``ValueError`` with Flink's wording. Nothing may run, and nothing may be printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from printed_output import assert_records, parse_printed

from kolk.common import Types
from kolk.datastream import (
    KeyedProcessFunction,
    ProcessFunction,
    StreamExecutionEnvironment,
)
from kolk.util.exceptions import JobGraphException


class Echo(ProcessFunction):
    def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
        yield value


class KeyedEcho(KeyedProcessFunction):
    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
        yield value


Build = Callable[[StreamExecutionEnvironment], Any]

# (id, the call, exception type, the message's start). The quoted messages are PyFlink 2.3's
# (data_stream.py: map L288, key_by L370, reduce L1215, KeyedStream.process L1631) or Flink's.
REFUSED: list[tuple[str, Build, type[BaseException], str]] = [
    (
        "map-not-callable",
        lambda env: env.from_collection([1]).map(123),
        TypeError,
        "The input must be a MapFunction or a callable function",
    ),
    (
        "flat_map-not-callable",
        lambda env: env.from_collection([1]).flat_map("x"),
        TypeError,
        "The input must be a FlatMapFunction or a callable function",
    ),
    (
        "filter-not-callable",
        lambda env: env.from_collection([1]).filter(None),
        TypeError,
        "The input must be a FilterFunction or a callable function",
    ),
    (
        "key_by-None",
        lambda env: env.from_collection([1]).key_by(None),
        TypeError,
        "Parameter key_selector should be type of KeySelector or a callable function.",
    ),
    (
        "reduce-not-callable",
        lambda env: env.from_collection([1]).key_by(lambda x: x).reduce(123),
        TypeError,
        "The input must be a ReduceFunction or a callable function",
    ),
    (
        "keyed-process-with-a-process-function",
        lambda env: env.from_collection([1]).key_by(lambda x: x).process(Echo()),
        TypeError,
        "KeyedProcessFunction is required for KeyedStream.",
    ),
    (
        "sum-position-not-int-or-str",
        lambda env: env.from_collection([(1, 2)]).key_by(lambda x: x[0]).sum(1.5),
        TypeError,
        "The field position must be of int or str type",
    ),
    (
        "from_collection-not-a-collection",
        lambda env: env.from_collection(5),
        TypeError,
        "from_collection needs a collection",
    ),
    (
        "environment-parallelism-0",
        lambda env: env.set_parallelism(0),
        ValueError,
        "Parallelism must be at least one, or ExecutionConfig.PARALLELISM_DEFAULT",
    ),
    (
        "operator-parallelism-0",
        lambda env: env.from_collection([1]).map(lambda x: x).set_parallelism(0),
        ValueError,
        "The parallelism of an operator must be at least 1",
    ),
    (
        "collection-source-parallelism-2",
        lambda env: env.from_collection([1]).set_parallelism(2),
        ValueError,
        "The parallelism of non parallel operator must be 1.",
    ),
    (
        "max-parallelism-0",
        lambda env: env.set_max_parallelism(0),
        ValueError,
        "maxParallelism is out of bounds 0 < maxParallelism <= 32768. Found: 0",
    ),
    (
        "buffer-timeout-below-minus-1",
        lambda env: env.set_buffer_timeout(-2),
        ValueError,
        "Timeout of buffer must be non-negative or -1",
    ),
    (
        "output_type-not-a-type",
        lambda env: env.from_collection([1]).map(lambda x: x, output_type="int"),
        TypeError,
        "output_type must be None, list or TypeInformation",
    ),
    (
        "union-of-different-types",
        lambda env: env.from_collection([1]).union(env.from_collection([1], type_info=Types.INT())),
        ValueError,
        "Cannot union streams of different types",
    ),
    (
        "keyed-stream-rebalance",
        lambda env: env.from_collection([1]).key_by(lambda x: x).rebalance(),
        Exception,
        "Cannot override partitioning for KeyedStream.",
    ),
    (
        "keyed-stream-set_parallelism",
        lambda env: env.from_collection([1]).key_by(lambda x: x).set_parallelism(2),
        Exception,
        "Set parallelism for KeyedStream is not supported.",
    ),
]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_misuse_is_refused_while_the_program_is_built(
    env: StreamExecutionEnvironment,
    capsys: pytest.CaptureFixture[str],
    build: Build,
    error: type[BaseException],
    message: str,
) -> None:
    with pytest.raises(error, match="^" + re.escape(message)) as raised:
        build(env)
    # kolk adds what it got after PyFlink's sentence, so the user sees the culprit.
    assert len(str(raised.value)) >= len(message)
    assert capsys.readouterr().out == ""


def test_a_keyed_process_function_on_a_plain_stream_says_to_key_by_first(
    env: StreamExecutionEnvironment,
) -> None:
    with pytest.raises(TypeError, match=r"key_by"):
        env.from_collection([1]).process(KeyedEcho())


def test_executing_an_empty_program_is_flinks_error(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(
        RuntimeError, match=r"^No operators defined in streaming topology\. Cannot execute\.$"
    ):
        env.execute()
    env.from_collection([1])  # a source alone is no operator either, as in Flink
    with pytest.raises(RuntimeError, match="No operators defined"):
        env.execute()


def test_forward_across_a_parallelism_change_fails_when_the_job_is_made(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # from_collection runs at parallelism 1; forward() into an operator at the default
    # parallelism is only possible at p = 1. Flink refuses it in StreamGraph.addEdgeInternal.
    env.from_collection(["a", "b"]).forward().map(lambda s: s.upper()).print()

    if parallelism == 1:
        env.execute()
        assert_records(parse_printed(capsys.readouterr().out, 1), ["A", "B"], 1)
        return
    with pytest.raises(JobGraphException) as raised:
        env.execute()
    message = str(raised.value)
    assert message.startswith("Forward partitioning does not allow change of parallelism.")
    assert "parallelism: 1" in message
    assert f"parallelism: {parallelism}" in message
    assert "You must use another partitioning strategy, such as broadcast, rebalance" in message
    assert isinstance(raised.value, ValueError)
    assert capsys.readouterr().out == "", "nothing ran"


def test_forward_across_a_parallelism_change_also_fails_the_plan(
    env: StreamExecutionEnvironment, parallelism: int
) -> None:
    env.from_collection([1]).map(lambda x: x).forward().map(lambda x: x).set_parallelism(
        parallelism + 1
    ).print()

    with pytest.raises(JobGraphException, match="Forward partitioning does not allow change"):
        env.get_execution_plan()
