"""Operator factories: what a Transformation carries to create its runtime operator.

A factory is a small immutable description (the user function plus settings); each subtask
calls :meth:`OperatorFactory.create` to get its own operator instance. The builders choose the
factory; the graph layer only reads :attr:`OperatorFactory.kind`.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kolk._runtime.operators.base import StreamOperator

__all__ = [
    "CollectionSourceFactory",
    "FilterOperatorFactory",
    "FlatMapOperatorFactory",
    "KeyedProcessOperatorFactory",
    "MapOperatorFactory",
    "OperatorFactory",
    "PrintSinkOperatorFactory",
    "ProcessOperatorFactory",
    "ReduceOperatorFactory",
    "TimestampsAndWatermarksOperatorFactory",
    "copy_for_subtask",
]


def copy_for_subtask(function: Any) -> Any:
    """Each parallel subtask gets its own copy of the user's function object.

    PyFlink unpickles the function once per subtask, so attributes a function sets on
    ``self`` (in ``open()``, say) belong to one subtask. Plain functions and lambdas carry no
    such state and are shared (``copy.deepcopy`` returns them unchanged).

    Raises:
        TypeError: the function cannot be copied; PyFlink could not pickle it either.
    """
    try:
        return copy.deepcopy(function)
    except Exception as exc:
        raise TypeError(
            f"The function {function!r} cannot be copied for each parallel subtask ({exc}). "
            "PyFlink would fail to pickle it too: create resources such as connections or "
            "locks in open(), not in the constructor."
        ) from exc


class OperatorFactory(abc.ABC):
    """Creates one operator instance per subtask."""

    #: "source", "operator" or "sink": the plan's pact.
    kind: str = "operator"
    #: True if the operator gives its outputs new timestamps (assigner, windows).
    assigns_timestamps: bool = False

    @abc.abstractmethod
    def create(self) -> StreamOperator:
        """Returns a fresh operator for one subtask, with its own copy of the user function."""


@dataclass(frozen=True, eq=False)
class CollectionSourceFactory(OperatorFactory):
    """``from_collection``: emits the elements in order, then ends (a bounded source)."""

    elements: Sequence[Any]
    kind = "source"

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.source import CollectionSourceOperator

        return CollectionSourceOperator(self.elements)


@dataclass(frozen=True, eq=False)
class MapOperatorFactory(OperatorFactory):
    """``map``: a callable or a ``MapFunction``; one output per input."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.simple import MapOperator

        return MapOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class FlatMapOperatorFactory(OperatorFactory):
    """``flat_map``: a callable or a ``FlatMapFunction`` returning or yielding outputs."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.simple import FlatMapOperator

        return FlatMapOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class FilterOperatorFactory(OperatorFactory):
    """``filter``: a callable or a ``FilterFunction``; keeps elements it returns true for."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.simple import FilterOperator

        return FilterOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class ProcessOperatorFactory(OperatorFactory):
    """``DataStream.process``: a ``ProcessFunction``."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.process import ProcessOperator

        return ProcessOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class KeyedProcessOperatorFactory(OperatorFactory):
    """``KeyedStream.process``: a ``KeyedProcessFunction`` (keyed state, current key)."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.process import KeyedProcessOperator

        return KeyedProcessOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class ReduceOperatorFactory(OperatorFactory):
    """``KeyedStream.reduce``: a callable or ``ReduceFunction``; emits every running result."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.reduce import ReduceOperator

        return ReduceOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class TimestampsAndWatermarksOperatorFactory(OperatorFactory):
    """``assign_timestamps_and_watermarks``: stamps records, generates watermarks.

    Attributes:
        watermark_strategy: the user's ``WatermarkStrategy``.
    """

    watermark_strategy: Any
    assigns_timestamps = True

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.timestamps import TimestampsAndWatermarksOperator

        return TimestampsAndWatermarksOperator(copy_for_subtask(self.watermark_strategy))


@dataclass(frozen=True, eq=False)
class PrintSinkOperatorFactory(OperatorFactory):
    """``print()``: writes ``prefix + formatter(record)`` lines to standard output.

    Attributes:
        sink_identifier: the identifier given to ``print(id)``, or None.
        formatter: turns a record into its printed text (Java ``toString`` for declared
            types, Python ``str`` for pickled ones).
        type_info: the stream's declared type (named in errors), or None.
    """

    sink_identifier: str | None
    formatter: Callable[[Any], str] = str
    type_info: Any = None
    kind = "sink"

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.sink import PrintSinkOperator

        return PrintSinkOperator(self.sink_identifier, self.formatter, self.type_info)
