"""``WindowedStream`` and ``AllWindowedStream`` (public home: ``kolk.datastream.data_stream``).

Both are builder states, as in PyFlink: ``key_by(...).window(assigner)`` (or
``window_all(assigner)``) collects the trigger, the allowed lateness and the late-data tag;
``reduce``/``aggregate``/``apply``/``process`` then record one window operator reading the key_by
partitioning, named after the assigner class (``TumblingEventTimeWindows``) and described as
PyFlink describes it (``Window(TumblingEventTimeWindows(5000, 0), EventTimeTrigger, Sum)``).

``window_all`` keys the stream with a constant key (``NullByteKeySelector``) and, as PyFlink
does, leaves the window operator at the default parallelism: every element lands on the subtask
of that one key, so printed prefixes match PyFlink's (Flink's Java API forces parallelism 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from kolk._runtime.operators.factories import WindowOperatorFactory
from kolk.common import TypeInformation
from kolk.datastream._stream_support import check_function, declared_type
from kolk.datastream.evictor import Evictor
from kolk.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    NullByteKeySelector,
    PassThroughAllWindowFunction,
    PassThroughWindowFunction,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    ReduceFunction,
    WindowFunction,
)
from kolk.datastream.output_tag import OutputTag
from kolk.datastream.window import MergingWindowAssigner, Trigger, WindowAssigner

if TYPE_CHECKING:
    from kolk.datastream.data_stream import DataStream, KeyedStream

__all__ = ["AllWindowedStream", "WindowedStream"]


def check_assigner(window_assigner: Any) -> None:
    """Raises TypeError unless ``window_assigner`` is a WindowAssigner."""
    if not isinstance(window_assigner, WindowAssigner):
        raise TypeError(
            f"window_assigner must be a WindowAssigner (e.g. TumblingEventTimeWindows.of(...)), "
            f"got {type(window_assigner).__name__}: {window_assigner!r}"
        )


_Self = TypeVar("_Self", bound="_WindowedStreamBase")


class _WindowedStreamBase:
    """What both windowed streams share: the settings and the recording of the operator."""

    _kind = "Window"
    _function_kinds: tuple[type, type] = (WindowFunction, ProcessWindowFunction)
    _pass_through: type = PassThroughWindowFunction

    _keyed_stream: KeyedStream

    def _init(self, keyed_stream: KeyedStream, window_assigner: WindowAssigner[Any, Any]) -> None:
        check_assigner(window_assigner)
        self._keyed_stream = keyed_stream
        self._window_assigner = window_assigner
        self._allowed_lateness = 0
        self._late_data_output_tag: OutputTag | None = None
        self._window_trigger: Trigger[Any, Any] | None = None
        self._evictor: Evictor[Any, Any] | None = None

    def _set_evictor(self, evictor: Any) -> None:
        if not isinstance(evictor, Evictor):
            raise TypeError(f"evictor() expects an Evictor, got {type(evictor).__name__}")
        self._evictor = evictor

    def trigger(self: _Self, trigger: Trigger[Any, Any]) -> _Self:
        """Sets the trigger deciding when windows are evaluated (instead of the assigner's
        default one).

        Raises:
            TypeError: not a Trigger, or one that cannot merge with a merging assigner.
        """
        self._set_trigger(trigger)
        return self

    def allowed_lateness(self: _Self, time_ms: int) -> _Self:
        """Keeps event-time windows ``time_ms`` after their end: elements arriving then
        re-fire the window; later ones are dropped (default 0).

        Raises:
            ValueError: negative.
        """
        self._set_allowed_lateness(time_ms)
        return self

    def evictor(self: _Self, evictor: Evictor[Any, Any]) -> _Self:
        """Sets an evictor (a kolk addition: Flink's ``WindowedStream.evictor``; PyFlink 2.3
        has none): elements may be removed before and after the window function; the window
        then keeps every element until it fires.

        Raises:
            TypeError: not an Evictor.
        """
        self._set_evictor(evictor)
        return self

    def side_output_late_data(self: _Self, output_tag: OutputTag) -> _Self:
        """Sends the elements that arrive after their windows' allowed lateness to the side
        output ``output_tag`` (``result.get_side_output(output_tag)``) instead of dropping
        them."""
        self._set_late_data_tag(output_tag)
        return self

    def get_execution_environment(self) -> Any:
        """Returns the environment the stream belongs to."""
        return self._keyed_stream.get_execution_environment()

    def get_input_type(self) -> TypeInformation:
        """Returns the type of the windowed elements (``Types.PICKLED_BYTE_ARRAY()`` if
        undeclared)."""
        return self._keyed_stream.get_type()

    def _set_trigger(self, trigger: Any) -> None:
        if not isinstance(trigger, Trigger):
            raise TypeError(f"trigger must be a Trigger, got {type(trigger).__name__}")
        if isinstance(self._window_assigner, MergingWindowAssigner) and not trigger.can_merge():
            raise TypeError(
                "A merging window assigner cannot be used with a trigger that does not support "
                "merging."
            )
        self._window_trigger = trigger

    def _set_allowed_lateness(self, time_ms: Any) -> None:
        if isinstance(time_ms, bool) or not isinstance(time_ms, int):
            raise TypeError(f"allowed_lateness takes milliseconds (an int), got {time_ms!r}")
        if time_ms < 0:
            raise ValueError("The allowed lateness cannot be negative.")
        self._allowed_lateness = time_ms

    def _set_late_data_tag(self, output_tag: Any) -> None:
        if not isinstance(output_tag, OutputTag):
            raise TypeError(
                f"side_output_late_data expects an OutputTag, got {type(output_tag).__name__}"
            )
        self._late_data_output_tag = output_tag

    def _window_function(self, window_function: Any) -> Any:
        """The user's window function for reduce/aggregate, or the pass-through one."""
        if window_function is None:
            return self._pass_through()
        if not isinstance(window_function, self._function_kinds):
            first, second = (kind.__name__ for kind in self._function_kinds)
            raise TypeError(f"window_function should be a {first} or {second}")
        return window_function

    def _reduce(self, reduce_function: Any, window_function: Any, output_type: Any) -> DataStream:
        check_function(
            reduce_function, ReduceFunction, "The input must be a ReduceFunction or a callable"
        )
        function = self._window_function(window_function)
        if window_function is None and output_type is None:
            output_type = self._keyed_stream._transformation.output_type
        return self._record(
            "reduce", reduce_function, function, output_type, reduce_function, window_function
        )

    def _aggregate(
        self, aggregate_function: Any, window_function: Any, output_type: Any
    ) -> DataStream:
        if not isinstance(aggregate_function, AggregateFunction):
            raise TypeError(
                "aggregate_function must be an AggregateFunction, got "
                f"{type(aggregate_function).__name__}"
            )
        function = self._window_function(window_function)
        return self._record(
            "aggregate",
            aggregate_function,
            function,
            output_type,
            aggregate_function,
            window_function,
        )

    def _iterable(self, function: Any, kind: type, output_type: Any) -> DataStream:
        if not isinstance(function, kind):
            raise TypeError(
                f"The window function must be an instance of {kind.__name__}, got "
                f"{type(function).__name__}"
            )
        return self._record("list", None, function, output_type, function, None)

    def _record(
        self,
        contents: str,
        contents_function: Any,
        window_function: Any,
        output_type: Any,
        described: Any,
        described_window_function: Any,
    ) -> DataStream:
        """Records the window operator; returns its output stream."""
        assigner = self._window_assigner
        trigger = self._window_trigger
        if trigger is None:
            trigger = assigner.get_default_trigger(self.get_execution_environment())
        factory = WindowOperatorFactory(
            assigner,
            trigger,
            self._allowed_lateness,
            contents,
            contents_function,
            window_function,
            self._late_data_output_tag,
            self._evictor,
        )
        stream = self._keyed_stream._apply(
            type(assigner).__name__, factory, declared_type(output_type)
        )
        description = type(described).__name__
        if described_window_function is not None:
            description += f", {type(described_window_function).__name__}"
        stream.set_description(
            f"{self._kind}({assigner!r}, {type(trigger).__name__}, {description})"
        )
        return stream


