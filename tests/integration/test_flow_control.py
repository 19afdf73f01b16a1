"""Buffer timeout and credit through whole jobs, watched on the wire.

The jobs are built with the public API, then run by the runtime directly (the seam
``JobMaster`` uses): ``StreamGraphGenerator`` → ``create_job_graph`` → ``build_deployment`` →
one ``StreamTask`` per subtask → ``TaskExecutor`` with a ``ManualClock`` and a ``LocalTransport``
whose trace listener records every buffer sent, with its flush reason. User functions in the
job append to the same log, so the log is the order in which things happened.

Flink's rules checked (flink_runtime_notes.md §1, §2, §11.5-6): buffer timeout 0 flushes after
every record; -1 only when a buffer is full or at end of input; a positive timeout flushes
partially filled buffers when the output flusher fires (processing time); a channel never holds
more buffers than its 2 exclusive plus the gate's 8 floating ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from kolk._cluster.deployment import build_deployment
from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._runtime.network.buffer import Buffer, FlushReason
from kolk._runtime.network.transport import LocalTransport, SubpartitionView
from kolk._runtime.tasks.executor import TaskExecutor
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import ProcessingTimeService
from kolk._runtime.time.clock import ManualClock
from kolk.common import Configuration
from kolk.datastream import StreamExecutionEnvironment

#: 128-byte segments hold 4 record references (32 bytes each): small buffers, many of them.
SEGMENT_SIZE = "128b"
CAPACITY = 4
EXCLUSIVE_BUFFERS_PER_CHANNEL = 2
FLOATING_BUFFERS_PER_GATE = 8


@dataclass(frozen=True)
class Send:
    """One data buffer on the wire."""

    channel: tuple[str, int]
    records: list[Any]
    reason: FlushReason
    in_flight: int  # buffers the channel holds once this one arrived
    owned: int  # exclusive + floating buffers the channel owns then
    gate_in_flight: int  # the same, summed over the channels of the channel's gate
    gate_channels: int


@dataclass
class Run:
    """What happened in one job, in order."""

    log: list[tuple[str, Any]] = field(default_factory=list)
    tasks: list[StreamTask] = field(default_factory=list)

    @property
    def sends(self) -> list[Send]:
        return [item for kind, item in self.log if kind == "send"]

    def order(self, kinds: tuple[str, ...]) -> list[tuple[str, Any]]:
        return [(kind, item) for kind, item in self.log if kind in kinds]


def make_env(parallelism: int, buffer_timeout: int) -> StreamExecutionEnvironment:
    configuration = Configuration()
    configuration.set_string("taskmanager.memory.segment-size", SEGMENT_SIZE)
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    env.set_buffer_timeout(buffer_timeout)
    return env


def run_job(
    env: StreamExecutionEnvironment, run: Run, clock: ManualClock | None = None, seed: int = 7
) -> Run:
    """Runs the environment's program on the runtime, tracing every data buffer sent."""
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    deployment = build_deployment(create_job_graph(graph), seed=seed)
    timers = ProcessingTimeService(clock or ManualClock())
    run.tasks = [StreamTask(config, timers=timers) for config in deployment.tasks]
    assert {task.config.buffer_capacity for task in run.tasks} == {CAPACITY}

    def trace(kind: str, view: SubpartitionView, buffer: Buffer | None, credit: int) -> None:
        assert credit >= 0, "credit is never negative"
        if kind != "send" or buffer is None or buffer.records is None:
            return  # credit announcements and events (which need no credit)
        channel = view.channel
        run.log.append(
            (
                "send",
                Send(
                    (channel.gate.name, channel.index),
                    list(buffer.records),
                    buffer.flush_reason,
                    channel.occupied + 1,  # traced just before the channel receives it
                    channel.owned,
                    sum(c.occupied for c in channel.gate.channels) + 1,
                    len(channel.gate.channels),
                ),
            )
        )
        floating_lent = sum(c.floating for c in channel.gate.channels)
        assert floating_lent + channel.gate.floating_pool.available == FLOATING_BUFFERS_PER_GATE

    executor = TaskExecutor(
        run.tasks,
        deployment.connections,
        timers=timers,
        transport=LocalTransport(trace=trace),
    )
    executor.run()
    return run


