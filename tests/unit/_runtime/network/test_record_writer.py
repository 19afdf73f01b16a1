"""Record writers: buffer filling and the three buffer-timeout regimes."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import sysconfig
from typing import Any

import pytest

from kolk._runtime.errors import UserCodeError
from kolk._runtime.key_groups import KeyGroupAssigner, assign_to_key_group
from kolk._runtime.network import writer as writer_module
from kolk._runtime.network.buffer import FlushReason
from kolk._runtime.network.native import native_extension
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


@pytest.fixture(params=["native", "python"])
def routing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test with the C split (when built) and with the pure-Python routing."""
    if request.param == "native" and writer_module._native_split is None:
        pytest.skip("the C extension kolk._runtime.network._route is not built here")
    if request.param == "python":
        monkeypatch.setattr(writer_module, "_native_split", None)
    return str(request.param)


def test_the_c_extensions_are_built_where_there_is_a_compiler() -> None:
    if os.environ.get("KOLK_NO_EXTENSIONS"):
        pytest.skip("KOLK_NO_EXTENSIONS is set: kolk runs in pure Python")
    compiler = str(sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}): kolk routes in pure Python")
    assert writer_module._native_split is not None
    assert native_extension("_flat") is not None


def test_kolk_no_extensions_turns_the_c_split_off() -> None:
    probe = "from kolk._runtime.network import writer; print(writer._native_split is None)"
    env = {**os.environ, "KOLK_NO_EXTENSIONS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout == "True\n"


@pytest.mark.parametrize("timestamps", [False, True])
def test_hash_routes_by_key_group_whether_keys_are_cached_or_new(
    routing: str, timestamps: bool
) -> None:
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
        writer.emit(batch, [r[1] * 10 for r in batch] if timestamps else None)
    writer.flush_all()
    records = [r for batch in batches for r in batch]
    for channel in range(2):
        (buffer,) = [b for b in partition.subpartitions[channel].queue if not b.is_event]
        assert buffer.timestamps == ([r[1] * 10 for r in buffer.records] if timestamps else None)
        groups = [assign_to_key_group(r[0], 128) for r in buffer.records]
        assert buffer.key_groups == groups
        assert buffer.keys == [r[0] for r in buffer.records]
        assert {g * 2 // 128 for g in groups} == {channel}
        # Each channel keeps the records' order.
        assert buffer.records == [r for r in records if r in buffer.records]
    routed = sum(len(b.records) for sub in partition.subpartitions for b in sub.queue)
    assert routed == len(records)


def test_a_key_selector_error_names_the_operator(routing: str) -> None:
    writer = HashRecordWriter(
        ResultPartition("p", 2), 64, False, "Map", lambda r: r["id"], KeyGroupAssigner(128)
    )
    with pytest.raises(UserCodeError, match=r"key_by of Map") as caught:
        writer.emit([("a", 1)])
    assert isinstance(caught.value.__cause__, TypeError)


def native_split() -> Any:
    if writer_module._native_split is None:
        pytest.skip("the C extension kolk._runtime.network._route is not built here")
    return writer_module._native_split


def test_the_c_split_declines_keys_it_cannot_look_up() -> None:
    split = native_split()
    table = [0, 1]
    records = [("a", 1), ("b", 2)]
    assert split(records, ["a", "b"], None, {"a": 0}, table, 2) is None  # "b" not cached
    assert split(records, ["a", 7], None, {"a": 0, 7: 1}, table, 2) is None  # not a str

    class Name(str):
        pass

    assert split(records, ["a", Name("b")], None, {"a": 0, "b": 1}, table, 2) is None
    assert split([], [], None, {}, table, 2) == [None, None]
    assert split(records, ["a", "b"], [5, 6], {"a": 1, "b": 1}, table, 2) == [
        None,
        (records, ["a", "b"], [1, 1], [5, 6]),
    ]


def test_the_c_split_rejects_bad_arguments() -> None:
    split = native_split()
    with pytest.raises(ValueError, match="one length"):
        split([1, 2], ["a"], None, {"a": 0}, [0], 1)
    with pytest.raises(ValueError, match="one length"):
        split([1], ["a"], [1, 2], {"a": 0}, [0], 1)
    with pytest.raises(ValueError, match="key group 5 out of range"):
        split([1], ["a"], None, {"a": 5}, [0, 1], 2)
    with pytest.raises(ValueError, match="channel 3 out of range"):
        split([1], ["a"], None, {"a": 0}, [3], 2)
    with pytest.raises(TypeError):
        split((1,), ["a"], None, {"a": 0}, [0], 1)


def test_the_c_split_untracks_only_records_of_atomic_values() -> None:
    import gc

    split = native_split()

    def record(*values: Any) -> tuple[Any, ...]:
        return values  # built at run time: tracked until untracked

    inner = record("x", 2)
    atomic = [record("a", 1), record("b", 2.5, None, True), record("c", inner)]
    gc.collect()  # may untrack inner already; either way it holds atomic values only
    mutable = [("d", [1]), ("e", {"k": 1}), ("f", (1, [2]))]
    records = atomic + mutable
    keys = [r[0] for r in records]
    split(records, keys, None, dict.fromkeys(keys, 0), [0], 1)
    assert [gc.is_tracked(r) for r in atomic[:2]] == [False, False]
    assert gc.is_tracked(atomic[2]) == gc.is_tracked(inner)
    assert [gc.is_tracked(r) for r in mutable] == [True, True, True]
