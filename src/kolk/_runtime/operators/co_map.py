"""Co-map and co-flat-map: ``ConnectedStreams.map`` / ``flat_map``.

``map1``/``flat_map1`` take the first input's elements, ``map2``/``flat_map2`` the second's.
Semantics follow PyFlink's adapters (``ConnectedStreams.map``/``flat_map`` in
pyflink/datastream/data_stream.py, ``CoMapCoProcessFunctionAdapter`` and
``FlatMapCoProcessFunctionAdapter``): a ``map*`` result of None is dropped, and a falsy
``flat_map*`` result (None, an empty list) emits nothing.

On keyed connected streams the operator is keyed (the chain gives it a key context): each
element runs with its key set, so keyed state obtained in ``open()`` works in ``map1``/``map2``,
as PyFlink runs these functions inside a keyed co-process operator. Timers do not exist here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kolk._runtime.operators.co_base import CoFunctionOperator, ElementCall
from kolk.datastream.functions import CoFlatMapFunction, CoMapFunction

__all__ = ["CoFlatMapOperator", "CoMapOperator"]


class _Stamp:
    """The context of co-map functions: they see none, but the loop records timestamps on it."""

    __slots__ = ("ts",)

    def __init__(self) -> None:
        self.ts: Any = None


def _map_call(map_function: Callable[[Any], Any]) -> ElementCall:
    def call(value: Any, ctx: Any) -> tuple[Any] | None:
        result = map_function(value)
        return None if result is None else (result,)

    return call


def _flat_map_call(flat_map_function: Callable[[Any], Any]) -> ElementCall:
    def call(value: Any, ctx: Any) -> Iterable[Any] | None:
        result = flat_map_function(value)
        return result if result else None

    return call


class CoMapOperator(CoFunctionOperator):
    """Calls ``map1``/``map2`` of a ``CoMapFunction``; one output per element (None: none).

    Raises:
        TypeError: the function is not a CoMapFunction.
    """

    def __init__(self, function: Any) -> None:
        if not isinstance(function, CoMapFunction):
            raise TypeError(
                f"ConnectedStreams.map expects a CoMapFunction, got {type(function).__name__}"
            )
        super().__init__(function)
        stamp = _Stamp()
        self._input1 = (_map_call(function.map1), stamp, function.map1)
        self._input2 = (_map_call(function.map2), stamp, function.map2)


class CoFlatMapOperator(CoFunctionOperator):
    """Calls ``flat_map1``/``flat_map2`` of a ``CoFlatMapFunction``; outputs are what they
    yield or return.

    Raises:
        TypeError: the function is not a CoFlatMapFunction.
    """

    def __init__(self, function: Any) -> None:
        if not isinstance(function, CoFlatMapFunction):
            raise TypeError(
                f"ConnectedStreams.flat_map expects a CoFlatMapFunction, got "
                f"{type(function).__name__}"
            )
        super().__init__(function)
        stamp = _Stamp()
        self._input1 = (_flat_map_call(function.flat_map1), stamp, function.flat_map1)
        self._input2 = (_flat_map_call(function.flat_map2), stamp, function.flat_map2)
