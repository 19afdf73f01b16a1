"""The part of PyFlink's ``DataStream`` / ``KeyedStream`` / ``DataStreamSink`` surface kolk does
not support yet.

Every method exists with PyFlink 2.3's exact signature (checked by
``tests/architecture/test_public_surface.py``) and raises ``NotImplementedError`` naming the
class and method, e.g. ``"KeyedStream.window is not supported by kolk yet"``. Implementing a
method means moving it to ``data_stream.py``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from kolk.datastream._unsupported_environment import not_supported

__all__ = [
    "UnsupportedDataStreamMethods",
    "UnsupportedKeyedStreamMethods",
    "UnsupportedSinkMethods",
]


class UnsupportedDataStreamMethods:
    """Mixin of :class:`DataStream` methods that raise NotImplementedError.

    The owning class sets ``_surface_name`` (its PyFlink class name) for the message.
    """

    __slots__ = ()
    _surface_name = "DataStream"

    def set_uid_hash(self, uid_hash: Any) -> NoReturn:
        """Not supported yet (user-provided operator hashes)."""
        raise not_supported(self._surface_name, "set_uid_hash")

    def get_execution_config(self) -> NoReturn:
        """Not supported yet (PyFlink: the ExecutionConfig)."""
        raise not_supported(self._surface_name, "get_execution_config")

    def project(self, *field_indexes: Any) -> NoReturn:
        """Not supported yet (tuple projection)."""
        raise not_supported(self._surface_name, "project")

    def add_sink(self, sink_func: Any) -> NoReturn:
        """Not supported yet (SinkFunction sinks); ``print()`` is supported."""
        raise not_supported(self._surface_name, "add_sink")

    def sink_to(self, sink: Any) -> NoReturn:
        """Not supported yet (Sink V2 sinks); ``print()`` is supported."""
        raise not_supported(self._surface_name, "sink_to")

    def cache(self) -> NoReturn:
        """Not supported yet (cached intermediate results)."""
        raise not_supported(self._surface_name, "cache")


class UnsupportedKeyedStreamMethods:
    """Mixin of :class:`KeyedStream`'s own methods that raise NotImplementedError."""

    __slots__ = ()

    def add_sink(self, sink_func: Any) -> NoReturn:
        """Not supported yet (SinkFunction sinks); ``print()`` is supported."""
        raise not_supported("KeyedStream", "add_sink")

    def project(self, *field_indexes: Any) -> NoReturn:
        """Not supported yet (tuple projection)."""
        raise not_supported("KeyedStream", "project")


class UnsupportedSinkMethods:
    """Mixin of :class:`DataStreamSink` methods that raise NotImplementedError."""

    __slots__ = ()

    def set_uid_hash(self, uid_hash: Any) -> NoReturn:
        """Not supported yet (user-provided operator hashes)."""
        raise not_supported("DataStreamSink", "set_uid_hash")
