"""Record writers: buffer filling and the three buffer-timeout regimes."""

from __future__ import annotations

import random

from kolk._runtime.key_groups import KeyGroupAssigner, assign_to_key_group
from kolk._runtime.network.buffer import FlushReason
from kolk._runtime.network.partition import ResultPartition
from kolk._runtime.network.writer import (
    BroadcastRecordWriter,
    ForwardRecordWriter,
    HashRecordWriter,
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


def test_hash_routes_by_key_group_whether_keys_are_cached_or_new() -> None:
    partition = ResultPartition("p", 2)
    writer = HashRecordWriter(
        partition, 64, False, "Map", lambda r: r[0], KeyGroupAssigner(max_parallelism=128)
    )
    batches = [
        [("a", 1), ("e", 2), ("b", 3)],  # all new
        [("a", 4), ("f", 5), ("e", 6)],  # cached keys and one new key
        [("b", 7), ("e", 8)],  # all cached
        [(7, 9), (("a", 1), 10), ("f", 11)],  # not all str: assigned one by one
    ]
    for batch in batches:
        writer.emit(batch)
    writer.flush_all()
    records = [r for batch in batches for r in batch]
    for channel in range(2):
        (buffer,) = [b for b in partition.subpartitions[channel].queue if not b.is_event]
        groups = [assign_to_key_group(r[0], 128) for r in buffer.records]
        assert buffer.key_groups == groups
        assert buffer.keys == [r[0] for r in buffer.records]
        assert {g * 2 // 128 for g in groups} == {channel}
        # Each channel keeps the records' order.
        assert buffer.records == [r for r in records if r in buffer.records]
    routed = sum(len(b.records) for sub in partition.subpartitions for b in sub.queue)
    assert routed == len(records)
