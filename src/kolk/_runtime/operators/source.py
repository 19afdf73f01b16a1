"""from_collection: a bounded, non-parallel source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kolk._runtime.operators.base import SourceOperator

__all__ = ["CollectionSourceOperator"]


class CollectionSourceOperator(SourceOperator):
    """Emits the collection's elements in order, in slices, then reports exhaustion."""

    def __init__(self, elements: Sequence[Any]) -> None:
        # The builder already took a private copy at from_collection(); never mutated.
        self._elements = elements
        self._position = 0

    def emit_next(self, max_records: int, emit: Callable[[list[Any]], None]) -> bool:
        start = self._position
        end = min(start + max_records, len(self._elements))
        if start < end:
            self._position = end
            chunk = self._elements[start:end]
            emit(chunk if isinstance(chunk, list) else list(chunk))
        return self._position < len(self._elements)
