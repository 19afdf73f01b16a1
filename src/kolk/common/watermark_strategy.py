"""How timestamps and watermarks are made (mirrors ``pyflink.common.watermark_strategy``).

A :class:`WatermarkStrategy` describes a watermark generator (monotonous, bounded
out-of-orderness, none, optionally with idleness) and the :class:`TimestampAssigner` that
extracts each record's event time. ``DataStream.assign_timestamps_and_watermarks`` applies it.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, replace
from typing import Any

from kolk.common.time import Duration

__all__ = ["AssignerWithPeriodicWatermarksWrapper", "TimestampAssigner", "WatermarkStrategy"]


@dataclass(frozen=True)
class _GeneratorSpec:
    """What PyFlink keeps as a Java WatermarkStrategy: the generator to build per subtask.

    Attributes:
        kind: "bounded" (monotonous is bounded with 0) or "none".
        out_of_orderness_ms: the bound, for "bounded".
        idle_timeout_ms: ``with_idleness``, or None.
    """

    kind: str
    out_of_orderness_ms: int = 0
    idle_timeout_ms: int | None = None


class TimestampAssigner(abc.ABC):
    """Assigns event-time timestamps (ms since the epoch, by convention) to records."""

    @abc.abstractmethod
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        """Returns the timestamp of ``value``; ``record_timestamp`` is its previous one
        (``Long.MIN_VALUE`` when it had none)."""


class WatermarkStrategy:
    """Builds the watermark generator and timestamp assigner of a stream.

    Args:
        j_watermark_strategy: kolk's description of the generator (PyFlink passes a Java
            object here); use the static factories.
    """

    def __init__(self, j_watermark_strategy: Any) -> None:
        if not isinstance(j_watermark_strategy, _GeneratorSpec):
            raise TypeError(
                "kolk has no JVM: create a WatermarkStrategy with for_monotonous_timestamps(), "
                "for_bounded_out_of_orderness(...) or no_watermarks()"
            )
        self._j_watermark_strategy = j_watermark_strategy
        self._timestamp_assigner: TimestampAssigner | None = None

    def with_timestamp_assigner(self, timestamp_assigner: TimestampAssigner) -> WatermarkStrategy:
        """Uses ``timestamp_assigner`` for the records' timestamps (returns this strategy, as
        PyFlink does)."""
        if not isinstance(timestamp_assigner, TimestampAssigner) and not callable(
            getattr(timestamp_assigner, "extract_timestamp", None)
        ):
            raise TypeError(
                "with_timestamp_assigner expects a TimestampAssigner (a class with "
                "extract_timestamp(value, record_timestamp)), got "
                f"{type(timestamp_assigner).__name__}"
            )
        self._timestamp_assigner = timestamp_assigner
        return self

    def with_idleness(self, idle_timeout: Duration) -> WatermarkStrategy:
        """A new strategy whose input counts as idle after ``idle_timeout`` without records."""
        strategy = WatermarkStrategy(
            replace(self._j_watermark_strategy, idle_timeout_ms=idle_timeout._to_millis())
        )
        strategy._timestamp_assigner = self._timestamp_assigner
        return strategy

    def with_watermark_alignment(
        self,
        watermark_group: str,
        max_allowed_watermark_drift: Duration,
        update_interval: Duration | None = None,
    ) -> WatermarkStrategy:
        """Watermark alignment across sources (FLIP-182)."""
        raise NotImplementedError(
            "WatermarkStrategy.with_watermark_alignment is not supported by kolk yet"
        )

    @staticmethod
    def for_monotonous_timestamps() -> WatermarkStrategy:
        """Timestamps ascend: the watermark is the latest timestamp - 1."""
        return WatermarkStrategy(_GeneratorSpec("bounded", 0))

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness: Duration) -> WatermarkStrategy:
        """Records arrive at most ``max_out_of_orderness`` late: watermark = max - bound - 1."""
        return WatermarkStrategy(_GeneratorSpec("bounded", max_out_of_orderness._to_millis()))

    @staticmethod
    def no_watermarks() -> WatermarkStrategy:
        """Generates no watermarks (processing-time programs)."""
        return WatermarkStrategy(_GeneratorSpec("none"))


class AssignerWithPeriodicWatermarksWrapper:
    """Wraps a Java ``AssignerWithPeriodicWatermarks`` (a JVM object; kolk has none)."""

    def __init__(self, j_assigner_with_periodic_watermarks: Any) -> None:
        raise NotImplementedError(
            "AssignerWithPeriodicWatermarksWrapper wraps a Java object; kolk has no JVM: use "
            "WatermarkStrategy with a TimestampAssigner"
        )