def logger(run: Run, kind: str) -> Callable[[Any], Any]:
    """A map function that logs each record under ``kind`` and passes it on."""

    def log(value: Any) -> Any:
        run.log.append((kind, value))
        return value

    return log


# -- buffer timeout 0: one record per buffer, consumed before the next is produced ---------------


@pytest.mark.parametrize("edge", ["key_by", "rebalance"])
@pytest.mark.parametrize("consumers", [1, 2])
def test_timeout_0_sends_each_record_alone_and_it_is_processed_before_the_next(
    edge: str, consumers: int
) -> None:
    run = Run()
    env = make_env(consumers, buffer_timeout=0)
    produced = env.from_collection(list(range(10))).map(logger(run, "emit")).set_parallelism(1)
    moved = produced.key_by(lambda x: x % 3) if edge == "key_by" else produced.rebalance()
    moved.map(logger(run, "process"))

    run_job(env, run)

    assert [s.records for s in run.sends] == [[i] for i in range(10)]
    assert {s.reason for s in run.sends} == {FlushReason.FLUSH_ALWAYS}
    # StreamTask: with timeout 0 a source emits one record per mailbox step, so record i
    # crosses the network and is processed before record i + 1 is produced.
    expected: list[tuple[str, Any]] = []
    for i in range(10):
        expected += [("emit", i), ("send", [i]), ("process", i)]
    observed = [
        (kind, item.records if kind == "send" else item)
        for kind, item in run.order(("emit", "send", "process"))
    ]
    assert observed == expected


# -- buffer timeout -1: only full buffers, except at end of input --------------------------------


@pytest.mark.parametrize("edge", ["key_by", "rebalance"])
@pytest.mark.parametrize("consumers", [1, 2, 4])
def test_timeout_minus_1_sends_only_full_buffers_until_end_of_input(
    edge: str, consumers: int
) -> None:
    run = Run()
    records = list(range(45))
    env = make_env(consumers, buffer_timeout=-1)
    produced = env.from_collection(records)
    moved = produced.key_by(lambda x: x % 7) if edge == "key_by" else produced.rebalance()
    moved.map(logger(run, "process"))

    run_job(env, run)

    sends = run.sends
    reasons = {s.reason for s in sends}
    assert reasons <= {FlushReason.FULL, FlushReason.END_OF_INPUT}
    for send in sends:
        if send.reason is FlushReason.FULL:
            assert len(send.records) == CAPACITY
    by_channel: dict[tuple[str, int], list[Send]] = {}
    for send in sends:
        by_channel.setdefault(send.channel, []).append(send)
    for channel_sends in by_channel.values():
        flushed_at_end = [s for s in channel_sends if s.reason is FlushReason.END_OF_INPUT]
        assert len(flushed_at_end) <= 1
        if flushed_at_end:
            assert channel_sends[-1] is flushed_at_end[0], "the end-of-input flush is the last"
            assert 0 < len(flushed_at_end[0].records) < CAPACITY
    assert sorted(r for s in sends for r in s.records) == records, "every record, once"
    assert sorted(item for kind, item in run.log if kind == "process") == records
    assert FlushReason.FULL in reasons


# -- a positive timeout: partial buffers leave when the flusher fires ----------------------------


