"""Two streams processed together: ``connect`` and broadcast state.

Public home: :mod:`kolk.datastream.data_stream` (as in PyFlink), which re-exports the three
classes; they live here to keep that module small.

* :class:`ConnectedStreams` -- ``ds1.connect(ds2)``. ``map``/``flat_map``/``process`` record a
  :class:`~kolk._graph.transformations.TwoInputTransformation` whose inputs are the two
  streams' transformations. After ``key_by(key_selector1, key_selector2)`` each input is a
  hash partitioning by its own key selector into one key space, and the operator is keyed
  (``state_key_selector1/2``, ``state_key_type``): elements with equal keys from either side
  meet in one subtask and share the key's state.
* :class:`BroadcastStream` -- ``ds.broadcast(MapStateDescriptor, ...)``: a broadcast
  partitioning of ``ds`` plus the descriptors of the broadcast states it fills.
* :class:`BroadcastConnectedStream` -- ``ds.connect(broadcast_stream)``; ``process`` records a
  TwoInputTransformation with the non-broadcast stream as input 1 (keyed on it when it is a
  KeyedStream) and the broadcast partitioning as input 2.

Names and checks are PyFlink 2.3's (pyflink/datastream/data_stream.py, ``ConnectedStreams`` and
``BroadcastConnectedStream``): "Co-Map", "Co-Flat Map", "Co-Process", "Keyed Co-Process",
"Co-Process-Broadcast", "Keyed-Co-Process-Broadcast". Connected streams are keyed only when
both inputs are KeyedStreams (PyFlink's ``_is_keyed_stream``); with one keyed input its hash
partitioning stays but the operator is not keyed, and its function sees the plain elements
(PyFlink would pass its internal ``Row(key, value)`` there; kolk follows Flink, DESIGN.md §8).
The operators take the environment's default parallelism, like every other operator.

This module reaches into the streams it is given (``_env``, ``_transformation``,
``_keyed_fields()``, ``_new_stream()``) instead of importing the stream classes, which import it.
"""

from __future__ import annotations

from typing import Any

from kolk._graph.transformations import PARALLELISM_DEFAULT, TwoInputTransformation
from kolk._runtime.operators.factories import (
    BroadcastProcessOperatorFactory,
    CoFlatMapOperatorFactory,
    CoMapOperatorFactory,
    CoProcessOperatorFactory,
    KeyedBroadcastProcessOperatorFactory,
    KeyedCoProcessOperatorFactory,
    OperatorFactory,
)
from kolk.common import TypeInformation
from kolk.datastream._stream_support import declared_type
from kolk.datastream.functions import (
    BroadcastProcessFunction,
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
)
from kolk.datastream.state import MapStateDescriptor

__all__ = [
    "BroadcastConnectedStream",
    "BroadcastStream",
    "ConnectedStreams",
    "check_broadcast_state_descriptors",
]


def _given(func: Any) -> str:
    return f"Got {type(func).__name__}: {func!r}"


def _same_environment(stream1: Any, stream2: Any) -> Any:
    """The streams' environment.

    Raises:
        ValueError: the streams belong to different environments.
    """
    if stream1._env is not stream2._env:
        raise ValueError(
            "Cannot connect streams of different StreamExecutionEnvironments; build both "
            "streams from the same environment"
        )
    return stream1._env


def _record(
    env: Any,
    name: str,
    factory: OperatorFactory,
    output_type: Any,
    input1: Any,
    input2: Any,
    keyed: dict[str, Any],
) -> TwoInputTransformation:
    transformation = TwoInputTransformation(
        id=env._new_id(),
        name=name,
        output_type=output_type,
        parallelism=PARALLELISM_DEFAULT,
        input1=input1._transformation,
        input2=input2._transformation,
        operator_factory=factory,
        **keyed,
    )
    env._add_operator(transformation)
    return transformation


