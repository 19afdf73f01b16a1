"""Record writers: route records to subpartitions and fill buffers (Flink's ``RecordWriter``
with its ``ChannelSelector``s).

A writer keeps one partially filled buffer per subpartition. A buffer is handed to its
subpartition when it is full, when the buffer timeout fires (:meth:`RecordWriter.flush_all`,
called by the task's output flusher), after every record when the timeout is 0
(``flush_always``), before an event, and at end of input. With timeout -1 only the first and
last two apply.

Hot path (measured on benchmarks/bench_core.py): each writer type has its own ``emit`` loop
with locals bound once per batch; the forward writer copies slices instead of single records.
The hash writer splits a batch with the optional C extension ``_route`` when it was built
(setup.py) and the environment variable ``KOLK_NO_EXTENSIONS`` is not set, else in pure Python
with the same result.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import compress, repeat
from operator import eq, not_
from typing import Any

from kolk._runtime.errors import UserCodeError, describe_function
from kolk._runtime.key_groups import KeyGroupAssigner
from kolk._runtime.network.buffer import Buffer, FlushReason
from kolk._runtime.network.native import native_extension
from kolk._runtime.network.partition import ResultPartition

_route = native_extension("_route")
_native_split: Callable[..., Any] | None = None if _route is None else _route.split

_ONLY_STR = {str}

__all__ = [
    "BroadcastRecordWriter",
    "CustomPartitionRecordWriter",
    "ForwardRecordWriter",
    "GlobalRecordWriter",
    "HashRecordWriter",
    "RebalanceRecordWriter",
    "RecordWriter",
    "RescaleRecordWriter",
    "ShuffleRecordWriter",
]


class RecordWriter:
    """Base writer: buffer management shared by every partitioning.

    A builder is a list of records. When the stream carries timestamps, each builder has a
    parallel list of timestamps in ``_ts_builders`` (the buffer ships both).

    Args:
        partition: the partition written to.
        capacity: records per buffer.
        flush_always: True when the buffer timeout is 0 (flush after every record).
        operator_name: the producing task's name, for error messages.
    """

    def __init__(
        self, partition: ResultPartition, capacity: int, flush_always: bool, operator_name: str = ""
    ) -> None:
        self.partition = partition
        self.capacity = capacity
        self.flush_always = flush_always
        self.operator_name = operator_name
        self.num_channels = len(partition.subpartitions)
        # A builder is a list of records (a tuple of parallel lists for HashRecordWriter).
        self._builders: list[Any] = [None] * self.num_channels
        self._ts_builders: list[Any] = [None] * self.num_channels
        self.num_records_written = 0

    def is_available(self) -> bool:
        """True if the task may process more input (see ResultPartition.is_available)."""
        return self.partition.is_available()

    def emit(self, records: list[Any], timestamps: list[Any] | None = None) -> None:
        """Writes a batch of records (with their timestamps, if they carry any), in order."""
        self.num_records_written += len(records)
        channels = self._select_channels(records)
        if timestamps is None:
            append = self._append
            for channel, record in zip(channels, records, strict=True):
                append(channel, record, None)
        else:
            append = self._append
            for channel, record, ts in zip(channels, records, timestamps, strict=True):
                append(channel, record, ts)

    def _select_channels(self, records: list[Any]) -> list[int]:
        """The channel of each record (per-record partitioners override this)."""
        raise NotImplementedError

    def _append(self, channel: int, record: Any, timestamp: Any) -> None:
        builder = self._builders[channel]
        if builder is None:
            self.partition.request_buffer(channel)
            builder = self._builders[channel] = []
            if timestamp is not None:
                self._ts_builders[channel] = []
        builder.append(record)
        ts_builder = self._ts_builders[channel]
        if ts_builder is not None:
            ts_builder.append(timestamp)
        if self.flush_always:
            self._hand_on(channel, FlushReason.FLUSH_ALWAYS)
        elif len(builder) >= self.capacity:
            self._hand_on(channel, FlushReason.FULL)

    def _hand_on(self, channel: int, reason: FlushReason) -> None:
        builder = self._builders[channel]
        self.partition.add(channel, self._to_buffer(builder, self._ts_builders[channel], reason))
        self._builders[channel] = None
        self._ts_builders[channel] = None

    def flush_all(self, reason: FlushReason = FlushReason.TIMEOUT) -> bool:
        """Hands every partially filled buffer to its subpartition; True if any was."""
        flushed = False
        for channel, builder in enumerate(self._builders):
            if builder is not None:
                self._hand_on(channel, reason)
                flushed = True
        return flushed

    def _to_buffer(self, builder: Any, timestamps: Any, reason: FlushReason) -> Buffer:
        return Buffer(builder, flush_reason=reason, timestamps=timestamps)

    def has_pending(self) -> bool:
        """True if some buffer is partially filled."""
        return any(b is not None for b in self._builders)

    def broadcast_event(self, event: object) -> None:
        """Flushes, then sends an event to every subpartition."""
        self.flush_all(FlushReason.EVENT)
        self.partition.broadcast_event(event)

    def finish(self) -> None:
        """End of input: flushes and ends every subpartition."""
        self.flush_all(FlushReason.END_OF_INPUT)
        self.partition.finish()


class ForwardRecordWriter(RecordWriter):
    """One subpartition (forward / pointwise to one consumer): copies slices of the batch."""

    def emit(self, records: list[Any], timestamps: list[Any] | None = None) -> None:
        self.num_records_written += len(records)
        if self.flush_always:
            for i, record in enumerate(records):
                self._append(0, record, None if timestamps is None else timestamps[i])
            return
        partition = self.partition
        capacity = self.capacity
        builder = self._builders[0]
        ts_builder = self._ts_builders[0]
        start, end = 0, len(records)
        while start < end:
            if builder is None:
                partition.request_buffer(0)
                builder = []
                ts_builder = None if timestamps is None else []
            take = min(capacity - len(builder), end - start)
            builder.extend(records[start : start + take])
            if ts_builder is not None and timestamps is not None:
                ts_builder.extend(timestamps[start : start + take])
            start += take
            if len(builder) >= capacity:
                partition.add(
                    0, Buffer(builder, flush_reason=FlushReason.FULL, timestamps=ts_builder)
                )
                builder = ts_builder = None
        self._builders[0] = builder
        self._ts_builders[0] = ts_builder


class _RoundRobinRecordWriter(RecordWriter):
    """Round robin over the channels from a start channel."""

    next_channel = 0

    def _select_channels(self, records: list[Any]) -> list[int]:
        n = self.num_channels
        start = self.next_channel + 1
        channels = [(start + i) % n for i in range(len(records))]
        if channels:
            self.next_channel = channels[-1]
        return channels


class RebalanceRecordWriter(_RoundRobinRecordWriter):
    """REBALANCE: round robin, starting at a random channel (Flink's RebalancePartitioner)."""

    def __init__(
        self,
        partition: ResultPartition,
        capacity: int,
        flush_always: bool,
        operator_name: str = "",
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(partition, capacity, flush_always, operator_name)
        self.next_channel = (rng or random.Random()).randrange(self.num_channels)


class RescaleRecordWriter(_RoundRobinRecordWriter):
    """RESCALE: round robin over this producer's consumers, starting at channel 0."""

    next_channel = -1


class ShuffleRecordWriter(RecordWriter):
    """SHUFFLE: a uniformly random channel per record (seedable)."""

    def __init__(
        self,
        partition: ResultPartition,
        capacity: int,
        flush_always: bool,
        operator_name: str = "",
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(partition, capacity, flush_always, operator_name)
        self._rng = rng or random.Random()

    def _select_channels(self, records: list[Any]) -> list[int]:
        randrange = self._rng.randrange
        n = self.num_channels
        return [randrange(n) for _ in records]


class GlobalRecordWriter(RecordWriter):
    """GLOBAL: every record to the first consumer subtask."""

    def _select_channels(self, records: list[Any]) -> list[int]:
        return [0] * len(records)


class BroadcastRecordWriter(RecordWriter):
    """BROADCAST: every record to every channel."""

    def emit(self, records: list[Any], timestamps: list[Any] | None = None) -> None:
        self.num_records_written += len(records)
        channels = range(self.num_channels)
        append = self._append
        for i, record in enumerate(records):
            ts = None if timestamps is None else timestamps[i]
            for channel in channels:
                append(channel, record, ts)


def _key_function(key_selector: Any) -> Callable[[Any], Any]:
    get_key = getattr(key_selector, "get_key", None)
    return get_key if get_key is not None else key_selector  # type: ignore[no-any-return]


class HashRecordWriter(RecordWriter):
    """HASH (``key_by``) to several channels: routes by key group; ships each record with its
    key and key group. (With a single channel there is nothing to route: the task uses a
    :class:`ForwardRecordWriter` and the keyed consumer extracts the keys itself.)

    The key is computed once, here, as PyFlink computes it once in its key-by operator; the
    keyed consumer reads the key and key group from the buffer (parallel lists, see
    :class:`~kolk._runtime.network.buffer.Buffer`) instead of recomputing them.

    Args:
        key_selector: the user's key selector (callable or ``KeySelector``).
        assigner: key → key group (PyFlink's placement) for the consumer's max parallelism.
    """

    def __init__(
        self,
        partition: ResultPartition,
        capacity: int,
        flush_always: bool,
        operator_name: str,
        key_selector: Any,
        assigner: KeyGroupAssigner,
    ) -> None:
        super().__init__(partition, capacity, flush_always, operator_name)
        self._get_key = _key_function(key_selector)
        self._assign = assigner.assign
        self._str_cache = assigner.str_cache
        n, max_p = self.num_channels, assigner.max_parallelism
        #: key group → channel (Flink's ``KeyGroupRangeAssignment`` for this consumer count).
        self._channel_table = [kg * n // max_p for kg in range(max_p)]
        self._channel_of_key_group = self._channel_table.__getitem__

    def emit(self, records: list[Any], timestamps: list[Any] | None = None) -> None:
        self.num_records_written += len(records)
        try:
            keys = list(map(self._get_key, records))
        except Exception as exc:
            raise self._key_selector_error(exc) from exc
        if not self.flush_always and _native_split is not None:
            # One C pass when every key is a str whose key group is cached (measured:
            # benchmarks/bench_instructions.py, W2 at parallelism 2 in one process: what
            # routing adds went from about 1,500 to 470 instructions per record).
            parts = _native_split(
                records, keys, timestamps, self._str_cache, self._channel_table, self.num_channels
            )
            if parts is not None:
                for channel, part in enumerate(parts):
                    if part is not None:
                        self._append_columns(channel, *part)
                return
        try:
            key_groups = self._key_groups(keys)
        except Exception as exc:
            raise self._key_selector_error(exc) from exc
        if self.flush_always:
            self._emit_one_by_one(records, keys, key_groups, timestamps)
            return
        # Route a whole batch at C speed (measured: the per-record routing loop cost W2 at
        # parallelism 2 about 0.3 us per record): each channel's records, keys and key groups
        # are picked out with one ``compress`` each, keeping their order.
        channels = list(map(self._channel_of_key_group, key_groups))
        n = self.num_channels
        for channel in range(n):
            if n == 2:
                mask: Any = channels if channel else list(map(not_, channels))
            else:
                mask = list(map(eq, channels, repeat(channel)))
            values = list(compress(records, mask))
            if values:
                self._append_columns(
                    channel,
                    values,
                    list(compress(keys, mask)),
                    list(compress(key_groups, mask)),
                    None if timestamps is None else list(compress(timestamps, mask)),
                )

    def _key_selector_error(self, error: Exception) -> UserCodeError:
        return UserCodeError(
            f"key_by of {self.operator_name}",
            "key selector " + describe_function(self._get_key),
            error,
        )

    def _append_columns(
        self,
        channel: int,
        values: list[Any],
        keys: list[Any],
        key_groups: list[int],
        timestamps: list[Any] | None,
    ) -> None:
        """Appends one channel's records (in order) to its buffers, handing on full ones."""
        builders = self._builders
        capacity = self.capacity
        start, end = 0, len(values)
        while start < end:
            builder = builders[channel]
            if builder is None:
                self.partition.request_buffer(channel)
                builder = builders[channel] = ([], [], [])
                if timestamps is not None:
                    self._ts_builders[channel] = []
            take = min(capacity - len(builder[0]), end - start)
            stop = start + take
            builder[0].extend(values[start:stop])
            builder[1].extend(keys[start:stop])
            builder[2].extend(key_groups[start:stop])
            if timestamps is not None:
                self._ts_builders[channel].extend(timestamps[start:stop])
            start = stop
            if len(builder[0]) >= capacity:
                self._hand_on(channel, FlushReason.FULL)

    def _emit_one_by_one(
        self,
        records: list[Any],
        keys: list[Any],
        key_groups: list[int],
        timestamps: list[Any] | None,
    ) -> None:
        """Buffer timeout 0: every record leaves alone, in the order of the batch."""
        channel_of = self._channel_of_key_group
        stamps = timestamps if timestamps is not None else [None] * len(records)
        for value, key, key_group, ts in zip(records, keys, key_groups, stamps, strict=True):
            channel = channel_of(key_group)
            self._append_columns(
                channel, [value], [key], [key_group], None if timestamps is None else [ts]
            )
            if self._builders[channel] is not None:
                self._hand_on(channel, FlushReason.FLUSH_ALWAYS)

    def _to_buffer(self, builder: Any, timestamps: Any, reason: FlushReason) -> Buffer:
        values, keys, key_groups = builder
        return Buffer(
            values, flush_reason=reason, keys=keys, key_groups=key_groups, timestamps=timestamps
        )

    def _key_groups(self, keys: list[Any]) -> list[int]:
        """Key groups of a batch of keys.

        Hot path (measured: about 2x faster than one ``assign`` call per key on
        benchmarks/bench_core.py W2): when every key is exactly a ``str``, look all of them up
        in the assigner's cache at C speed. A miss raises ``KeyError`` (no per-key check for
        misses: 8% of the routing's time); that batch then goes through ``assign``, which
        computes and caches its new keys.
        """
        if set(map(type, keys)) == _ONLY_STR:
            try:
                return list(map(self._str_cache.__getitem__, keys))
            except KeyError:
                pass
        return list(map(self._assign, keys))


class CustomPartitionRecordWriter(RecordWriter):
    """CUSTOM (``partition_custom``): ``partitioner.partition(key, n)`` picks the channel."""

    def __init__(
        self,
        partition: ResultPartition,
        capacity: int,
        flush_always: bool,
        operator_name: str,
        key_selector: Any,
        partitioner: Any,
    ) -> None:
        super().__init__(partition, capacity, flush_always, operator_name)
        self._get_key = _key_function(key_selector)
        part = getattr(partitioner, "partition", None)
        self._partition_fn: Callable[[Any, int], int] = part if part is not None else partitioner

    def _select_channels(self, records: list[Any]) -> list[int]:
        get_key = self._get_key
        choose = self._partition_fn
        n = self.num_channels
        channels = [choose(get_key(value), n) for value in records]
        for channel in channels:
            if not 0 <= channel < n:
                raise ValueError(f"custom partitioner returned channel {channel}, outside [0, {n})")
        return channels
