"""The context a streaming program runs in.

Mirrors ``pyflink.datastream.stream_execution_environment``.

A :class:`StreamExecutionEnvironment` collects the program: sources and operators append
:class:`~kolk._graph.transformations.Transformation` records, and ``execute()`` hands them to
the cluster client as one job. Nothing runs before ``execute()``.

Like Flink, the environment keeps the list of *operators* (what Flink's ``addOperator``
records: every one-input operator and every sink) in creation order. Sources, partitionings
(``key_by``, ``rebalance()``, ...) and unions are reached through their consumers' inputs, so a
source nobody reads is not part of the job, as in Flink. Every transformation, virtual or not,
takes the next id of a per-environment counter that starts at 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kolk._cluster.client import execute_job
from kolk._cluster.client_options import get_client_options
from kolk._graph.config import JobConfig
from kolk._graph.plan import execution_plan_json
from kolk._graph.transformations import (
    PARALLELISM_DEFAULT,
    OneInputTransformation,
    SourceTransformation,
    Transformation,
)
from kolk._runtime.operators.factories import (
    CollectionSourceFactory,
    TimestampsAndWatermarksOperatorFactory,
)
from kolk.common.typeinfo import RowTypeInfo, TypeInformation
from kolk.common.types import Row, RowKind
from kolk.common.watermark_strategy import WatermarkStrategy
from kolk.datastream._checks import (
    check_buffer_timeout,
    check_environment_max_parallelism,
    check_environment_parallelism,
)
from kolk.datastream._options import parse_duration_ms, read_environment_options
from kolk.datastream._stream_support import node_name, user_name
from kolk.datastream._unsupported_environment import UnsupportedEnvironmentMethods
from kolk.datastream.connectors.base import Source
from kolk.datastream.data_stream import DataStream

if TYPE_CHECKING:
    from kolk.common import Configuration, JobExecutionResult

__all__ = ["StreamExecutionEnvironment"]

#: Flink's default job name (``StreamGraphGenerator.DEFAULT_STREAMING_JOB_NAME``).
DEFAULT_JOB_NAME = "Flink Streaming Job"
#: The option of the periodic watermark emission's interval (Flink's default: 200 ms).
AUTO_WATERMARK_INTERVAL_KEY = "pipeline.auto-watermark-interval"
#: Flink's default ``execution.buffer-timeout.interval``, in milliseconds.
DEFAULT_BUFFER_TIMEOUT = 100
#: The name Flink gives the source behind ``from_collection`` (node "Source: Collection Source").
COLLECTION_SOURCE_NAME = "Source: Collection Source"


class StreamExecutionEnvironment(UnsupportedEnvironmentMethods):
    """The context in which a streaming program is executed.

    Obtain one with :meth:`get_execution_environment`; every call returns a new environment.
    Its default parallelism is the ``kolk run -p N`` value, else the number of CPU cores (Flink's
    local environment rule), unless the configuration sets ``parallelism.default``.

    Methods of PyFlink's surface that kolk does not support yet raise ``NotImplementedError``
    (see :class:`~kolk.datastream._unsupported_environment.UnsupportedEnvironmentMethods`).
    """

    def __init__(self, configuration: Configuration | None = None) -> None:
        """Creates an environment; prefer :meth:`get_execution_environment`.

        Args:
            configuration: Flink options (``parallelism.default``, ``execution.buffer-timeout``,
                ...); the whole configuration is passed on to the job.
        """
        self._parallelism = get_client_options().default_parallelism()
        self._max_parallelism = -1
        self._buffer_timeout = DEFAULT_BUFFER_TIMEOUT
        self._chaining_enabled = True
        self._configuration: dict[str, str] = {}
        self._transformations: list[Transformation] = []
        self._last_id = 0
        if configuration is not None:
            self.configure(configuration)

    @staticmethod
    def get_execution_environment(
        configuration: Configuration | None = None,
    ) -> StreamExecutionEnvironment:
        """Creates an execution environment for the program (a new one on every call).

        Args:
            configuration: optional Flink configuration applied to the new environment.

        Returns:
            The environment.
        """
        return StreamExecutionEnvironment(configuration)

    def configure(self, configuration: Configuration) -> None:
        """Applies the options of a configuration; options it does not set are unchanged.

        Reads ``parallelism.default``, ``pipeline.max-parallelism``,
        ``execution.buffer-timeout.interval`` (or ``execution.buffer-timeout``),
        ``execution.buffer-timeout.enabled`` and ``pipeline.operator-chaining.enabled``; every
        key is kept and passed to the job.

        Raises:
            ValueError: an option's value is malformed or out of range.
        """
        values = {str(key): str(value) for key, value in configuration.to_dict().items()}
        options = read_environment_options(values)
        if options.parallelism is not None:
            self.set_parallelism(options.parallelism)
        if options.max_parallelism is not None:
            self.set_max_parallelism(options.max_parallelism)
        if options.buffer_timeout is not None:
            self.set_buffer_timeout(options.buffer_timeout)
        if options.chaining_enabled is not None:
            self._chaining_enabled = options.chaining_enabled
        self._configuration.update(values)

    # -- settings -----------------------------------------------------------------------------

    def set_parallelism(self, parallelism: int) -> StreamExecutionEnvironment:
        """Sets the default parallelism of the operators created through this environment.

        Operators without a parallelism of their own, and sinks, take it when the job is built.

        Raises:
            ValueError: the parallelism is below 1 and not -1 (Flink's wording).
        """
        self._parallelism = check_environment_parallelism(parallelism)
        return self

    def get_parallelism(self) -> int:
        """Returns the default parallelism of operators (-1 if set to the system default)."""
        return self._parallelism

    def set_max_parallelism(self, max_parallelism: int) -> StreamExecutionEnvironment:
        """Sets the maximum parallelism (the number of key groups), 0 < m <= 32768.

        Raises:
            ValueError: out of range (Flink's wording).
        """
        self._max_parallelism = check_environment_max_parallelism(max_parallelism)
        return self

    def get_max_parallelism(self) -> int:
        """Returns the maximum parallelism, or -1 when it is derived per operator."""
        return self._max_parallelism

    def set_buffer_timeout(self, timeout_millis: int) -> StreamExecutionEnvironment:
        """Sets how long a partially filled output buffer may wait before it is sent.

        A positive value flushes periodically; 0 flushes after every record; -1 flushes only
        when a buffer is full or the input ends.

        Raises:
            ValueError: the timeout is below -1.
        """
        self._buffer_timeout = check_buffer_timeout(
            timeout_millis, "Timeout of buffer must be non-negative or -1"
        )
        return self

    def get_buffer_timeout(self) -> int:
        """Returns the buffer timeout in milliseconds (default 100)."""
        return self._buffer_timeout

    def disable_operator_chaining(self) -> StreamExecutionEnvironment:
        """Gives every operator of the job its own task (no operator chaining)."""
        self._chaining_enabled = False
        return self

    def is_chaining_enabled(self) -> bool:
        """Returns whether operator chaining is enabled (True by default)."""
        return self._chaining_enabled

    # -- sources ------------------------------------------------------------------------------

    def from_collection(
        self, collection: list[Any], type_info: TypeInformation | None = None
    ) -> DataStream:
        """Creates a stream of the collection's elements, in order.

        The elements are copied into a list now, so later changes to the collection do not
        reach the job. The source is non-parallel, as PyFlink's (Flink's ``forceNonParallel``):
        parallelism 1 whatever the default, and asking for more raises.

        Args:
            collection: the elements.
            type_info: the elements' declared type, or None for pickled Python objects.

        Returns:
            The stream, named "Source: Collection Source".

        Raises:
            TypeError: the collection is not iterable.
            ValueError: an element does not fit ``type_info`` (e.g. a str for a tuple type).
        """
        if not isinstance(collection, Iterable):
            raise TypeError(
                f"from_collection needs a collection of elements (a list), got "
                f"{type(collection).__name__}"
            )
        elements = list(collection)
        if type_info is not None:
            # PyFlink converts every element to the type's internal form here, so a value that
            # does not fit the declared type fails at this call, not when the job runs.
            internal = [type_info.to_internal_type(element) for element in elements]
            if isinstance(type_info, RowTypeInfo):
                # The elements reach the first function as the Java source produced them:
                # Rows named after the type's fields (f0, f1, ... by default), as PyFlink's
                # row coder decodes them.
                elements = [_row_from_internal(type_info, value) for value in internal]
        source = SourceTransformation(
            id=self._new_id(),
            name=COLLECTION_SOURCE_NAME,
            output_type=type_info,
            parallelism=1,
            max_parallelism=1,
            non_parallel=True,
            operator_factory=CollectionSourceFactory(elements),
        )
        return DataStream(self, source)

    def from_source(
        self,
        source: Source,
        watermark_strategy: WatermarkStrategy,
        source_name: str,
        type_info: TypeInformation | None = None,
    ) -> DataStream:
        """Creates a stream from a unified (FLIP-27) source, such as ``NumberSequenceSource``.

        Unlike ``from_collection``, the source is parallel: it runs at the environment's default
        parallelism unless ``set_parallelism`` is called on the returned stream, and each
        subtask reads its own part of the input. Its node is named "Source: <source_name>".

        Flink applies ``watermark_strategy`` inside the source operator. kolk runs it in a
        watermark step chained right after the source, in the same task (it always keeps the
        source's parallelism), which plans and task names leave out as Flink's show none:
        the vertex reads "Source: <source_name> -> ...". ``WatermarkStrategy.no_watermarks()``
        without a timestamp assigner needs no such step and adds none: records then carry no
        timestamps, and the source costs nothing per record. Settings on the returned stream
        (``name``, ``uid``, ``set_parallelism``, ...) apply to the source, as on Flink's
        ``DataStreamSource``.

        Args:
            source: the source.
            watermark_strategy: how records get timestamps and watermarks;
                ``WatermarkStrategy.no_watermarks()`` when the job needs no event time.
            source_name: the source's name.
            type_info: the records' declared type, or None for the source's own
                (``Types.LONG()`` for ``NumberSequenceSource``). As in PyFlink, a given type
                replaces the source's; the records are not converted.

        Returns:
            The stream of the source's records.

        Raises:
            TypeError: an argument has the wrong type (``source`` is not a ``Source``,
                ``watermark_strategy`` not a ``WatermarkStrategy``, ``source_name`` not a str,
                ``type_info`` not a ``TypeInformation``).
        """
        if not isinstance(source, Source):
            raise TypeError(
                "from_source expects a Source, e.g. NumberSequenceSource(start, end) from "
                f"pyflink.datastream.connectors.number_seq, got {type(source).__name__}; for a "
                "list of elements use from_collection"
            )
        if not isinstance(watermark_strategy, WatermarkStrategy):
            raise TypeError(
                "from_source expects a WatermarkStrategy as its second argument, got "
                f"{type(watermark_strategy).__name__}; pass WatermarkStrategy.no_watermarks() "
                "when the job needs no event time"
            )
        if not isinstance(source_name, str):
            raise TypeError(
                f"from_source expects the source's name as a str, got {type(source_name).__name__}"
            )
        if type_info is not None and not isinstance(type_info, TypeInformation):
            raise TypeError(
                "from_source expects type_info to be a TypeInformation (e.g. Types.LONG()) or "
                f"None, got {type(type_info).__name__}"
            )
        spec = source._j_function
        transformation = SourceTransformation(
            id=self._new_id(),
            name="",
            output_type=spec.produced_type if type_info is None else type_info,
            parallelism=PARALLELISM_DEFAULT,
            operator_factory=spec.operator_factory,
        )
        transformation.name = node_name(transformation, source_name)  # "Source: <name>"
        if not _assigns_or_generates(watermark_strategy):
            return DataStream(self, transformation)
        # Not recorded as an operator of the program: like the source, the step is reached
        # through the operators that read it (an unused source is no part of the job).
        step = OneInputTransformation(
            id=self._new_id(),
            name="Timestamps/Watermarks",
            output_type=transformation.output_type,
            parallelism=transformation.parallelism,
            input=transformation,
            operator_factory=TimestampsAndWatermarksOperatorFactory(watermark_strategy),
            shown=False,
        )
        return _SourceWithWatermarksStream(self, transformation, step)

    # -- execution ----------------------------------------------------------------------------

    def execute(self, job_name: str | None = None) -> JobExecutionResult:
        """Runs the program's operators as one job and waits until it finishes.

        The environment forgets its operators before the job starts (Flink's
        ``getStreamGraph(clearTransformations=true)``), whether the job then succeeds or not;
        a further ``execute()`` needs new operators.

        Args:
            job_name: the job's name; "Flink Streaming Job" when None.

        Returns:
            The job's result (job id, net runtime, accumulators).

        Raises:
            RuntimeError: no operators were defined.
            JobExecutionException: the job failed; its cause is chained.
        """
        transformations = self._operators_or_raise()
        config = self._job_config(job_name)
        self._transformations.clear()
        return execute_job(transformations, config)  # type: ignore[no-any-return]

    def get_execution_plan(self) -> str:
        """Returns the job's StreamGraph as JSON in Flink's format; the operators are kept.

        Raises:
            RuntimeError: no operators were defined.
        """
        return execution_plan_json(self._operators_or_raise(), self._job_config(None))

    def close(self) -> None:
        """Releases the environment's resources; kolk holds none between jobs, so nothing is
        released (Flink's ``close()`` frees collect iterators and cached results)."""

    # -- for the builders ---------------------------------------------------------------------

    def _new_id(self) -> int:
        """Returns the next transformation id of this environment (1, 2, 3, ...)."""
        self._last_id += 1
        return self._last_id

    def _add_operator(self, transformation: Transformation) -> None:
        """Records an operator or sink as part of the program (Flink's ``addOperator``)."""
        self._transformations.append(transformation)

    def _operators_or_raise(self) -> list[Transformation]:
        if not self._transformations:
            raise RuntimeError("No operators defined in streaming topology. Cannot execute.")
        return list(self._transformations)

    def _job_config(self, job_name: str | None) -> JobConfig:
        parallelism = self._parallelism
        if parallelism == -1:
            parallelism = get_client_options().default_parallelism()
        return JobConfig(
            job_name=DEFAULT_JOB_NAME if job_name is None else job_name,
            parallelism=parallelism,
            max_parallelism=self._max_parallelism,
            buffer_timeout=self._buffer_timeout,
            chaining_enabled=self._chaining_enabled,
            auto_watermark_interval=self._auto_watermark_interval(),
            configuration=dict(self._configuration),
        )

    def _auto_watermark_interval(self) -> int:
        """``pipeline.auto-watermark-interval`` in ms (Flink's default 200 ms)."""
        raw = self._configuration.get(AUTO_WATERMARK_INTERVAL_KEY)
        return 200 if raw is None else parse_duration_ms(AUTO_WATERMARK_INTERVAL_KEY, raw)


def _assigns_or_generates(strategy: WatermarkStrategy) -> bool:
    """Whether the strategy stamps records or makes watermarks (or idleness): anything but a
    plain ``WatermarkStrategy.no_watermarks()``."""
    spec = strategy._j_watermark_strategy
    return (
        strategy._timestamp_assigner is not None
        or spec.kind != "none"
        or spec.idle_timeout_ms is not None
    )


class _SourceWithWatermarksStream(DataStream):
    """The stream ``from_source`` returns when its watermark strategy has work to do.

    Records flow out of the Timestamps/Watermarks step chained after the source, so operators
    applied to this stream read the step; the operator settings apply to the source, as on
    Flink's ``DataStreamSource``. The step follows the source's parallelism, maximum
    parallelism and buffer timeout (its output is the task's), so the two always chain.
    """

    def __init__(
        self,
        environment: StreamExecutionEnvironment,
        source: SourceTransformation,
        step: OneInputTransformation,
    ) -> None:
        super().__init__(environment, step)
        self._source = source

    def _operator(self, setting: str) -> Transformation:
        return self._source

    def get_name(self) -> str:
        return user_name(self._source)

    def set_parallelism(self, parallelism: int) -> DataStream:
        super().set_parallelism(parallelism)
        return self._follow_source()

    def set_max_parallelism(self, max_parallelism: int) -> DataStream:
        super().set_max_parallelism(max_parallelism)
        return self._follow_source()

    def force_non_parallel(self) -> DataStream:
        super().force_non_parallel()
        return self._follow_source()

    def set_buffer_timeout(self, timeout_millis: int) -> DataStream:
        super().set_buffer_timeout(timeout_millis)
        return self._follow_source()

    def _follow_source(self) -> DataStream:
        step, source = self._transformation, self._source
        step.parallelism = source.parallelism
        step.max_parallelism = source.max_parallelism
        step.non_parallel = source.non_parallel
        step.buffer_timeout = source.buffer_timeout
        return self


def _row_from_internal(type_info: RowTypeInfo, internal: Any) -> Any:
    """A Row from a RowTypeInfo's internal ``(row_kind, field, ...)`` form (None stays None)."""
    if internal is None:
        return None
    kind, *values = internal
    row = Row(*values)
    row.set_field_names(type_info.get_field_names())
    row.set_row_kind(RowKind(kind))
    return row
