"""Worker processes started as new interpreters (``kolk.start-method: spawn``).

(A killed spawned worker is tested with the forked ones, in test_worker_processes.py.)

The job travels to each worker with cloudpickle (what kolk does where ``fork`` is not
available); everything else — channels, credit, output, metrics, failures — is the same as
with forked workers.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._cluster.spawn import JobShippingError
from kolk.common.configuration import Configuration
from kolk.common.typeinfo import Types
from kolk.datastream import (
    KeyedProcessFunction,
    MapFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import ValueStateDescriptor
from kolk.util.exceptions import JobExecutionException, RemoteTraceback

pytestmark = pytest.mark.skipif(os.name != "posix", reason="spawned workers need POSIX for now")


@pytest.fixture(autouse=True)
def two_processes() -> Iterator[None]:
    saved = get_client_options().processes
    set_client_options(processes=2)
    yield
    set_client_options(processes=saved)


def _env(parallelism: int = 2) -> StreamExecutionEnvironment:
    configuration = Configuration()
    configuration.set_string("kolk.start-method", "spawn")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    return env


class _Count(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("n", Types.LONG()))

    def process_element(self, value: Any, ctx: Any) -> Iterator[tuple[str, int, int]]:
        n = (self.count.value() or 0) + 1
        self.count.update(n)
        yield value[0], n, os.getpid()


def test_a_spawned_worker_runs_its_subtasks_with_the_shipped_functions() -> None:
    env = _env()
    data = [(f"k{i % 4}", i) for i in range(400)]
    out = list(
        env.from_collection(data).key_by(lambda r: r[0]).process(_Count()).execute_and_collect()
    )
    assert sorted((k, n) for k, n, _ in out) == sorted(
        (f"k{k}", n) for k in range(4) for n in range(1, 101)
    )
    pids = {pid for *_, pid in out}
    assert len(pids) == 2 and os.getpid() in pids


def test_a_spawned_worker_prints_through_the_client(capsys: pytest.CaptureFixture[str]) -> None:
    env = _env()
    env.from_collection(list(range(6))).rebalance().map(lambda x: x * 3).print()
    env.execute("spawned print")
    lines = capsys.readouterr().out.splitlines()
    assert sorted(int(line.split("> ")[1]) for line in lines) == [0, 3, 6, 9, 12, 15]
    assert {line.split(">")[0] for line in lines} == {"1", "2"}


def test_a_user_error_in_a_spawned_worker_keeps_its_cause_and_traceback() -> None:
    env = _env()

    class FailInSubtaskTwo(MapFunction):
        def open(self, runtime_context: RuntimeContext) -> None:
            self.subtask = runtime_context.get_index_of_this_subtask()

        def map(self, value: int) -> int:
            if self.subtask == 1:
                raise KeyError(f"no such thing: {value}")
            return value

    env.from_collection(list(range(10))).rebalance().map(FailInSubtaskTwo()).print()
    with pytest.raises(JobExecutionException) as info:
        env.execute("spawned failure")
    assert "operator 'Map' of task 'Map -> Sink: Print to Std. Out (2/2)'" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)
    assert isinstance(info.value.__cause__.__cause__, RemoteTraceback)
    assert "in map" in str(info.value.__cause__.__cause__)


def test_a_function_that_cannot_be_shipped_says_what_to_fix() -> None:
    lock = threading.Lock()

    def guarded(x: int) -> int:
        with lock:
            return x

    env = _env()
    env.from_collection(list(range(4))).rebalance().map(guarded).print()
    with pytest.raises(JobShippingError) as info:
        env.execute("unshippable")
    message = str(info.value)
    assert "could not be shipped to worker process 1" in message
    assert "lock" in message
    assert "--processes 1" in message


def test_a_bad_start_method_is_rejected() -> None:
    configuration = Configuration()
    configuration.set_string("kolk.start-method", "thread")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(2)
    env.from_collection([1, 2]).rebalance().map(lambda x: x)
    with pytest.raises(ValueError, match=r"kolk.start-method must be 'fork' .* got 'thread'"):
        env.execute("bad start method")


def _started_as() -> str:
    """In a worker: how it started (a spawned worker runs kolk._cluster.spawn as __main__)."""
    return "spawn" if sys.argv[0].endswith(os.path.join("_cluster", "spawn.py")) else "fork"


def test_a_client_with_other_threads_spawns_its_workers() -> None:
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        env = StreamExecutionEnvironment.get_execution_environment()
        env.set_parallelism(2)
        stream = env.from_collection(list(range(8))).rebalance().map(lambda x: _started_as())
        started = set(stream.execute_and_collect())
    finally:
        stop.set()
        helper.join()
    # Slot 0 runs in the client itself (reported as "fork": it is no spawned worker); slot 1
    # runs in a worker, spawned because the client had another thread.
    assert started == {"fork", "spawn"}


def test_a_client_without_other_threads_forks_its_workers() -> None:
    assert threading.active_count() == 1
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    stream = env.from_collection(list(range(8))).rebalance().map(lambda x: _started_as())
    assert set(stream.execute_and_collect()) == {"fork"}
