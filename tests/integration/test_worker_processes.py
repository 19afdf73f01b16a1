"""Jobs across TaskManager worker processes: placement, output, failures, the processes setting.

A job with parallelism > 1 runs in forked worker processes (one per core by default, at most
its largest parallelism); ``processes=1`` (``kolk run --processes 1``, ``kolk.processes``) keeps
everything in the client process.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk.common.configuration import Configuration
from kolk.common.typeinfo import Types
from kolk.datastream import (
    KeyedProcessFunction,
    MapFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import ValueStateDescriptor
from kolk.util.exceptions import JobExecutionException


@pytest.fixture
def processes() -> Iterator[Any]:
    """Sets the client's processes option for one test; restores it afterwards."""
    saved = get_client_options().processes

    def use(n: int | None) -> None:
        set_client_options(processes=n)

    yield use
    set_client_options(processes=saved)


def _env(parallelism: int, configuration: Configuration | None = None) -> Any:
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    return env


def _pids_of_map_subtasks(env: Any) -> dict[int, int]:
    """Runs a rebalanced map that reports (its subtask, its process id); returns them."""

    class WhereAmI(MapFunction):
        def open(self, runtime_context: RuntimeContext) -> None:
            self.subtask = runtime_context.get_index_of_this_subtask()

        def map(self, value: int) -> tuple[int, int]:
            return self.subtask, os.getpid()

    seen = env.from_collection(list(range(64))).rebalance().map(WhereAmI()).execute_and_collect()
    return dict(seen)


def test_a_parallel_job_runs_its_subtasks_in_worker_processes(processes: Any) -> None:
    processes(2)
    pids = _pids_of_map_subtasks(_env(2))
    # The client is worker 0 (slot 0); slot 1 runs in a forked worker.
    assert pids[0] == os.getpid()
    assert pids[1] != os.getpid()


def test_one_process_runs_every_subtask_in_the_client(processes: Any) -> None:
    processes(1)
    pids = _pids_of_map_subtasks(_env(2))
    assert pids == {0: os.getpid(), 1: os.getpid()}


def test_the_configuration_key_sets_the_processes(processes: Any) -> None:
    processes(None)
    config = Configuration()
    config.set_string("kolk.processes", "1")
    assert set(_pids_of_map_subtasks(_env(2, config)).values()) == {os.getpid()}


def test_a_bad_processes_value_says_what_to_fix(processes: Any) -> None:
    processes(None)
    config = Configuration()
    config.set_string("kolk.processes", "zero")
    env = _env(2, config)
    env.from_collection([1, 2]).map(lambda x: x)
    with pytest.raises(ValueError, match=r"kolk.processes must be a whole number .* got 'zero'"):
        env.execute("bad processes")


def test_more_subtasks_than_processes_share_the_workers(processes: Any) -> None:
    processes(2)
    pids = _pids_of_map_subtasks(_env(4))
    assert sorted(pids) == [0, 1, 2, 3]
    # Slot i lives in worker i % 2: subtasks 0 and 2 in the client, 1 and 3 in the other.
    assert pids[0] == pids[2] == os.getpid()
    assert pids[1] == pids[3] != os.getpid()


class _Count(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("n", Types.LONG()))

    def process_element(self, value: Any, ctx: Any) -> Iterator[tuple[str, int]]:
        n = (self.count.value() or 0) + 1
        self.count.update(n)
        yield value[0], n


def _keyed_counts(parallelism: int, declared: bool) -> list[tuple[str, int]]:
    env = _env(parallelism)
    data = [(f"k{i % 7}", i) for i in range(5000)]
    # Declared: the records cross processes in the codec's format for flat types.
    type_info = Types.TUPLE([Types.STRING(), Types.INT()]) if declared else None
    stream = env.from_collection(data, type_info).key_by(lambda r: r[0]).process(_Count())
    return list(stream.execute_and_collect())


