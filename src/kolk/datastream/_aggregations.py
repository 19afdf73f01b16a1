"""The rolling aggregations of a KeyedStream: ``sum``, ``min``, ``max``, ``min_by``, ``max_by``.

As in PyFlink 2.3, each is a ``reduce()`` with an :class:`AccumulateReduceFunction`, so the
operator is named "Reduce" and emits the running result for every element. The semantics are
PyFlink's (``KeyedStream._accumulate``):

* The position is an ``int`` (field index) or a ``str`` (field name, for Rows with names).
* The element kind is decided by the first element reduced (the key's second element):
  - tuple: ``sum/min/max`` return a new tuple whose other fields are the *first* element's
    and whose selected field is the running sum / minimum / maximum;
  - list or Row: the same, field by field;
  - anything else (a number, a string): the whole value is summed / compared, and only
    position 0 is allowed.
* ``min_by/max_by`` return the whole element holding the smallest / largest field; on a tie
  the earlier element wins.

One deliberate difference: PyFlink updates a list or Row accumulator in place, which is
invisible there because every emitted record is serialized. kolk hands records on by
reference, so the accumulator is copied before the update and an emitted record is never
changed afterwards.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable
from typing import Any

from kolk.common import Row
from kolk.datastream.functions import ReduceFunction

__all__ = ["AccumulateReduceFunction", "AccumulateType", "check_position"]


class AccumulateType(enum.Enum):
    """Which rolling aggregation (PyFlink's ``KeyedStream.AccumulateType``)."""

    MIN = 1
    MAX = 2
    MIN_BY = 3
    MAX_BY = 4
    SUM = 5


# PyFlink's public home for this enum is KeyedStream.AccumulateType.
AccumulateType.__module__ = "kolk.datastream.data_stream"
AccumulateType.__qualname__ = "KeyedStream.AccumulateType"


def check_position(position: Any) -> None:
    """PyFlink's check: the position is an int (index) or a str (field name).

    Raises:
        TypeError: any other type (PyFlink's wording).
    """
    if not isinstance(position, (int, str)):
        raise TypeError(
            f"The field position must be of int or str type to locate the value to calculate "
            f"for min, max, min_by, max_by and sum.The given type is: {type(position)}"
        )


def _combine(acc_type: AccumulateType, current: Any, new: Any) -> Any:
    """The selected-field result of sum/min/max for two field values."""
    if acc_type is AccumulateType.MIN:
        return new if new < current else current
    if acc_type is AccumulateType.MAX:
        return new if new > current else current
    return current + new


class AccumulateReduceFunction(ReduceFunction):
    """The reduce function behind ``sum/min/max/min_by/max_by(position)``.

    Picklable (a module-level class holding only the position and the kind) so that it can
    travel to worker processes.
    """

    def __init__(self, position: int | str, acc_type: AccumulateType) -> None:
        self._pos = position
        self._acc_type = acc_type
        self._reduce_func: Callable[[Any, Any], Any] | None = None

    def reduce(self, value1: Any, value2: Any) -> Any:
        """Combines the running result (value1) with the next element (value2)."""
        if self._reduce_func is None:
            self._reduce_func = self._choose(value2)
        return self._reduce_func(value1, value2)

    def __getstate__(self) -> dict[str, Any]:
        # The chosen reduce closure is derived state: rebuilt from the first element reduced.
        return {"_pos": self._pos, "_acc_type": self._acc_type, "_reduce_func": None}

    def _choose(self, sample: Any) -> Callable[[Any, Any], Any]:
        """Picks the reduce logic from the first element reduced, as PyFlink does."""
        pos, acc_type = self._pos, self._acc_type
        is_row = isinstance(sample, Row)
        if isinstance(pos, str) and isinstance(sample, (tuple, list)) and not is_row:
            raise TypeError(
                f"Field name '{pos}' cannot select a field of a {type(sample).__name__}: names "
                f"work on Rows with field names (Types.ROW_NAMED); use the field's position, "
                f"e.g. 1"
            )
        if acc_type in (AccumulateType.MIN_BY, AccumulateType.MAX_BY):
            smaller = acc_type is AccumulateType.MIN_BY
            if is_row or isinstance(sample, (tuple, list)):

                def select_by_field(v1: Any, v2: Any) -> Any:
                    a, b = v1[pos], v2[pos]
                    return v2 if (b < a if smaller else b > a) else v1

                return select_by_field

            def select_by_value(v1: Any, v2: Any) -> Any:
                return v2 if (v2 < v1 if smaller else v2 > v1) else v1

            return select_by_value
        if is_row or isinstance(sample, list):

            def reduce_fields(v1: Any, v2: Any) -> Any:
                result = copy.copy(v1)  # never change a record already emitted
                result[pos] = _combine(acc_type, v1[pos], v2[pos])
                return result

            return reduce_fields
        if isinstance(sample, tuple):
            index = int(pos)

            def reduce_tuple(v1: Any, v2: Any) -> Any:
                fields = list(v1)
                fields[index] = _combine(acc_type, v1[index], v2[index])
                return tuple(fields)

            return reduce_tuple
        if pos != 0:
            raise TypeError(
                f"The {pos} field selected on a basic type. A field expression on a basic type "
                f"can only select the 0th field (which means selecting the entire basic type)."
            )
        return lambda v1, v2: _combine(acc_type, v1, v2)
