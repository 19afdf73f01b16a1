"""map, flat_map and filter: one user call per record."""

from __future__ import annotations

from typing import Any

from kolk._runtime.operators.base import FunctionOperator

__all__ = ["FilterOperator", "FlatMapOperator", "MapOperator"]


class MapOperator(FunctionOperator):
    """One output per input: ``call(value)``."""

    kind = "map"

    def __init__(self, function: Any) -> None:
        super().__init__(function, "map")


class FlatMapOperator(FunctionOperator):
    """Any number of outputs: iterates what ``call(value)`` returns or yields."""

    kind = "flat_map"

    def __init__(self, function: Any) -> None:
        super().__init__(function, "flat_map")


class FilterOperator(FunctionOperator):
    """Keeps the input when ``call(value)`` is true."""

    kind = "filter"

    def __init__(self, function: Any) -> None:
        super().__init__(function, "filter")
