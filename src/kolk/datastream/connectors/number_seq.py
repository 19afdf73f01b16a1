"""A parallel source of consecutive numbers (mirrors
``pyflink.datastream.connectors.number_seq``).

:class:`NumberSequenceSource` is Flink's ``NumberSequenceSource``: a bounded source of the longs
``start, start + 1, ..., end``, read in parallel. How the range is split among the subtasks:
:mod:`kolk._runtime.operators.number_sequence`.
"""

from __future__ import annotations

from typing import Any

from kolk._runtime.operators.factories import NumberSequenceSourceFactory
from kolk.common.typeinfo import Types
from kolk.datastream.connectors.base import Source, _SourceSpec

__all__ = ["NumberSequenceSource"]

#: The range of a Java ``long``, the type of the source's numbers (Flink's ``Types.LONG``).
_LONG_MIN = -(2**63)
_LONG_MAX = 2**63 - 1


class NumberSequenceSource(Source):
    """A source that produces the sequence of numbers (longs) from ``start`` to ``end``.

    Useful for tests and for jobs that need a stream of N events of any kind. The source splits
    the sequence into as many contiguous sub-sequences as it has parallel subtasks (the stream's
    parallelism: the environment's default unless set on the stream); subtask 0 reads the first
    one, and each subtask emits its numbers in increasing order. So at parallelism 1 the whole
    sequence comes out in order. Every number is emitted exactly once. The source is always
    bounded: once every subtask has emitted its numbers, the stream ends (with the final
    watermark, as every bounded source).

    The records are Python ``int`` values of type ``Types.LONG()``.

    Args:
        start: the first number, inclusive.
        end: the last number, inclusive; not smaller than ``start`` (Flink's
            ``'from' must be <= 'to'``).

    Raises:
        TypeError: ``start`` or ``end`` is not an int (a bool, a float or a str is refused).
        ValueError: ``start > end``, or a bound does not fit in a Java long.
    """

    def __init__(self, start: int, end: int) -> None:
        _check_long("start", start)
        _check_long("end", end)
        if start > end:
            raise ValueError(
                f"NumberSequenceSource: 'from' must be <= 'to', got start={start} > end={end}; "
                "both bounds are inclusive, so NumberSequenceSource(1, 10) emits 1 to 10"
            )
        super().__init__(source=_SourceSpec(NumberSequenceSourceFactory(start, end), Types.LONG()))
        self._start = start
        self._end = end

    def __repr__(self) -> str:
        return f"NumberSequenceSource({self._start}, {self._end})"


def _check_long(name: str, value: Any) -> None:
    """Raises unless ``value`` is an int that fits in a Java long."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(
            f"NumberSequenceSource: {name} must be an int, got {type(value).__name__} {value!r}"
        )
    if not _LONG_MIN <= value <= _LONG_MAX:
        raise ValueError(
            f"NumberSequenceSource: {name}={value} does not fit in a Java long "
            f"({_LONG_MIN} to {_LONG_MAX})"
        )
