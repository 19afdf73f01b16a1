"""``DataStreamSink``: the handle ``print()`` returns (public home: ``data_stream``)."""

from __future__ import annotations

from kolk._graph.transformations import ChainingStrategy, SinkTransformation
from kolk.datastream._checks import check_operator_parallelism
from kolk.datastream._stream_support import ProgramRecorder, check_slot_sharing_group, node_name
from kolk.datastream._unsupported_stream import UnsupportedSinkMethods

__all__ = ["DataStreamSink"]


class DataStreamSink(UnsupportedSinkMethods):
    """The end of a stream: a sink operator, whose settings these methods change."""

    def __init__(self, environment: ProgramRecorder, transformation: SinkTransformation) -> None:
        """Wraps a sink transformation (internal: use ``print()``)."""
        self._env = environment
        self._transformation = transformation

    def name(self, name: str) -> DataStreamSink:
        """Sets the sink's name (its node reads "Sink: <name>")."""
        self._transformation.name = node_name(self._transformation, name)
        return self

    def uid(self, uid: str) -> DataStreamSink:
        """Sets the sink's stable id (kept across job submissions)."""
        self._transformation.uid = uid
        return self

    def set_parallelism(self, parallelism: int) -> DataStreamSink:
        """Sets the sink's parallelism (by default the environment's).

        Raises:
            ValueError: below 1 and not -1 (Flink's wording).
        """
        self._transformation.parallelism = check_operator_parallelism(parallelism, True)
        return self

    def set_description(self, description: str) -> DataStreamSink:
        """Sets the sink's description, shown in plans."""
        self._transformation.description = description
        return self

    def disable_chaining(self) -> DataStreamSink:
        """Never chains the sink to its input (chaining strategy NEVER)."""
        self._transformation.chaining_strategy = ChainingStrategy.NEVER
        return self

    def slot_sharing_group(self, slot_sharing_group: str) -> DataStreamSink:
        """Puts the sink into the named slot sharing group.

        Raises:
            NotImplementedError: a ``SlotSharingGroup`` object was given.
        """
        self._transformation.slot_sharing_group = check_slot_sharing_group(
            "DataStreamSink", slot_sharing_group
        )
        return self
