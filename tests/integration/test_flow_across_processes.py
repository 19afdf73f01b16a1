"""Buffer timeout and backpressure when producer and consumer run in different processes.

The jobs run through the public API with two worker processes: the source (parallelism 1)
lives in worker 0 with consumer subtask 0; consumer subtask 1 lives in worker 1, so its
channel crosses the socket. User functions append lines to one shared log file opened with
``O_APPEND`` (each line is one ``write``, so the file's order is the order in which the
processes wrote): assertions are on that order, never on wall-clock thresholds.

Buffers hold 4 records (128-byte segments) and the source emits one buffer's worth per step
(one record when the timeout is 0), so a step of the source task is 4 records.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk.common.configuration import Configuration
from kolk.datastream import MapFunction, RuntimeContext, StreamExecutionEnvironment


@pytest.fixture(autouse=True)
def two_processes() -> Iterator[None]:
    saved = get_client_options().processes
    set_client_options(processes=2)
    yield
    set_client_options(processes=saved)


class _Log:
    """Appends ``kind value`` lines to a file shared by every process of the job."""

    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, kind: str, value: int) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{kind} {value}\n".encode())
        finally:
            os.close(fd)

    def events(self) -> list[tuple[str, int]]:
        with open(self.path, encoding="utf-8") as f:
            return [(kind, int(value)) for kind, value in (line.split() for line in f)]


class _Emit(MapFunction):
    """Runs in the source's task: takes ``pause`` seconds, then logs the record (so a record
    sent at the end of one step has ``pause`` to arrive before the next one is logged)."""

    def __init__(self, log: _Log, pause: float) -> None:
        self.log = log
        self.pause = pause

    def map(self, value: int) -> int:
        time.sleep(self.pause)
        self.log.write("emit", value)
        return value


class _See(MapFunction):
    """The consumer: logs each record it receives, with its subtask."""

    def __init__(self, log: _Log) -> None:
        self.log = log

    def open(self, runtime_context: RuntimeContext) -> None:
        self.subtask = runtime_context.get_index_of_this_subtask()

    def map(self, value: int) -> int:
        self.log.write(f"see{self.subtask}", value)
        return value


def _run(tmp_path: Any, buffer_timeout: int, records: int, pause: float) -> list[tuple[str, int]]:
    log = _Log(str(tmp_path / "events.log"))
    configuration = Configuration()
    configuration.set_string("taskmanager.memory.segment-size", "128b")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(2)
    env.set_buffer_timeout(buffer_timeout)
    source = env.from_collection(list(range(records)))
    emitted = source.map(_Emit(log, pause)).set_parallelism(1)
    # Record i goes to the consumer subtask given by i's parity (a deterministic channel).
    emitted.partition_custom(lambda key, n: key % n, lambda x: x).map(_See(log)).print()
    env.execute(f"timeout {buffer_timeout}")
    return log.events()


def _position(events: list[tuple[str, int]], kind: str, value: int) -> int:
    return events.index((kind, value))


def test_timeout_0_remote_consumer_sees_each_record_before_the_next_is_emitted(
    tmp_path: Any,
) -> None:
    events = _run(tmp_path, buffer_timeout=0, records=8, pause=0.05)
    remote = [v for kind, v in events if kind == "see1"]
    assert remote == [1, 3, 5, 7]
    for value in remote[:-1]:
        assert _position(events, "see1", value) < _position(events, "emit", value + 1)


def test_timeout_minus_1_remote_consumer_sees_nothing_before_its_buffer_is_full(
    tmp_path: Any,
) -> None:
    # 16 records, 8 per consumer: two full buffers of 4 on each channel, nothing partial.
    events = _run(tmp_path, buffer_timeout=-1, records=16, pause=0.02)
    remote = [v for kind, v in events if kind == "see1"]
    assert remote == [1, 3, 5, 7, 9, 11, 13, 15]
    # The buffer holding 1, 3, 5, 7 leaves only when 7 is in it: nothing of it is seen before.
    for value in (1, 3, 5, 7):
        assert _position(events, "see1", value) > _position(events, "emit", 7)
    for value in (9, 11, 13, 15):
        assert _position(events, "see1", value) > _position(events, "emit", 15)


def test_default_timeout_bounds_the_delay_of_a_partial_buffer(tmp_path: Any) -> None:
    # A source step (4 records of 60 ms) outlasts the 100 ms timeout: after every step the
    # flusher sends the partial buffers (2 records per channel), so each record is seen
    # before the source has emitted two more steps; with -1 the same job holds them back.
    events = _run(tmp_path, buffer_timeout=100, records=16, pause=0.06)
    remote = [v for kind, v in events if kind == "see1"]
    assert remote == [1, 3, 5, 7, 9, 11, 13, 15]
    for value in (1, 3, 5, 7, 9, 11):
        step_end = (value // 4 + 2) * 4 - 1  # the last record of the step after next
        assert _position(events, "see1", value) < _position(events, "emit", min(step_end, 15))
    # The first step's records (1, 3) travel in a buffer of 2: seen before the buffer could
    # have filled up (record 7 emitted), which -1 would never do.
    assert _position(events, "see1", 1) < _position(events, "emit", 7)


# -- backpressure: a fast source, a slow consumer in another process -----------------------------

PAYLOAD_BYTES = 10_000
RECORDS = 10_000


def _rss_bytes() -> int:
    """The calling process's resident memory now (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _Produce(MapFunction):
    """Chained to the source: a 10 kB payload per record, tagged with the producer's memory."""

    def map(self, value: int) -> tuple[int, int, str]:
        return value, _rss_bytes(), "x" * PAYLOAD_BYTES


