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
    "BroadcastProcessOperatorFactory",
    "CoFlatMapOperatorFactory",
    "CoMapOperatorFactory",
    "CoProcessOperatorFactory",
    "CollectionSourceFactory",
    "FilterOperatorFactory",
    "FlatMapOperatorFactory",
    "KeyedBroadcastProcessOperatorFactory",
    "KeyedCoProcessOperatorFactory",
    "KeyedProcessOperatorFactory",
    "MapOperatorFactory",
    "NumberSequenceSourceFactory",
    "OperatorFactory",
    "PrintSinkOperatorFactory",
    "ProcessOperatorFactory",
    "ReduceOperatorFactory",
    "TimestampsAndWatermarksOperatorFactory",
    "WindowOperatorFactory",
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
class NumberSequenceSourceFactory(OperatorFactory):
    """``from_source(NumberSequenceSource(start, end), ...)``: a parallel bounded source; each
    subtask emits its own contiguous split of ``[start, end]``, in increasing order.

    Attributes:
        start: the first number, inclusive.
        end: the last number, inclusive.
    """

    start: int
    end: int
    kind = "source"

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.number_sequence import NumberSequenceSourceOperator

        return NumberSequenceSourceOperator(self.start, self.end)


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


@dataclass(frozen=True, eq=False)
class WindowOperatorFactory(OperatorFactory):
    """``WindowedStream``/``AllWindowedStream`` ``reduce``/``aggregate``/``apply``/``process``.

    Attributes:
        assigner: the ``WindowAssigner``.
        trigger: the ``Trigger`` (the assigner's default if the user set none).
        allowed_lateness: ms an event-time window is kept after its end.
        contents: "list" (``apply``/``process``), "reduce" or "aggregate".
        contents_function: the reduce function or ``AggregateFunction`` (None for "list").
        window_function: the window function applied when a window fires.
        late_data_output_tag: the ``OutputTag`` of ``side_output_late_data``, or None.
        evictor: the ``Evictor`` of ``evictor(...)``, or None.
    """

    assigner: Any
    trigger: Any
    allowed_lateness: int
    contents: str
    contents_function: Any
    window_function: Any
    late_data_output_tag: Any = None
    evictor: Any = None

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.window_operator import WindowOperator

        # Copied together: objects the user shares between them stay shared in a subtask.
        assigner, trigger, contents_function, window_function, evictor = copy_for_subtask(
            (
                self.assigner,
                self.trigger,
                self.contents_function,
                self.window_function,
                self.evictor,
            )
        )
        return WindowOperator(
            assigner,
            trigger,
            self.allowed_lateness,
            self.contents,
            contents_function,
            window_function,
            self.late_data_output_tag,
            evictor,
        )


# -- two-input operators (connect) ------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoMapOperatorFactory(OperatorFactory):
    """``ConnectedStreams.map``: a ``CoMapFunction`` (keyed if the connected streams are)."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.co_map import CoMapOperator

        return CoMapOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class CoFlatMapOperatorFactory(OperatorFactory):
    """``ConnectedStreams.flat_map``: a ``CoFlatMapFunction`` (keyed if the streams are)."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.co_map import CoFlatMapOperator

        return CoFlatMapOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class CoProcessOperatorFactory(OperatorFactory):
    """``ConnectedStreams.process`` on non-keyed connected streams: a ``CoProcessFunction``."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.co_process import CoProcessOperator

        return CoProcessOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class KeyedCoProcessOperatorFactory(OperatorFactory):
    """``ConnectedStreams.process`` on keyed connected streams: a ``KeyedCoProcessFunction``
    (or a ``CoProcessFunction``, run keyed as Flink does)."""

    function: Any

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.co_process import KeyedCoProcessOperator

        return KeyedCoProcessOperator(copy_for_subtask(self.function))


@dataclass(frozen=True, eq=False)
class BroadcastProcessOperatorFactory(OperatorFactory):
    """``BroadcastConnectedStream.process`` on a non-keyed stream.

    Attributes:
        function: the ``BroadcastProcessFunction``.
        descriptors: the ``MapStateDescriptor`` objects given to ``broadcast(...)``.
    """

    function: Any
    descriptors: tuple[Any, ...]

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.co_broadcast import BroadcastProcessOperator

        return BroadcastProcessOperator(copy_for_subtask(self.function), self.descriptors)


@dataclass(frozen=True, eq=False)
class KeyedBroadcastProcessOperatorFactory(OperatorFactory):
    """``BroadcastConnectedStream.process`` on a KeyedStream.

    Attributes:
        function: the ``KeyedBroadcastProcessFunction``.
        descriptors: the ``MapStateDescriptor`` objects given to ``broadcast(...)``.
    """

    function: Any
    descriptors: tuple[Any, ...]

    def create(self) -> StreamOperator:
        from kolk._runtime.operators.co_broadcast import KeyedBroadcastProcessOperator

        return KeyedBroadcastProcessOperator(copy_for_subtask(self.function), self.descriptors)
