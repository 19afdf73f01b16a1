"""Record writers: buffer filling and the three buffer-timeout regimes."""

from __future__ import annotations

import random

from kolk._runtime.network.buffer import FlushReason
from kolk._runtime.network.partition import ResultPartition
from kolk._runtime.network.writer import (
    BroadcastRecordWriter,
    ForwardRecordWriter,
    RebalanceRecordWriter,
    RescaleRecordWriter,
)


def queued(partition: ResultPartition, subpartition: int = 0) -> list[tuple[list, str]]:
    return [
        (b.records, b.flush_reason.value)
        for b in partition.subpartitions[subpartition].queue
        if not b.is_event
    ]


def test_records_wait_in_a_partial_buffer_until_it_is_full() -> None:
    partition = ResultPartition("p", 1)
    writer = ForwardRecordWriter(partition, capacity=3, flush_always=False)
    writer.emit([1, 2])
    assert queued(partition) == []
    writer.emit([3, 4, 5, 6, 7])
    assert queued(partition) == [([1, 2, 3], "full"), ([4, 5, 6], "full")]
    assert writer.has_pending()


def test_timeout_flush_hands_on_the_partial_buffer() -> None:
    partition = ResultPartition("p", 1)
    writer = ForwardRecordWriter(partition, capacity=8, flush_always=False)
    writer.emit([1, 2])
    assert writer.flush_all(FlushReason.TIMEOUT)
    assert queued(partition) == [([1, 2], "timeout")]
    assert not writer.flush_all(FlushReason.TIMEOUT)  # nothing pending: no empty buffer


def test_flush_always_sends_every_record_in_its_own_buffer() -> None:
    partition = ResultPartition("p", 1)
    writer = ForwardRecordWriter(partition, capacity=8, flush_always=True)
    writer.emit([1, 2, 3])
    assert queued(partition) == [
        ([1], "flush-always"),
        ([2], "flush-always"),
        ([3], "flush-always"),
    ]


def test_finish_flushes_then_ends_every_subpartition() -> None:
    partition = ResultPartition("p", 2)
    writer = BroadcastRecordWriter(partition, capacity=8, flush_always=False)
    writer.emit(["a"])
    writer.finish()
    for sub in partition.subpartitions:
        kinds = [("event" if b.is_event else b.flush_reason.value) for b in sub.queue]
        assert kinds == ["end-of-input", "event"]
    assert partition.finished


def test_rebalance_is_round_robin_from_a_seeded_random_start() -> None:
    partition = ResultPartition("p", 2)
    writer = RebalanceRecordWriter(partition, capacity=8, flush_always=False, rng=random.Random(7))
    writer.emit([1, 2, 3, 4, 5])
    writer.flush_all()
    first, second = (queued(partition, i) for i in range(2))
    assert sorted([first[0][0], second[0][0]]) == [[1, 3, 5], [2, 4]]


def test_rescale_starts_at_channel_zero() -> None:
    partition = ResultPartition("p", 3)
    writer = RescaleRecordWriter(partition, capacity=8, flush_always=False)
    writer.emit([1, 2, 3, 4])
    writer.flush_all()
    assert [queued(partition, i)[0][0] for i in range(3)] == [[1, 4], [2], [3]]
