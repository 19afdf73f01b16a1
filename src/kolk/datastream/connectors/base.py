"""The base of unified (FLIP-27) sources (mirrors ``pyflink.datastream.connectors.base``).

A :class:`Source` describes how a bounded or unbounded input is split and read by parallel
subtasks; ``StreamExecutionEnvironment.from_source`` turns it into a stream. In PyFlink a
``Source`` wraps a Java ``Source`` object; kolk has no JVM, so a kolk source wraps its own
description instead (what each subtask runs, and the type it produces), and PyFlink's concrete
sources (:class:`~kolk.datastream.connectors.number_seq.NumberSequenceSource`) build it.

kolk mirrors only ``Source`` of this module so far; PyFlink's ``Sink``, ``DeliveryGuarantee``,
``StreamTransformer`` and ``SupportsPreprocessing`` belong to connectors kolk does not have yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kolk._runtime.operators.factories import OperatorFactory
from kolk.common.typeinfo import TypeInformation

__all__ = ["Source"]


@dataclass(frozen=True)
class _SourceSpec:
    """What PyFlink keeps as a Java ``Source``: what each subtask runs and what it produces.

    Attributes:
        operator_factory: creates the source operator of each parallel subtask.
        produced_type: the records' type (Flink's ``ResultTypeQueryable.getProducedType``).
    """

    operator_factory: OperatorFactory
    produced_type: TypeInformation


class Source:
    """Base class for all unified data sources (read with ``env.from_source(...)``).

    Create one of kolk's concrete sources, such as ``NumberSequenceSource(start, end)``; this
    constructor is what they call.

    Args:
        source: the source's description. PyFlink takes a Java ``Source`` (or its class name)
            here; kolk has no JVM and takes only its own sources' descriptions.

    Raises:
        TypeError: ``source`` is a Java class name, a Java object or anything else that is not
            a kolk source's description.
    """

    def __init__(self, source: Any) -> None:
        if not isinstance(source, _SourceSpec):
            raise TypeError(
                f"Source({source!r}) would wrap a Java source, and kolk has no JVM; use one of "
                "kolk's sources instead, e.g. NumberSequenceSource(start, end) from "
                "pyflink.datastream.connectors.number_seq"
            )
        # PyFlink's JavaFunctionWrapper keeps the Java object as _j_function.
        self._j_function = source

    def get_java_function(self) -> Any:
        """The Java ``Source`` (kolk has no JVM).

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.get_java_function is not supported by kolk (no JVM)"
        )