class WindowedStream(_WindowedStreamBase):
    """A keyed stream split into windows by a WindowAssigner; each key's windows are
    evaluated on their own, when the trigger fires."""

    def __init__(self, keyed_stream: KeyedStream, window_assigner: WindowAssigner):
        self._init(keyed_stream, window_assigner)

    def reduce(
        self,
        reduce_function: Any,
        window_function: Any = None,
        output_type: TypeInformation | None = None,
    ) -> DataStream:
        """Reduces each window's elements as they arrive; the window function (a
        ``WindowFunction``/``ProcessWindowFunction``, default: emit the reduced value) gets
        the one reduced value. Without a window function the output type is the input's.

        Raises:
            TypeError: wrong function kinds.
        """
        return self._reduce(reduce_function, window_function, output_type)

    def aggregate(
        self,
        aggregate_function: AggregateFunction,
        window_function: Any = None,
        accumulator_type: TypeInformation | None = None,
        output_type: TypeInformation | None = None,
    ) -> DataStream:
        """Aggregates each window's elements as they arrive (``accumulator_type`` is
        accepted for PyFlink compatibility; accumulators stay Python objects).

        Raises:
            TypeError: wrong function kinds.
        """
        return self._aggregate(aggregate_function, window_function, output_type)

    def apply(
        self, window_function: WindowFunction, output_type: TypeInformation | None = None
    ) -> DataStream:
        """Calls ``window_function.apply(key, window, elements)`` with all the elements of
        each fired window.

        Raises:
            TypeError: not a WindowFunction.
        """
        return self._iterable(window_function, WindowFunction, output_type)

    def process(
        self,
        process_window_function: ProcessWindowFunction,
        output_type: TypeInformation | None = None,
    ) -> DataStream:
        """Calls ``process(key, context, elements)`` with all the elements of each fired
        window.

        Raises:
            TypeError: not a ProcessWindowFunction.
        """
        return self._iterable(process_window_function, ProcessWindowFunction, output_type)


