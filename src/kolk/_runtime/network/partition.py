"""The producer side: a ResultPartition with one ResultSubpartition per consumer channel.

Flink's ``PipelinedSubpartition`` and ``LocalBufferPool`` rules, as counts:

- a subpartition queues finished buffers and events in order; its *backlog* is the number of
  data buffers queued;
- the partition's buffer pool has ``2 * subpartitions + 8`` buffers; a subpartition may hold at
  most ``max_buffers_per_subpartition`` (10) of them, its buffer being filled included;
- the partition is *available* (the task may process more input) only while the pool has a free
  buffer and no subpartition is at its cap. Unavailable output is back-pressure: the task stops
  taking input until the consumers' credit lets buffers leave.

A writer in the middle of a batch may take buffers beyond the pool (Flink's overdraft buffers);
those are counted in :attr:`ResultPartition.buffers_in_use`, so ``outPoolUsage`` can exceed 1.

Threading model: a partition belongs to one task and is used from the thread that runs that
task's mailbox loop; the transport that drains it runs on the same thread (in process) or
through the process's network loop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer, FlushReason

__all__ = ["ResultPartition", "ResultPartitionStatistics", "ResultSubpartition"]

#: Flink 2.x hard-codes these (NettyShuffleEnvironmentConfiguration).
DEFAULT_MAX_BUFFERS_PER_SUBPARTITION = 10
DEFAULT_FLOATING_BUFFERS_PER_GATE = 8


@dataclass(frozen=True, slots=True)
class ResultPartitionStatistics:
    """A snapshot of a partition's counters (read by metrics, the tracer and tests)."""

    num_subpartitions: int
    pool_size: int
    buffers_in_use: int
    queued_buffers: tuple[int, ...]
    backlogs: tuple[int, ...]
    num_buffers_out: int
    num_records_out: int
    finished: bool
    num_bytes_out: int = 0

    @property
    def out_pool_usage(self) -> float:
        """Flink's ``outPoolUsage``: buffers in use / pool size (> 1 with overdraft)."""
        return self.buffers_in_use / self.pool_size


class ResultSubpartition:
    """One consumer channel's queue of finished buffers and events (PipelinedSubpartition).

    Invariants: ``backlog`` equals the number of data buffers in the queue; ``num_buffers``
    (queued data buffers plus the one being filled) never decreases below 0.
    """

    __slots__ = ("_listener", "_partition", "backlog", "finished", "index", "num_buffers", "queue")

    def __init__(self, index: int, partition: ResultPartition) -> None:
        self.index = index
        self.queue: deque[Buffer] = deque()
        self.backlog = 0
        self.num_buffers = 0
        self.finished = False
        self._partition = partition
        self._listener: Callable[[], None] | None = None

    def register_listener(self, listener: Callable[[], None]) -> None:
        """Sets the callback told when the queue goes from empty to non-empty (the reader)."""
        self._listener = listener

    def add(self, buffer: Buffer) -> None:
        """Appends a finished data buffer or an event; tells the reader if it was idle."""
        was_empty = not self.queue
        self.queue.append(buffer)
        if buffer.event is None:
            self.backlog += 1
        elif buffer.event is END_OF_PARTITION:
            self.finished = True
        if was_empty and self._listener is not None:
            self._listener()

    def peek_is_event(self) -> bool:
        """True if the next buffer is an event, sent without credit (queue not empty)."""
        return self.queue[0].event is not None

    def poll(self) -> Buffer:
        """Removes and returns the next buffer, stamping the backlog left behind.

        The caller (the reader) has checked credit for data buffers. Raises IndexError when empty.
        """
        buffer = self.queue.popleft()
        if buffer.event is None:
            self.backlog -= 1
            self._partition._on_buffer_sent(self, len(buffer.records))  # type: ignore[arg-type]
        buffer.backlog = self.backlog
        return buffer


