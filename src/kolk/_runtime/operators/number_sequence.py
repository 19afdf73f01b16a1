"""``NumberSequenceSource``: a bounded, parallel source of the longs in ``[start, end]``.

Flink's ``NumberSequenceSource`` splits the range into as many contiguous sub-ranges as the
source has parallel readers (``splitNumberRange``, through ``NumberSequenceIterator.split``):
every split holds ``n // p`` numbers and the first ``n % p`` splits one more, in ascending
order. Its enumerator hands the splits to readers as they ask; kolk assigns them statically,
split ``i`` to subtask ``i``, which is what Flink's readers get when each asks once. So subtask
0 reads the first sub-range, every subtask emits its numbers in increasing order, and together
the subtasks emit every number of the range exactly once. With more subtasks than numbers, the
last subtasks get an empty split and end at once (Flink drops empty splits, so their readers
get none).

The operator emits its split in slices of ``max_records`` numbers, each built with
``list(range(...))``: no per-record Python work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kolk._runtime.operators.base import OperatorEnvironment, SourceOperator

__all__ = ["NumberSequenceSourceOperator", "NumberSequenceSplit", "split_number_range"]


@dataclass(frozen=True, slots=True)
class NumberSequenceSplit:
    """A contiguous sub-range ``[start, end]`` of the sequence, both ends inclusive.

    Attributes:
        split_id: Flink's split id: "1", "2", ... in range order.
        start: the first number of the split.
        end: the last number; ``start - 1`` for an empty split.
    """

    split_id: str
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start + 1


def split_number_range(start: int, end: int, num_splits: int) -> list[NumberSequenceSplit]:
    """Splits ``[start, end]`` into ``num_splits`` contiguous, ascending sub-ranges.

    The sizes differ by one at most: ``n // num_splits`` numbers each, and one more for the first
    ``n % num_splits`` splits (``n = end - start + 1``), as Flink's
    ``NumberSequenceIterator.split``. Splits beyond the n-th are empty (``end == start - 1``).
    Python integers do not overflow, so Flink's special case for ranges wider than a long is
    not needed.

    Args:
        start: the first number, inclusive.
        end: the last number, inclusive; at least ``start - 1`` (an empty range).
        num_splits: how many splits, usually the source's parallelism.

    Returns:
        Exactly ``num_splits`` splits, in range order.

    Raises:
        ValueError: ``num_splits`` is below 1, or ``end < start - 1``.
    """
    if num_splits < 1:
        raise ValueError(f"The number of splits must be at least 1, got {num_splits}")
    count = end - start + 1
    if count < 0:
        raise ValueError(f"The range [{start}, {end}] is invalid: end must be >= start - 1")
    size, longer = divmod(count, num_splits)
    splits = []
    first = start
    for index in range(num_splits):
        length = size + 1 if index < longer else size
        splits.append(NumberSequenceSplit(str(index + 1), first, first + length - 1))
        first += length
    return splits


class NumberSequenceSourceOperator(SourceOperator):
    """Emits this subtask's split of ``[start, end]`` in increasing order, then ends.

    The split is chosen at ``setup`` from the subtask index and the parallelism (the task's
    :class:`~kolk._runtime.operators.base.OperatorEnvironment`).

    Args:
        start: the first number of the whole sequence, inclusive.
        end: the last number of the whole sequence, inclusive.
    """

    def __init__(self, start: int, end: int) -> None:
        self._start = start
        self._end = end
        self.split: NumberSequenceSplit | None = None
        # The next number to emit and the exclusive end of this subtask's split.
        self._next = 0
        self._stop = 0

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        splits = split_number_range(self._start, self._end, env.parallelism)
        split = splits[env.subtask_index]
        self.split = split
        self._next = split.start
        self._stop = split.end + 1

    def emit_next(self, max_records: int, emit: Callable[[list[Any]], None]) -> bool:
        position = self._next
        stop = min(position + max_records, self._stop)
        if position < stop:
            self._next = stop
            emit(list(range(position, stop)))
        return self._next < self._stop
