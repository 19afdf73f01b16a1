"""Streams and their transformations (mirrors ``pyflink.datastream.data_stream``).

A :class:`DataStream` is a handle on one :class:`~kolk._graph.transformations.Transformation`
of an environment. Its methods record new transformations (``map`` adds a
``OneInputTransformation`` named "Map", ``key_by`` a hash ``PartitionTransformation``, ...) or
change the stream's own (``name``, ``set_parallelism``, ``start_new_chain``, ...). Nothing runs
until the environment's ``execute()``.

Names follow PyFlink 2.3: "Map", "FlatMap", "Filter", "PROCESS" (``DataStream.process``),
"KEYED PROCESS" (``KeyedStream.process``), "Reduce" (``reduce`` and the ``sum``/``min``/``max``
aggregations), "Source: Collection Source", "Sink: Print to Std. Out", "Partition", "Union".
PyFlink's helper operators (the ``key_by`` key-extracting map, the ``print()`` str map, the
``KeyedStream`` value map) are not recorded: kolk runs Flink's operators directly
(DESIGN.md §8), so a ``KeyedStream`` is a hash partitioning of its input plus a key selector
that every operator applied to it carries (``state_key_selector``), as in Flink.

Types: ``output_type`` None means pickled Python objects (PyFlink's
``Types.PICKLED_BYTE_ARRAY()``, which :meth:`DataStream.get_type` returns); a list means a
``Types.ROW`` of those field types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from kolk._graph.transformations import (
    PARALLELISM_DEFAULT,
    ChainingStrategy,
    OneInputTransformation,
    PartitionerSpec,
    PartitionTransformation,
    ShipStrategy,
    SideOutputTransformation,
    SinkTransformation,
    Transformation,
    UnionTransformation,
)
from kolk._runtime.io.formatting import record_formatter
from kolk._runtime.operators.collect import CollectSinkOperatorFactory
from kolk._runtime.operators.factories import (
    FilterOperatorFactory,
    FlatMapOperatorFactory,
    KeyedProcessOperatorFactory,
    MapOperatorFactory,
    OperatorFactory,
    PrintSinkOperatorFactory,
    ProcessOperatorFactory,
    ReduceOperatorFactory,
    TimestampsAndWatermarksOperatorFactory,
)
from kolk.common import TypeInformation, Types
from kolk.common.watermark_strategy import WatermarkStrategy
from kolk.datastream._aggregations import AccumulateReduceFunction, check_position
from kolk.datastream._aggregations import AccumulateType as _AccumulateType
from kolk.datastream._checks import (
    check_buffer_timeout,
    check_operator_max_parallelism,
    check_operator_parallelism,
)
from kolk.datastream._collect import CloseableIterator, to_python_object
from kolk.datastream._connected_streams import (
    BroadcastConnectedStream,
    BroadcastStream,
    ConnectedStreams,
    check_broadcast_state_descriptors,
)
from kolk.datastream._sink import DataStreamSink
from kolk.datastream._stream_support import (
    PRINT_SINK_NAME,
    ProgramRecorder,
    check_function,
    check_slot_sharing_group,
    declared_type,
    node_name,
    user_name,
)
from kolk.datastream._unsupported_stream import (
    UnsupportedDataStreamMethods,
    UnsupportedKeyedStreamMethods,
)
from kolk.datastream._windowed_stream import AllWindowedStream, WindowedStream
from kolk.datastream.functions import (
    FilterFunction,
    FlatMapFunction,
    KeyedProcessFunction,
    KeySelector,
    MapFunction,
    Partitioner,
    ProcessFunction,
    ReduceFunction,
)
from kolk.datastream.output_tag import OutputTag
from kolk.datastream.window import (
    CountSlidingWindowAssigner,
    CountTumblingWindowAssigner,
    PurgingTrigger,
    WindowAssigner,
)

__all__ = [
    "AllWindowedStream",
    "BroadcastConnectedStream",
    "BroadcastStream",
    "CloseableIterator",
    "ConnectedStreams",
    "DataStream",
    "DataStreamSink",
    "KeyedStream",
    "WindowedStream",
]

_T = TypeVar("_T", bound=OneInputTransformation)

# DataStreamSink lives in a private module to keep this one small; this is its public home.
DataStreamSink.__module__ = __name__
WindowedStream.__module__ = __name__
AllWindowedStream.__module__ = __name__
ConnectedStreams.__module__ = __name__
BroadcastStream.__module__ = __name__
BroadcastConnectedStream.__module__ = __name__


class DataStream(UnsupportedDataStreamMethods):
    """A stream of elements of the same type, built from a transformation.

    Streams are created by the environment and by other streams' methods, never directly.
    Settings (``name``, ``set_parallelism``, ...) apply to the operator that produces the
    stream; they raise ``TypeError`` on a stream that no operator produces (the result of
    ``union``, ``rebalance()`` and the other partitionings), which Flink's Java API does not
    offer either.
    """

    _surface_name = "DataStream"

    def __init__(self, environment: ProgramRecorder, transformation: Transformation) -> None:
        """Wraps a transformation of an environment (internal: use the builders)."""
        self._env = environment
        self._transformation = transformation

    # -- the operator behind this stream ------------------------------------------------------

    def _operator(self, setting: str) -> Transformation:
        """The transformation settings apply to; it must be a source, operator or sink."""
        transformation = self._transformation
        if isinstance(transformation, (PartitionTransformation, UnionTransformation)):
            kind = (
                "union()"
                if isinstance(transformation, UnionTransformation)
                else f"{transformation.partitioner.strategy.value.lower()} partitioning"
            )
            raise TypeError(
                f"{setting}() applies to an operator, and this stream is the result of {kind}, "
                f"which is not an operator; call {setting}() on the operator that produces or "
                f"consumes the stream"
            )
        return transformation

    def get_name(self) -> str:
        """Returns the name of the operator producing this stream."""
        return user_name(self._transformation)

    def name(self, name: str) -> DataStream:
        """Sets the operator's name, shown in plans, task names and logs."""
        operator = self._operator("name")
        operator.name = node_name(operator, name)
        return self

    def uid(self, uid: str) -> DataStream:
        """Sets the operator's stable id (kept across job submissions)."""
        self._operator("uid").uid = uid
        return self

    def set_parallelism(self, parallelism: int) -> DataStream:
        """Sets the operator's parallelism.

        Raises:
            ValueError: below 1 and not -1, or not 1 on a non-parallel source (Flink's
                "The parallelism of non parallel operator must be 1.").
        """
        operator = self._operator("set_parallelism")
        operator.parallelism = check_operator_parallelism(parallelism, not operator.non_parallel)
        return self

    def set_max_parallelism(self, max_parallelism: int) -> DataStream:
        """Sets the operator's maximum parallelism (its number of key groups).

        Raises:
            ValueError: not in 1..32768, or not 1 on a non-parallel source.
        """
        operator = self._operator("set_max_parallelism")
        operator.max_parallelism = check_operator_max_parallelism(
            max_parallelism, not operator.non_parallel
        )
        return self

    def force_non_parallel(self) -> DataStream:
        """Fixes the operator's parallelism and maximum parallelism to 1 for good."""
        operator = self._operator("force_non_parallel")
        operator.parallelism = 1
        operator.max_parallelism = 1
        operator.non_parallel = True
        return self

    def get_type(self) -> TypeInformation:
        """Returns the stream's element type (``Types.PICKLED_BYTE_ARRAY()`` if undeclared)."""
        declared = self._transformation.output_type
        return Types.PICKLED_BYTE_ARRAY() if declared is None else declared

    def get_execution_environment(self) -> Any:
        """Returns the environment this stream belongs to."""
        return self._env

    def set_buffer_timeout(self, timeout_millis: int) -> DataStream:
        """Sets the buffer timeout of the operator's output; -1 means the environment's.

        Raises:
            ValueError: below -1.
        """
        operator = self._operator("set_buffer_timeout")
        timeout = check_buffer_timeout(timeout_millis, "timeout must be >= -1")
        operator.buffer_timeout = None if timeout == -1 else timeout
        return self

    def start_new_chain(self) -> DataStream:
        """Starts a new operator chain at this operator (chaining strategy HEAD)."""
        self._operator("start_new_chain").chaining_strategy = ChainingStrategy.HEAD
        return self

    def disable_chaining(self) -> DataStream:
        """Never chains this operator with another (chaining strategy NEVER)."""
        self._operator("disable_chaining").chaining_strategy = ChainingStrategy.NEVER
        return self

    def slot_sharing_group(self, slot_sharing_group: Any) -> DataStream:
        """Puts the operator into the named slot sharing group ("default" initially).

        Raises:
            NotImplementedError: a ``SlotSharingGroup`` object (with resources) was given.
        """
        operator = self._operator("slot_sharing_group")
        operator.slot_sharing_group = check_slot_sharing_group(
            self._surface_name, slot_sharing_group
        )
        return self

    def set_description(self, description: str) -> DataStream:
        """Sets the operator's description, shown in plans."""
        self._operator("set_description").description = description
        return self

    # -- operators ----------------------------------------------------------------------------

    def _keyed_fields(self) -> dict[str, Any]:
        """The state-key settings of operators applied to this stream (none: not keyed)."""
        return {}

    def _add_operator(
        self, kind: type[_T], name: str, factory: OperatorFactory, output_type: Any
    ) -> _T:
        """Records an operator (or sink) reading this stream; keyed if this stream is."""
        transformation = kind(
            id=self._env._new_id(),
            name=name,
            output_type=output_type,
            parallelism=PARALLELISM_DEFAULT,
            input=self._transformation,
            operator_factory=factory,
            **self._keyed_fields(),
        )
        self._env._add_operator(transformation)
        return transformation

    def _apply(self, name: str, factory: OperatorFactory, output_type: Any) -> DataStream:
        operator = self._add_operator(OneInputTransformation, name, factory, output_type)
        return DataStream(self._env, operator)

    def map(self, func: Any, output_type: TypeInformation | None = None) -> DataStream:
        """Applies ``func`` (a callable or ``MapFunction``) to every element, one output each.

        Raises:
            TypeError: func is neither a MapFunction nor callable, or output_type is invalid.
        """
        check_function(func, MapFunction, "The input must be a MapFunction or a callable function")
        return self._apply("Map", MapOperatorFactory(func), declared_type(output_type))

    def flat_map(self, func: Any, output_type: TypeInformation | None = None) -> DataStream:
        """Applies ``func`` (a callable or ``FlatMapFunction``) returning or yielding outputs.

        Raises:
            TypeError: func is neither a FlatMapFunction nor callable, or output_type is invalid.
        """
        check_function(
            func, FlatMapFunction, "The input must be a FlatMapFunction or a callable function"
        )
        return self._apply("FlatMap", FlatMapOperatorFactory(func), declared_type(output_type))

    def filter(self, func: Any) -> DataStream:
        """Keeps the elements ``func`` (a callable or ``FilterFunction``) returns true for.

        The output type is the input type.

        Raises:
            TypeError: func is neither a FilterFunction nor callable.
        """
        check_function(
            func, FilterFunction, "The input must be a FilterFunction or a callable function"
        )
        return self._apply("Filter", FilterOperatorFactory(func), self._transformation.output_type)

    def process(self, func: Any, output_type: TypeInformation | None = None) -> DataStream:
        """Applies a ``ProcessFunction``; it may emit any number of elements per input.

        Raises:
            TypeError: func is not a ProcessFunction (PyFlink fails only when the job runs).
        """
        if not isinstance(func, ProcessFunction):
            hint = (
                "call key_by(...) first: a KeyedProcessFunction runs on a KeyedStream"
                if isinstance(func, KeyedProcessFunction)
                else "use map() or flat_map() for a plain callable"
            )
            raise TypeError(
                f"The input must be a ProcessFunction, got {type(func).__name__}; {hint}"
            )
        return self._apply("PROCESS", ProcessOperatorFactory(func), declared_type(output_type))

    def key_by(self, key_selector: Any, key_type: TypeInformation | None = None) -> KeyedStream:
        """Partitions the stream by key: equal keys go to the same subtask and share state.

        Args:
            key_selector: a callable or ``KeySelector`` returning an element's key.
            key_type: the key's declared type, or None (pickled); it decides the key's hash.

        Raises:
            TypeError: key_selector is neither a KeySelector nor callable.
        """
        check_function(
            key_selector,
            KeySelector,
            "Parameter key_selector should be type of KeySelector or a callable function.",
        )
        upstream = self._transformation
        partition = PartitionTransformation(
            id=self._env._new_id(),
            name="Partition",
            output_type=upstream.output_type,
            parallelism=upstream.parallelism,
            input=upstream,
            partitioner=PartitionerSpec(ShipStrategy.HASH, key_selector, key_type),
        )
        return KeyedStream(self._env, partition, self, key_selector, key_type)

    def union(self, *streams: DataStream) -> DataStream:
        """Merges this stream with others of the same type.

        Raises:
            TypeError: an argument is not a stream.
            ValueError: a stream has another element type (Flink's wording).
        """
        inputs = [self._transformation]
        for stream in streams:
            if not isinstance(stream, DataStream):
                raise TypeError(f"union() takes DataStreams, got {type(stream).__name__}")
            if stream.get_type() != self.get_type():
                raise ValueError(
                    f"Cannot union streams of different types: {self.get_type()} and "
                    f"{stream.get_type()}"
                )
            inputs.append(stream._transformation)
        union = UnionTransformation(
            id=self._env._new_id(),
            name="Union",
            output_type=self._transformation.output_type,
            parallelism=self._transformation.parallelism,
            union_inputs=inputs,
        )
        return DataStream(self._env, union)

    def window_all(self, window_assigner: WindowAssigner) -> AllWindowedStream:
        """Windows the whole stream (not per key): one subtask evaluates the windows.

        Raises:
            TypeError: ``window_assigner`` is not a WindowAssigner.
        """
        return AllWindowedStream(self, window_assigner)

    def assign_timestamps_and_watermarks(self, watermark_strategy: WatermarkStrategy) -> DataStream:
        """Stamps each record with its event time and generates watermarks for the stream.

        The operator is Flink's ``Timestamps/Watermarks``: it runs at this stream's
        parallelism, chained to it; watermarks from upstream are replaced by its own (the final
        one at end of input passes).

        Raises:
            TypeError: ``watermark_strategy`` is not a WatermarkStrategy.
        """
        if not isinstance(watermark_strategy, WatermarkStrategy):
            raise TypeError(
                "assign_timestamps_and_watermarks expects a WatermarkStrategy, got "
                f"{type(watermark_strategy).__name__}"
            )
        transformation = OneInputTransformation(
            id=self._env._new_id(),
            name="Timestamps/Watermarks",
            output_type=self._transformation.output_type,
            parallelism=self._transformation.parallelism,
            input=self._transformation,
            operator_factory=TimestampsAndWatermarksOperatorFactory(watermark_strategy),
        )
        self._env._add_operator(transformation)
        return DataStream(self._env, transformation)

    def execute_and_collect(
        self, job_execution_name: str | None = None, limit: int | None = None
    ) -> CloseableIterator | list[Any]:
        """Runs the program and returns this stream's elements: an iterator, or with
        ``limit`` a list of the first ``limit`` elements.

        The results go through a collect sink of parallelism 1, as in Flink; the job runs to
        its end before the results are returned (every subtask runs in this process).
        """
        factory = CollectSinkOperatorFactory()
        sink = SinkTransformation(
            id=self._env._new_id(),
            name="Sink: Collect Stream Sink",
            output_type=self._transformation.output_type,
            parallelism=1,
            input=self._transformation,
            operator_factory=factory,
        )
        self._env._add_operator(sink)
        self._env.execute(job_execution_name)
        type_info = self.get_type()
        if limit is None:
            return CloseableIterator(factory.results, type_info)
        return [to_python_object(value, type_info) for value in factory.results[:limit]]

    def get_side_output(self, output_tag: OutputTag) -> DataStream:
        """The stream of what this operation emitted to the side output ``output_tag``
        (a process function yields ``(output_tag, value)``).

        Raises:
            TypeError: ``output_tag`` is not an OutputTag.
        """
        if not isinstance(output_tag, OutputTag):
            raise TypeError(
                f"get_side_output expects an OutputTag, got {type(output_tag).__name__}"
            )
        side = SideOutputTransformation(
            id=self._env._new_id(),
            name="SideOutput",
            output_type=output_tag.type_info,
            parallelism=self._transformation.parallelism,
            input=self._transformation,
            output_tag=output_tag,
        )
        return DataStream(self._env, side)

    def _partition(self, strategy: ShipStrategy) -> DataStream:
        upstream = self._transformation
        partition = PartitionTransformation(
            id=self._env._new_id(),
            name="Partition",
            output_type=upstream.output_type,
            parallelism=upstream.parallelism,
            input=upstream,
            partitioner=PartitionerSpec(strategy),
        )
        return DataStream(self._env, partition)

    def partition_custom(
        self, partitioner: Partitioner | Callable[..., int], key_selector: Any
    ) -> DataStream:
        """Sends each element to the subtask ``partitioner.partition(key, n)`` chooses for its
        key (``key_selector``), n being the next operator's parallelism.

        Raises:
            TypeError: a wrong argument (PyFlink's messages).
        """
        if not isinstance(partitioner, Partitioner) and not callable(partitioner):
            raise TypeError(
                "Parameter partitioner should be type of Partitioner or a callable function."
            )
        if not isinstance(key_selector, KeySelector) and not callable(key_selector):
            raise TypeError(
                "Parameter key_selector should be type of KeySelector or a callable function."
            )
        upstream = self._transformation
        partition = PartitionTransformation(
            id=self._env._new_id(),
            name="Partition",
            output_type=upstream.output_type,
            parallelism=upstream.parallelism,
            input=upstream,
            partitioner=PartitionerSpec(
                ShipStrategy.CUSTOM, key_selector=key_selector, partitioner=partitioner
            ),
        )
        return DataStream(self._env, partition)

    def shuffle(self) -> DataStream:
        """Sends each element to a uniformly random subtask of the next operator."""
        return self._partition(ShipStrategy.SHUFFLE)

    def rescale(self) -> DataStream:
        """Round robin over a local subset of the next operator's subtasks."""
        return self._partition(ShipStrategy.RESCALE)

    def rebalance(self) -> DataStream:
        """Round robin over all subtasks of the next operator."""
        return self._partition(ShipStrategy.REBALANCE)

    def forward(self) -> DataStream:
        """Sends each element to the next operator's subtask with the same index."""
        return self._partition(ShipStrategy.FORWARD)

    def broadcast(
        self, broadcast_state_descriptor: Any = None, *other_broadcast_state_descriptors: Any
    ) -> DataStream | BroadcastStream:
        """Sends every element to every subtask of the next operator.

        Given ``MapStateDescriptor`` objects, returns a :class:`BroadcastStream` instead: connect it
        (``ds.connect(broadcast_stream)``) to keep its elements in broadcast state, one map
        per descriptor on every subtask.

        Raises:
            TypeError: a descriptor is not a MapStateDescriptor (PyFlink's message).
        """
        if broadcast_state_descriptor is None and not other_broadcast_state_descriptors:
            return self._partition(ShipStrategy.BROADCAST)
        descriptors = check_broadcast_state_descriptors(
            [broadcast_state_descriptor, *other_broadcast_state_descriptors]
        )
        return BroadcastStream(self._partition(ShipStrategy.BROADCAST), descriptors)

    def connect(self, ds: Any) -> ConnectedStreams | BroadcastConnectedStream:
        """Connects this stream with another: a DataStream (or KeyedStream) gives
        :class:`ConnectedStreams` for co-functions; a :class:`BroadcastStream` gives a
        :class:`BroadcastConnectedStream` for broadcast process functions.

        Raises:
            TypeError: ds is neither a DataStream nor a BroadcastStream.
        """
        if isinstance(ds, BroadcastStream):
            return BroadcastConnectedStream(self, ds, ds.broadcast_state_descriptors)
        if not isinstance(ds, DataStream):
            raise TypeError(
                f"connect() takes a DataStream or a BroadcastStream, got {type(ds).__name__}"
            )
        return ConnectedStreams(self, ds)

    def _new_stream(self, transformation: Transformation) -> DataStream:
        """A stream of this stream's environment over ``transformation`` (connected streams)."""
        return DataStream(self._env, transformation)

    def print(self, sink_identifier: str | None = None) -> DataStreamSink:
        """Writes every element to standard output, one line each.

        A line reads ``element`` at sink parallelism 1, ``i> element`` above it (i = subtask
        index + 1), ``id> element`` / ``id:i> element`` with an identifier. Elements print by
        their declared type (Java ``toString``, ``+I[a,1]`` for Rows, ``str()`` if pickled).
        The sink takes the environment's default parallelism, not its input's.
        """
        factory = PrintSinkOperatorFactory(
            sink_identifier, record_formatter(self.get_type()), self.get_type()
        )
        sink = self._add_operator(SinkTransformation, PRINT_SINK_NAME, factory, None)
        return DataStreamSink(self._env, sink)


