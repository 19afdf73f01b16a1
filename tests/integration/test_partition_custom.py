"""partition_custom: the user's partitioner picks the subtask of each element's key."""

from __future__ import annotations

from typing import Any

import pytest

from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.functions import Partitioner
from kolk.util.exceptions import JobExecutionException


class ByLength(Partitioner):
    def partition(self, key: Any, num_partitions: int) -> int:
        return len(key) % num_partitions


def test_elements_go_to_the_partition_of_their_key(capsys: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(3)
    words = ["a", "bb", "ccc", "dd", "eeee"]
    env.from_collection(words).partition_custom(ByLength(), lambda w: w).map(lambda w: w).print()
    env.execute()
    lines = sorted(capsys.readouterr().out.splitlines())
    assert lines == sorted(f"{len(w) % 3 + 1}> {w}" for w in words)


def test_a_callable_partitioner_works_too(capsys: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.from_collection([1, 2, 3, 4]).partition_custom(lambda key, n: key % n, lambda x: x).map(
        lambda x: x
    ).print()
    env.execute()
    assert sorted(capsys.readouterr().out.splitlines()) == ["1> 2", "1> 4", "2> 1", "2> 3"]


def test_wrong_arguments_get_pyflinks_messages() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection([1])
    with pytest.raises(TypeError, match="Parameter partitioner should be type of Partitioner"):
        stream.partition_custom(3, lambda x: x)
    with pytest.raises(TypeError, match="Parameter key_selector should be type of KeySelector"):
        stream.partition_custom(lambda k, n: 0, 3)


def test_a_partition_out_of_range_fails_the_job() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.from_collection([1]).partition_custom(lambda k, n: 5, lambda x: x).map(lambda x: x).print()
    with pytest.raises(JobExecutionException, match="custom partitioner returned channel 5"):
        env.execute()
