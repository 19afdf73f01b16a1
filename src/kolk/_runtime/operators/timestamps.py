"""``assign_timestamps_and_watermarks``: Flink's ``TimestampsAndWatermarksOperator``.

Runs inside the chain's fused loop (fusion kind ``assign``): each record gets
``extract_timestamp(value, previous_timestamp)`` as its timestamp and is shown to the
watermark generator. The chain asks :meth:`next_periodic_watermark` every
``pipeline.auto-watermark-interval`` and emits the watermark when it grows. Watermarks from
upstream are not forwarded, except the final one (``Long.MAX_VALUE``) at end of input.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kolk._runtime.operators.base import FunctionOperator
from kolk._runtime.time.watermark import MIN_WATERMARK
from kolk._runtime.time.watermark_generators import (
    BoundedOutOfOrdernessWatermarks,
    NoWatermarksGenerator,
    WatermarkGenerator,
    WatermarksWithIdleness,
)
from kolk.common.watermark_strategy import WatermarkStrategy

__all__ = ["TimestampsAndWatermarksOperator", "create_generator"]


def _keep_timestamp(value: Any, record_timestamp: int) -> int:
    return record_timestamp


def create_generator(
    strategy: WatermarkStrategy, clock: Callable[[], float] | None = None
) -> WatermarkGenerator:
    """The watermark generator a strategy describes (one per subtask)."""
    spec = strategy._j_watermark_strategy
    generator: WatermarkGenerator = (
        BoundedOutOfOrdernessWatermarks(spec.out_of_orderness_ms)
        if spec.kind == "bounded"
        else NoWatermarksGenerator()
    )
    if spec.idle_timeout_ms is not None:
        generator = WatermarksWithIdleness(
            generator, spec.idle_timeout_ms, clock or (lambda: time.time() * 1000.0)
        )
    return generator


class TimestampsAndWatermarksOperator(FunctionOperator):
    """Stamps records and generates watermarks."""

    kind = "assign"

    def __init__(self, strategy: WatermarkStrategy) -> None:
        assigner = strategy._timestamp_assigner
        super().__init__(
            assigner.extract_timestamp if assigner is not None else _keep_timestamp,
            "extract_timestamp",
        )
        self.strategy = strategy
        self.generator = create_generator(strategy)
        self.last_emitted = MIN_WATERMARK
        self.idle = False
        #: The idleness last announced downstream (by the chain).
        self.announced_idle = False

    def bindings(self) -> dict[str, Any]:
        return {"g": self.generator.on_event}

    def has_new_watermark(self) -> bool:
        """True if a periodic emission now would emit a watermark (no side effects)."""
        watermark = self.generator.peek_watermark()
        return watermark is not None and watermark > self.last_emitted

    def next_periodic_watermark(self) -> int | None:
        """The generator's watermark if it grew since the last emission, else None."""
        watermark = self.generator.on_periodic_emit()
        self.idle = self.generator.is_idle()
        if watermark is None or watermark <= self.last_emitted:
            return None
        self.last_emitted = watermark
        return watermark