class ConnectedStreams:
    """Two streams of possibly different types, processed by one function with two inputs.

    The function's state (its attributes, or keyed state after :meth:`key_by`) is shared by
    both inputs: one input can carry rules or updates that change how the other is processed.

    Attributes:
        stream1: the first input (``map1``, ``flat_map1``, ``process_element1``).
        stream2: the second input.
    """

    def __init__(self, stream1: Any, stream2: Any) -> None:
        self.stream1 = stream1
        self.stream2 = stream2

    def key_by(
        self, key_selector1: Any, key_selector2: Any, key_type: TypeInformation | None = None
    ) -> ConnectedStreams:
        """Keys both inputs, each by its own selector, into one key space.

        An input that is already a KeyedStream is re-keyed from its original stream (PyFlink).

        Args:
            key_selector1: a callable or ``KeySelector`` for the first input's elements.
            key_selector2: a callable or ``KeySelector`` for the second input's elements.
            key_type: the common key type, or None (pickled); it decides the keys' hash.

        Raises:
            TypeError: a key selector is neither a KeySelector nor callable.
        """
        return ConnectedStreams(
            self.stream1.key_by(key_selector1, key_type),
            self.stream2.key_by(key_selector2, key_type),
        )

    def map(self, func: Any, output_type: TypeInformation | None = None) -> Any:
        """Applies a ``CoMapFunction``: ``map1`` per element of the first input, ``map2`` per
        element of the second; one output each (a None result is dropped, as in PyFlink).

        Raises:
            TypeError: func is not a CoMapFunction, or output_type is invalid.
        """
        if not isinstance(func, CoMapFunction):
            raise TypeError(f"The input function must be a CoMapFunction! {_given(func)}")
        return self._transform("Co-Map", CoMapOperatorFactory(func), output_type)

    def flat_map(self, func: Any, output_type: TypeInformation | None = None) -> Any:
        """Applies a ``CoFlatMapFunction``: ``flat_map1``/``flat_map2`` yield or return any
        number of outputs per element.

        Raises:
            TypeError: func is not a CoFlatMapFunction, or output_type is invalid.
        """
        if not isinstance(func, CoFlatMapFunction):
            raise TypeError(f"The input must be a CoFlatMapFunction! {_given(func)}")
        return self._transform("Co-Flat Map", CoFlatMapOperatorFactory(func), output_type)

    def process(self, func: Any, output_type: TypeInformation | None = None) -> Any:
        """Applies a ``CoProcessFunction`` or, on keyed connected streams, a
        ``KeyedCoProcessFunction`` (keyed state, timers, ``on_timer``).

        A CoProcessFunction on keyed connected streams runs keyed too (as in Flink and
        PyFlink), named "Keyed Co-Process".

        Raises:
            TypeError: func is neither; or a KeyedCoProcessFunction on connected streams that
                are not both keyed (Flink's rule; PyFlink only fails once the function uses
                a key); or output_type is invalid.
        """
        if not isinstance(func, (CoProcessFunction, KeyedCoProcessFunction)):
            raise TypeError(
                f"The input must be a CoProcessFunction or KeyedCoProcessFunction! {_given(func)}"
            )
        if self._is_keyed_stream():
            return self._transform(
                "Keyed Co-Process", KeyedCoProcessOperatorFactory(func), output_type
            )
        if isinstance(func, KeyedCoProcessFunction):
            raise TypeError(
                "KeyedCoProcessFunction can only be used when both input streams are of type "
                "KeyedStream. Key both inputs first: ds1.connect(ds2).key_by(key_selector1, "
                "key_selector2).process(...)"
            )
        return self._transform("Co-Process", CoProcessOperatorFactory(func), output_type)

    def _is_keyed_stream(self) -> bool:
        return bool(self.stream1._keyed_fields()) and bool(self.stream2._keyed_fields())

    def _transform(self, name: str, factory: OperatorFactory, output_type: Any) -> Any:
        """Records the two-input operator and returns its output stream.

        Raises:
            ValueError: both inputs are keyed with different key types (Flink's message), or
                they belong to different environments.
        """
        declared = declared_type(output_type)
        env = _same_environment(self.stream1, self.stream2)
        keyed: dict[str, Any] = {}
        if self._is_keyed_stream():
            fields1 = self.stream1._keyed_fields()
            fields2 = self.stream2._keyed_fields()
            type1, type2 = fields1["state_key_type"], fields2["state_key_type"]
            if type1 != type2:
                raise ValueError(
                    f"Key types if input KeyedStreams don't match: {type1} and {type2}. Key "
                    f"both inputs with the same key_type, e.g. connect(...).key_by(k1, k2, "
                    f"key_type)"
                )
            keyed = {
                "state_key_selector1": fields1["state_key_selector"],
                "state_key_selector2": fields2["state_key_selector"],
                "state_key_type": type1,
            }
        transformation = _record(env, name, factory, declared, self.stream1, self.stream2, keyed)
        return self.stream1._new_stream(transformation)