def _not_on_keyed_stream(pyflink_message: str, method: str) -> Exception:
    """PyFlink's error for a setting a KeyedStream refuses, with how to do it instead.

    PyFlink raises a plain ``Exception`` with this first sentence; kolk keeps its type.
    """
    return Exception(
        f"{pyflink_message} A KeyedStream is a partitioning, not an operator: call {method}() "
        f"on the operator applied to it, e.g. key_by(...).process(f).{method}(...)"
    )


_NO_REPARTITION = (
    "Cannot override partitioning for KeyedStream. Its elements are already hash-partitioned by "
    "key; to partition differently, apply the partitioning to the stream before key_by()."
)


class KeyedStream(UnsupportedKeyedStreamMethods, DataStream):
    """A stream partitioned by key; its operators see keyed state and timers.

    It is a hash :class:`~kolk._graph.transformations.PartitionTransformation` of its input.
    Every operator applied to it (``map``, ``flat_map``, ``filter``, ``reduce``, ``process``,
    the aggregations, ``print``) is a ``OneInputTransformation`` reading that partitioning,
    with ``state_key_selector``/``state_key_type`` set, so keyed state works in each of them, as
    in PyFlink. Its element type (``get_type()``) is its input's; PyFlink returns its internal
    ``Row(key, value)`` type there.

    Operator settings (``name``, ``set_parallelism``, ...) and re-partitioning are refused with
    PyFlink's messages; ``key_by`` re-keys the original stream.
    """

    _surface_name = "KeyedStream"
    AccumulateType = _AccumulateType

    def __init__(
        self,
        environment: ProgramRecorder,
        partition: PartitionTransformation,
        origin_stream: DataStream,
        key_selector: Any,
        key_type: Any,
    ) -> None:
        """Wraps a hash partitioning (internal: use ``DataStream.key_by``)."""
        super().__init__(environment, partition)
        self._origin_stream = origin_stream
        self._key_selector = key_selector
        self._key_type = key_type

    def _keyed_fields(self) -> dict[str, Any]:
        return {"state_key_selector": self._key_selector, "state_key_type": self._key_type}

    # -- operators ----------------------------------------------------------------------------

    def reduce(self, func: Any) -> DataStream:
        """Combines each key's elements with ``func`` (a callable or ``ReduceFunction``),
        emitting the running result after every element; the output type is the input type.

        Raises:
            TypeError: func is neither a ReduceFunction nor callable.
        """
        check_function(
            func, ReduceFunction, "The input must be a ReduceFunction or a callable function"
        )
        return self._apply("Reduce", ReduceOperatorFactory(func), self._transformation.output_type)

    def _accumulate(self, position: Any, acc_type: _AccumulateType) -> DataStream:
        check_position(position)
        return self.reduce(AccumulateReduceFunction(position, acc_type))

    def sum(self, position_to_sum: Any = 0) -> DataStream:
        """Rolling sum per key of the field at a position (int) or name (str, Rows).

        Tuples, lists and Rows keep the first element's other fields; a plain value (a
        number) is summed whole and allows position 0 only.
        """
        return self._accumulate(position_to_sum, _AccumulateType.SUM)

    def min(self, position_to_min: Any = 0) -> DataStream:
        """Rolling minimum per key of a field (other fields: the key's first element's)."""
        return self._accumulate(position_to_min, _AccumulateType.MIN)

    def max(self, position_to_max: Any = 0) -> DataStream:
        """Rolling maximum per key of a field (other fields: the key's first element's)."""
        return self._accumulate(position_to_max, _AccumulateType.MAX)

    def min_by(self, position_to_min_by: Any = 0) -> DataStream:
        """Per key, the element with the smallest field so far (the earlier one on a tie)."""
        return self._accumulate(position_to_min_by, _AccumulateType.MIN_BY)

    def max_by(self, position_to_max_by: Any = 0) -> DataStream:
        """Per key, the element with the largest field so far (the earlier one on a tie)."""
        return self._accumulate(position_to_max_by, _AccumulateType.MAX_BY)

    def process(self, func: Any, output_type: TypeInformation | None = None) -> DataStream:
        """Applies a ``KeyedProcessFunction`` (keyed state, timers, the current key).

        Raises:
            TypeError: func is not a KeyedProcessFunction (PyFlink's wording, then a hint).
        """
        if not isinstance(func, KeyedProcessFunction):
            hint = (
                "a ProcessFunction runs on the stream before key_by()"
                if isinstance(func, ProcessFunction)
                else "subclass KeyedProcessFunction and implement process_element()"
            )
            raise TypeError(
                f"KeyedProcessFunction is required for KeyedStream. Got "
                f"{type(func).__name__}; {hint}."
            )
        return self._apply(
            "KEYED PROCESS", KeyedProcessOperatorFactory(func), declared_type(output_type)
        )

    def window(self, window_assigner: WindowAssigner) -> WindowedStream:
        """Windows each key's elements with ``window_assigner`` (then choose ``reduce``,
        ``aggregate``, ``apply`` or ``process``).

        Raises:
            TypeError: ``window_assigner`` is not a WindowAssigner.
        """
        return WindowedStream(self, window_assigner)

    def count_window(self, size: int, slide: int = 0) -> WindowedStream:
        """Windows each key's elements by count, PyFlink's way: ``size`` elements per window,
        a new window every ``slide`` elements (0: tumbling); a window fires once full.

        Each window is purged when it fires: a count window never receives elements again,
        so this changes no output, and the panes do not pile up in state (PyFlink keeps them
        forever: a ``CountWindow`` never expires).
        """
        if slide == 0:
            assigner: WindowAssigner = CountTumblingWindowAssigner(size)
        else:
            assigner = CountSlidingWindowAssigner(size, slide)
        return WindowedStream(self, assigner).trigger(
            PurgingTrigger.of(assigner.get_default_trigger(self._env))
        )

    def key_by(self, key_selector: Any, key_type: TypeInformation | None = None) -> KeyedStream:
        """Re-keys the stream that was keyed (as PyFlink: ``origin.key_by(...)``)."""
        return self._origin_stream.key_by(key_selector, key_type)

    def print(self, sink_identifier: Any = None) -> DataStreamSink:
        """Prints the elements, from a keyed sink; the identifier is ignored, as in PyFlink."""
        return DataStream.print(self, None)

    # -- refused, with PyFlink's messages -----------------------------------------------------

    def shuffle(self) -> NoReturn:
        """Refused: a KeyedStream's partitioning cannot be overridden."""
        raise Exception(_NO_REPARTITION)

    def rescale(self) -> NoReturn:
        """Refused: a KeyedStream's partitioning cannot be overridden."""
        raise Exception(_NO_REPARTITION)

    def rebalance(self) -> NoReturn:
        """Refused: a KeyedStream's partitioning cannot be overridden."""
        raise Exception(_NO_REPARTITION)

    def forward(self) -> NoReturn:
        """Refused: a KeyedStream's partitioning cannot be overridden."""
        raise Exception(_NO_REPARTITION)

    def broadcast(self, *args: Any) -> NoReturn:
        """Refused: a KeyedStream's partitioning cannot be overridden."""
        raise Exception(_NO_REPARTITION)

    def partition_custom(self, partitioner: Any, key_selector: Any) -> NoReturn:
        """Refused: a KeyedStream's partitioning cannot be overridden."""
        raise Exception(_NO_REPARTITION)

    def set_parallelism(self, parallelism: int) -> NoReturn:
        """Refused (PyFlink): set it on the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream(
            "Set parallelism for KeyedStream is not supported.", "set_parallelism"
        )

    def name(self, name: str) -> NoReturn:
        """Refused (PyFlink): name the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream("Set name for KeyedStream is not supported.", "name")

    def get_name(self) -> NoReturn:
        """Refused (PyFlink): a KeyedStream has no operator, hence no name."""
        raise _not_on_keyed_stream("Get name of KeyedStream is not supported.", "get_name")

    def uid(self, uid: str) -> NoReturn:
        """Refused (PyFlink): set the uid of the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream("Set uid for KeyedStream is not supported.", "uid")

    def set_uid_hash(self, uid_hash: str) -> NoReturn:
        """Refused (PyFlink)."""
        raise _not_on_keyed_stream("Set uid hash for KeyedStream is not supported.", "set_uid_hash")

    def set_max_parallelism(self, max_parallelism: int) -> NoReturn:
        """Refused (PyFlink): set it on the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream(
            "Set max parallelism for KeyedStream is not supported.", "set_max_parallelism"
        )

    def force_non_parallel(self) -> NoReturn:
        """Refused (PyFlink)."""
        raise _not_on_keyed_stream(
            "Set force non-parallel for KeyedStream is not supported.", "force_non_parallel"
        )

    def set_buffer_timeout(self, timeout_millis: int) -> NoReturn:
        """Refused (PyFlink): set it on the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream(
            "Set buffer timeout for KeyedStream is not supported.", "set_buffer_timeout"
        )

    def start_new_chain(self) -> NoReturn:
        """Refused (PyFlink): call it on the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream(
            "Start new chain for KeyedStream is not supported.", "start_new_chain"
        )

    def disable_chaining(self) -> NoReturn:
        """Refused (PyFlink): call it on the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream(
            "Disable chaining for KeyedStream is not supported.", "disable_chaining"
        )

    def slot_sharing_group(self, slot_sharing_group: Any) -> NoReturn:
        """Refused (PyFlink): set it on the operator applied to the KeyedStream."""
        raise _not_on_keyed_stream(
            "Setting slot sharing group for KeyedStream is not supported.", "slot_sharing_group"
        )

    def cache(self) -> NoReturn:
        """Refused (PyFlink)."""
        raise Exception("Cache for KeyedStream is not supported.")