class ResultPartition:
    """A producer subtask's output for one edge: subpartitions plus a bounded buffer pool.

    Args:
        name: for messages and traces, e.g. ``"Map (1/2) -> edge 3"``.
        num_subpartitions: one per consumer channel.
        max_buffers_per_subpartition: Flink's ``maxBuffersPerChannel`` (10).
        pool_size: buffers in the pool; defaults to Flink's ``2 * subpartitions + 8``.
    """

    def __init__(
        self,
        name: str,
        num_subpartitions: int,
        *,
        max_buffers_per_subpartition: int = DEFAULT_MAX_BUFFERS_PER_SUBPARTITION,
        pool_size: int | None = None,
    ) -> None:
        if num_subpartitions < 1:
            raise ValueError("a result partition needs at least one subpartition")
        self.name = name
        self.subpartitions = [ResultSubpartition(i, self) for i in range(num_subpartitions)]
        self.max_buffers_per_subpartition = max_buffers_per_subpartition
        self.pool_size = pool_size if pool_size is not None else 2 * num_subpartitions + 8
        self.buffers_in_use = 0
        self._subpartitions_at_cap = 0
        self.num_buffers_out = 0
        self.num_records_out = 0
        self.num_bytes_out = 0
        self.finished = False
        self._availability_listener: Callable[[], None] | None = None

    def set_availability_listener(self, listener: Callable[[], None]) -> None:
        """Sets the callback told when the partition may have become available again."""
        self._availability_listener = listener

    def is_available(self) -> bool:
        """True if the producer may take more input: a free pool buffer, no subpartition full."""
        return self.buffers_in_use < self.pool_size and self._subpartitions_at_cap == 0

    def request_buffer(self, subpartition: int) -> None:
        """Accounts for a new buffer being filled for ``subpartition`` (never refuses)."""
        sub = self.subpartitions[subpartition]
        sub.num_buffers += 1
        self.buffers_in_use += 1
        if sub.num_buffers == self.max_buffers_per_subpartition:
            self._subpartitions_at_cap += 1

    def add(self, subpartition: int, buffer: Buffer) -> None:
        """Queues a finished data buffer (requested earlier with :meth:`request_buffer`)."""
        self.subpartitions[subpartition].add(buffer)

    def broadcast_event(self, event: object) -> None:
        """Queues an event in every subpartition (events need no buffer from the pool)."""
        for sub in self.subpartitions:
            sub.add(Buffer(event=event, flush_reason=FlushReason.EVENT))

    def finish(self) -> None:
        """Ends the partition: END_OF_PARTITION goes to every subpartition."""
        if not self.finished:
            self.finished = True
            self.broadcast_event(END_OF_PARTITION)

    def count_bytes_out(self, num_bytes: int) -> None:
        """Adds the encoded size of a buffer sent to another process (``numBytesOut``)."""
        self.num_bytes_out += num_bytes

    def _on_buffer_sent(self, sub: ResultSubpartition, num_records: int) -> None:
        was_available = self.is_available()
        if sub.num_buffers == self.max_buffers_per_subpartition:
            self._subpartitions_at_cap -= 1
        sub.num_buffers -= 1
        self.buffers_in_use -= 1
        self.num_buffers_out += 1
        self.num_records_out += num_records
        if not was_available and self._availability_listener is not None and self.is_available():
            self._availability_listener()

    def statistics(self) -> ResultPartitionStatistics:
        """A frozen snapshot of the counters."""
        return ResultPartitionStatistics(
            num_subpartitions=len(self.subpartitions),
            pool_size=self.pool_size,
            buffers_in_use=self.buffers_in_use,
            queued_buffers=tuple(len(s.queue) for s in self.subpartitions),
            backlogs=tuple(s.backlog for s in self.subpartitions),
            num_buffers_out=self.num_buffers_out,
            num_records_out=self.num_records_out,
            num_bytes_out=self.num_bytes_out,
            finished=self.finished,
        )