def test_positive_timeout_flushes_partial_buffers_when_processing_time_passes() -> None:
    run = Run()
    clock = ManualClock()

    def slow(value: int) -> int:
        clock.advance(30)  # each record takes 30 ms of processing time
        return value

    env = make_env(2, buffer_timeout=100)
    env.from_collection(list(range(24))).map(slow).set_parallelism(1).rebalance().map(
        logger(run, "process")
    )

    run_job(env, run, clock)

    sends = run.sends
    reasons = [s.reason for s in sends]
    # One source step emits a buffer's worth (4 records): 2 per consumer channel, and 120 ms
    # pass meanwhile, so the flusher (due every 100 ms) sends those half-full buffers.
    timed_out = [s for s in sends if s.reason is FlushReason.TIMEOUT]
    assert timed_out, reasons
    assert all(0 < len(s.records) < CAPACITY for s in timed_out), "partial buffers"
    assert set(reasons) <= {FlushReason.TIMEOUT, FlushReason.END_OF_INPUT}
    assert reasons[-2:] == [FlushReason.END_OF_INPUT] * 2 or FlushReason.END_OF_INPUT not in (
        reasons
    )
    assert sorted(r for s in sends for r in s.records) == list(range(24))
    assert clock.now_ms() >= 24 * 30


def test_positive_timeout_does_not_fire_while_processing_time_stands_still() -> None:
    run = Run()
    env = make_env(2, buffer_timeout=100)
    env.from_collection(list(range(24))).map(lambda x: x).set_parallelism(1).rebalance().map(
        logger(run, "process")
    )

    clock = ManualClock()
    run_job(env, run, clock)

    reasons = {s.reason for s in run.sends}
    assert FlushReason.TIMEOUT not in reasons
    assert reasons <= {FlushReason.FULL, FlushReason.END_OF_INPUT}
    assert FlushReason.FULL in reasons
    assert clock.now_ms() == 0


# -- credit: at most 2 exclusive + 8 floating buffers in flight per channel ----------------------


@pytest.mark.parametrize("edge", ["key_by", "rebalance"])
@pytest.mark.parametrize(("producers", "consumers"), [(1, 1), (1, 2), (2, 1)])
def test_buffers_in_flight_per_channel_never_exceed_exclusive_plus_floating(
    edge: str, producers: int, consumers: int
) -> None:
    run = Run()
    env = make_env(consumers, buffer_timeout=-1)
    # Each source record becomes 20: the producers' chains make buffers far faster than a
    # consumer, which takes one buffer per step, can process them (back-pressure). With two
    # producers the consumer's gate has two channels sharing its 8 floating buffers.
    multiplied = (
        env.from_collection(list(range(50)))
        .flat_map(lambda x: [(x, i) for i in range(20)])
        .set_parallelism(producers)
    )
    moved = multiplied.key_by(lambda t: t[1] % 5) if edge == "key_by" else multiplied.rebalance()
    moved.map(logger(run, "process")).set_parallelism(consumers)

    run_job(env, run)

    limit = EXCLUSIVE_BUFFERS_PER_CHANNEL + FLOATING_BUFFERS_PER_GATE
    sends = run.sends
    assert max(s.in_flight for s in sends) <= limit
    assert all(s.in_flight <= s.owned <= limit for s in sends)
    assert all(
        s.gate_in_flight
        <= EXCLUSIVE_BUFFERS_PER_CHANNEL * s.gate_channels + FLOATING_BUFFERS_PER_GATE
        for s in sends
    )
    assert max(s.gate_channels for s in sends) == producers
    # Not vacuous: floating buffers were lent (more than the 2 exclusive ones in flight) and
    # the producers were back-pressured.
    assert max(s.in_flight for s in sends) > EXCLUSIVE_BUFFERS_PER_CHANNEL
    producing = [t for t in run.tasks if "FlatMap" in t.name]
    assert len(producing) == producers
    assert any(t.statistics().num_back_pressured_steps > 0 for t in producing)
    assert len([kind for kind, _ in run.log if kind == "process"]) == 50 * 20
    for task in run.tasks:
        for gate in task.gates:
            stats = gate.statistics()
            assert stats.floating_available == stats.floating_total, "all floating returned"
            assert stats.occupied_buffers == (0,) * stats.num_channels