class BroadcastStream:
    """A stream broadcast to every subtask of the operator it is connected to, with the
    descriptors of the broadcast states it fills (``DataStream.broadcast(descriptor, ...)``).

    It offers no operations of its own: connect it with ``ds.connect(broadcast_stream)``.

    Attributes:
        input_stream: the broadcast partitioning of the original stream.
        broadcast_state_descriptors: the ``MapStateDescriptor`` objects, in the given order.
    """

    def __init__(self, input_stream: Any, broadcast_state_descriptors: list[Any]) -> None:
        self.input_stream = input_stream
        self.broadcast_state_descriptors = broadcast_state_descriptors


class BroadcastConnectedStream:
    """A stream connected with a :class:`BroadcastStream`; ``process`` applies a
    ``BroadcastProcessFunction`` (non-keyed stream) or a ``KeyedBroadcastProcessFunction``
    (KeyedStream).

    Attributes:
        non_broadcast_stream: input 1, processed by ``process_element``.
        broadcast_stream: input 2, processed by ``process_broadcast_element`` on every subtask.
        broadcast_state_descriptors: the broadcast states every subtask keeps.
    """

    def __init__(
        self,
        non_broadcast_stream: Any,
        broadcast_stream: BroadcastStream,
        broadcast_state_descriptors: list[Any],
    ) -> None:
        self.non_broadcast_stream = non_broadcast_stream
        self.broadcast_stream = broadcast_stream
        self.broadcast_state_descriptors = broadcast_state_descriptors

    def process(self, func: Any, output_type: TypeInformation | None = None) -> Any:
        """Applies the function to both inputs and returns its output stream.

        The broadcast side writes the broadcast states (``ctx.get_broadcast_state``); the
        other side reads them. On a KeyedStream the operator is keyed on input 1.

        Raises:
            TypeError: a BroadcastProcessFunction on a KeyedStream or a
                KeyedBroadcastProcessFunction on a non-keyed stream (PyFlink's messages),
                another kind of function, or an invalid output_type.
        """
        keyed = self._is_keyed_stream()
        if isinstance(func, BroadcastProcessFunction) and keyed:
            raise TypeError("BroadcastProcessFunction should be applied to non-keyed DataStream")
        if isinstance(func, KeyedBroadcastProcessFunction) and not keyed:
            raise TypeError("KeyedBroadcastProcessFunction should be applied to keyed DataStream")
        if not isinstance(func, (BroadcastProcessFunction, KeyedBroadcastProcessFunction)):
            raise TypeError(
                f"The input must be a BroadcastProcessFunction or KeyedBroadcastProcessFunction. "
                f"{_given(func)}"
            )
        declared = declared_type(output_type)
        descriptors = tuple(self.broadcast_state_descriptors)
        broadcast_input = self.broadcast_stream.input_stream
        env = _same_environment(self.non_broadcast_stream, broadcast_input)
        fields: dict[str, Any] = {}
        factory: OperatorFactory
        if keyed:
            name = "Keyed-Co-Process-Broadcast"
            factory = KeyedBroadcastProcessOperatorFactory(func, descriptors)
            key_fields = self.non_broadcast_stream._keyed_fields()
            fields = {
                "state_key_selector1": key_fields["state_key_selector"],
                "state_key_type": key_fields["state_key_type"],
            }
        else:
            name = "Co-Process-Broadcast"
            factory = BroadcastProcessOperatorFactory(func, descriptors)
        transformation = _record(
            env, name, factory, declared, self.non_broadcast_stream, broadcast_input, fields
        )
        return self.non_broadcast_stream._new_stream(transformation)

    def _is_keyed_stream(self) -> bool:
        return bool(self.non_broadcast_stream._keyed_fields())


def check_broadcast_state_descriptors(descriptors: list[Any]) -> list[MapStateDescriptor]:
    """PyFlink's check of ``broadcast(...)``'s arguments.

    Raises:
        TypeError: an argument is not a MapStateDescriptor (PyFlink's message, then what was
            given).
    """
    for descriptor in descriptors:
        if not isinstance(descriptor, MapStateDescriptor):
            raise TypeError(
                f"broadcast_state_descriptor must be MapStateDescriptor. {_given(descriptor)}"
            )
    return list(descriptors)