class AllWindowedStream(_WindowedStreamBase):
    """A non-keyed stream split into windows: all elements share one key, so one subtask
    evaluates the windows."""

    _kind = "AllWindow"
    _function_kinds = (AllWindowFunction, ProcessAllWindowFunction)
    _pass_through = PassThroughAllWindowFunction

    def __init__(self, data_stream: DataStream, window_assigner: WindowAssigner):
        check_assigner(window_assigner)
        self._init(data_stream.key_by(NullByteKeySelector()), window_assigner)

    def reduce(
        self,
        reduce_function: Any,
        window_function: Any = None,
        output_type: TypeInformation | None = None,
    ) -> DataStream:
        """Reduces each window's elements as they arrive; the window function (an
        ``AllWindowFunction``/``ProcessAllWindowFunction``) gets the reduced value.

        Raises:
            TypeError: wrong function kinds.
        """
        return self._reduce(reduce_function, window_function, output_type)

    def aggregate(
        self,
        aggregate_function: AggregateFunction,
        window_function: Any = None,
        accumulator_type: TypeInformation | None = None,
        output_type: TypeInformation | None = None,
    ) -> DataStream:
        """Aggregates each window's elements as they arrive.

        Raises:
            TypeError: wrong function kinds.
        """
        return self._aggregate(aggregate_function, window_function, output_type)

    def apply(
        self, window_function: AllWindowFunction, output_type: TypeInformation | None = None
    ) -> DataStream:
        """Calls ``window_function.apply(window, elements)`` for each fired window.

        Raises:
            TypeError: not an AllWindowFunction.
        """
        return self._iterable(window_function, AllWindowFunction, output_type)

    def process(
        self,
        process_window_function: ProcessAllWindowFunction,
        output_type: TypeInformation | None = None,
    ) -> DataStream:
        """Calls ``process(context, elements)`` for each fired window.

        Raises:
            TypeError: not a ProcessAllWindowFunction.
        """
        return self._iterable(process_window_function, ProcessAllWindowFunction, output_type)
