"""Watermarks: the event-time clock that travels with the data (Flink's ``Watermark``)."""

from __future__ import annotations

__all__ = ["MAX_WATERMARK", "MIN_WATERMARK", "NO_TIMESTAMP", "Watermark"]

#: ``Long.MIN_VALUE``: the initial watermark of every operator.
MIN_WATERMARK = -(2**63)
#: ``Long.MAX_VALUE``: emitted at the end of a bounded input; fires every event-time timer.
MAX_WATERMARK = 2**63 - 1
#: What a record without a timestamp reports (Java's ``StreamRecord.getTimestamp()``).
NO_TIMESTAMP = MIN_WATERMARK


class Watermark:
    """An event traveling in order with the records: no record with a timestamp <= this one
    is expected any more. Needs no credit; broadcast to every channel of an edge."""

    __slots__ = ("timestamp",)

    def __init__(self, timestamp: int) -> None:
        self.timestamp = timestamp

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Watermark) and other.timestamp == self.timestamp

    def __hash__(self) -> int:
        return hash(("Watermark", self.timestamp))

    def __repr__(self) -> str:
        return f"Watermark({self.timestamp})"
