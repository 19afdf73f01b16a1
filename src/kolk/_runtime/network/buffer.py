"""Network buffers and the events that travel with them.

In process, a buffer holds *references* to records in a list of bounded length and is never
serialized (DESIGN.md §4 cost model); across processes a whole buffer is encoded at once.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "END_OF_PARTITION",
    "Buffer",
    "EndOfPartitionEvent",
    "FlushReason",
    "buffer_capacity_for_segment_size",
]

#: Bytes assumed per record reference when sizing in-process buffers from
#: ``taskmanager.memory.segment-size`` (32 KiB → 1,024 records per buffer).
_BYTES_PER_RECORD_REFERENCE = 32


def buffer_capacity_for_segment_size(segment_size: int) -> int:
    """Records per in-process buffer for a segment size in bytes (at least 1)."""
    return max(1, segment_size // _BYTES_PER_RECORD_REFERENCE)


class FlushReason(enum.Enum):
    """Why a producer finished a buffer and handed it to its subpartition."""

    FULL = "full"
    TIMEOUT = "timeout"
    FLUSH_ALWAYS = "flush-always"
    END_OF_INPUT = "end-of-input"
    EVENT = "event"


class EndOfPartitionEvent:
    """The last element of every subpartition: the producer has finished."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "EndOfPartitionEvent"


END_OF_PARTITION = EndOfPartitionEvent()


class Buffer:
    """A network buffer: a list of records (data) or a single event.

    Invariant: exactly one of ``records`` (data buffer) and ``event`` (event buffer) is set.
    On a keyed (hash-partitioned) edge, ``keys`` and ``key_groups`` run parallel to
    ``records``: the key is computed once, by the producer, and travels with the record
    without a per-record tuple (measured: per-record tuples cost W2 up to 40% in garbage
    collection). ``timestamps``, when the stream carries them, runs parallel to ``records``
    too. ``backlog`` and ``sequence_number`` are stamped by the sender when the buffer is sent.
    """

    __slots__ = (
        "backlog",
        "event",
        "flush_reason",
        "key_groups",
        "keys",
        "records",
        "sequence_number",
        "timestamps",
    )

    def __init__(
        self,
        records: list[Any] | None = None,
        event: object | None = None,
        flush_reason: FlushReason = FlushReason.FULL,
        keys: list[Any] | None = None,
        key_groups: list[int] | None = None,
        timestamps: list[Any] | None = None,
    ) -> None:
        self.records = records
        self.timestamps = timestamps
        self.keys = keys
        self.key_groups = key_groups
        self.event = event
        self.flush_reason = flush_reason
        self.backlog = -1
        self.sequence_number = -1

    @property
    def is_event(self) -> bool:
        """True for an event buffer (needs no credit)."""
        return self.event is not None

    def __len__(self) -> int:
        return 0 if self.records is None else len(self.records)

    def __repr__(self) -> str:
        if self.event is not None:
            return f"Buffer(event={self.event!r}, seq={self.sequence_number})"
        return (
            f"Buffer({len(self)} records, seq={self.sequence_number}, "
            f"backlog={self.backlog}, {self.flush_reason.value})"
        )