@pytest.mark.parametrize("declared", [False, True])
def test_keyed_state_across_processes_gives_the_in_process_result(
    processes: Any, declared: bool
) -> None:
    processes(1)
    expected = _keyed_counts(2, declared)
    processes(2)
    actual = _keyed_counts(2, declared)
    assert sorted(actual) == sorted(expected)
    # Per key, the counts arrive in order wherever the subtask runs.
    for key in {k for k, _ in expected}:
        counts = [n for k, n in actual if k == key]
        assert counts == list(range(1, len(counts) + 1))


def test_printed_output_of_workers_reaches_the_client(
    processes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    processes(2)
    env = _env(2)
    env.from_collection(list(range(10))).rebalance().map(lambda x: x * 10).print()
    env.execute("print across processes")
    lines = capsys.readouterr().out.splitlines()
    assert sorted(int(line.split("> ")[1]) for line in lines) == [x * 10 for x in range(10)]
    assert {line.split(">")[0] for line in lines} == {"1", "2"}


def test_user_error_in_a_worker_names_operator_task_and_cause(processes: Any) -> None:
    processes(2)
    env = _env(2)

    def fail_on_seven(x: int) -> int:
        if x == 7:
            raise ValueError("seven is not allowed")
        return x

    env.from_collection(list(range(20))).rebalance().map(fail_on_seven).print()
    with pytest.raises(JobExecutionException) as info:
        env.execute("failing worker")
    message = str(info.value)
    assert "operator 'Map' of task 'Map -> Sink: Print to Std. Out (" in message
    assert "ValueError: seven is not allowed" in message
    assert "in fail_on_seven" in message
    assert isinstance(info.value.__cause__, ValueError)
    assert info.value.task_name is not None and info.value.task_name.startswith("Map -> Sink")


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_killed_worker_fails_the_job_naming_it_and_its_subtasks(
    processes: Any, start_method: str
) -> None:
    processes(2)
    config = Configuration()
    config.set_string("kolk.start-method", start_method)
    env = _env(2, config)

    class KillMyProcess(MapFunction):
        def open(self, runtime_context: RuntimeContext) -> None:
            self.subtask = runtime_context.get_index_of_this_subtask()

        def map(self, value: int) -> int:
            if self.subtask == 1:
                os.kill(os.getpid(), signal.SIGKILL)
            return value

    env.from_collection(list(range(100))).rebalance().map(KillMyProcess()).print()
    with pytest.raises(JobExecutionException) as info:
        env.execute("killed worker")
    message = str(info.value)
    assert "worker process 1 (pid " in message
    assert "died (killed by signal SIGKILL)" in message
    assert "while running subtasks Map -> Sink: Print to Std. Out (2/2)." in message


def test_a_record_that_cannot_be_pickled_fails_naming_operator_and_type(processes: Any) -> None:
    processes(2)
    env = _env(2)
    # A generator cannot be pickled. Key 3 lands on subtask 1 (worker 1), so the records the
    # map's subtask 0 (worker 0) emits for it must cross processes.
    stream = env.from_collection(list(range(8))).rebalance().map(lambda x: (x % 4, _gen(x)))
    stream.key_by(lambda r: r[0]).map(lambda r: r[0]).print()
    with pytest.raises(JobExecutionException) as info:
        env.execute("unpicklable")
    message = str(info.value)
    # Both map subtasks send records to the other process; either may fail first.
    assert re.search(r"task 'Map \([12]/2\)' raised RecordSerializationError", message)
    assert "operator 'Map' emitted a record of type 'tuple'" in message
    assert "generator" in message
    assert "--processes 1" in message


def _gen(x: int) -> Iterator[int]:
    yield x


def test_metrics_come_back_from_every_worker(processes: Any) -> None:
    processes(2)
    env = _env(2)
    env.from_collection(list(range(3000))).rebalance().map(lambda x: x + 1).print()
    result = env.execute("metrics across processes")
    metrics = {m.task_name: m for m in result.get_task_metrics()}
    source = metrics["Source: Collection Source (1/1)"]
    assert source.num_records_out == 3000
    maps = [m for name, m in metrics.items() if name.startswith("Map")]
    assert sorted(m.subtask_index for m in maps) == [0, 1]
    assert sum(m.num_records_in for m in maps) == 3000
    # The source sends half of the buffers to the other process: those bytes are counted.
    assert source.num_bytes_out > 0