class _SlowConsume(MapFunction):
    """Sleeps per record (far slower than the source); keeps the id and both processes' memory."""

    def map(self, value: tuple[int, int, str]) -> tuple[int, int, int, int]:
        time.sleep(0.0001)
        return value[0], value[1], _rss_bytes(), os.getpid()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_a_slow_remote_consumer_back_pressures_the_source_with_flat_memory() -> None:
    configuration = Configuration()
    configuration.set_string("taskmanager.memory.segment-size", "128b")  # 4 records a buffer
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(2)
    produced = env.from_collection(list(range(RECORDS))).map(_Produce()).set_parallelism(1)
    # Every record to consumer subtask 1, which runs in the other worker process.
    consumed = produced.partition_custom(lambda key, n: 1, lambda r: r[0]).map(_SlowConsume())
    finished: list[Any] = []
    set_client_options(job_listener=lambda name, result: finished.append(result))
    try:
        results = list(consumed.execute_and_collect())
    finally:
        set_client_options(job_listener=None)

    ids = sorted(r[0] for r in results)
    assert ids == list(range(RECORDS)), "nothing lost, nothing duplicated"
    assert {r[3] for r in results} != {os.getpid()}, "the consumer ran in another process"
    # 10,000 records of 10 kB (100 MB) flowed through at most a few dozen 4-record buffers:
    # after warming up, neither process grew by more than a small fraction of that.
    warm = [r for r in results if r[0] >= RECORDS // 10]
    producer = [r[1] for r in warm]
    consumer = [r[2] for r in warm]
    limit = 25 * 1024 * 1024
    assert max(producer) - min(producer) < limit
    assert max(consumer) - min(consumer) < limit

    metrics = {m.task_name: m for m in finished[0].get_task_metrics()}
    source = metrics["Source: Collection Source -> Map (1/1)"]
    # The source spent most of its life waiting for credit: back-pressured, and it shows.
    assert source.back_pressured_time_ms_per_second >= 500
    # Buffers in flight never exceeded what the pools and credits allow.
    assert source.peak_out_pool_usage <= 1.0
    consumers = [m for name, m in metrics.items() if name.startswith("Map (")]
    assert consumers, sorted(metrics)
    assert all(m.peak_in_pool_usage <= 1.0 for m in consumers)
    assert sum(m.num_records_in for m in consumers) == RECORDS
