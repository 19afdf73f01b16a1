"""Watermark generators: bounded out-of-orderness emits max - bound - 1."""

from __future__ import annotations

from kolk._runtime.operators.timestamps import create_generator
from kolk._runtime.time.watermark_generators import (
    BoundedOutOfOrdernessWatermarks,
    WatermarksWithIdleness,
)
from kolk.common import Duration, WatermarkStrategy


def test_bounded_out_of_orderness_emits_max_minus_bound_minus_one() -> None:
    generator = BoundedOutOfOrdernessWatermarks(1000)
    for ts in (5000, 3000, 7000, 6000):
        generator.on_event(None, ts)
    assert generator.on_periodic_emit() == 7000 - 1000 - 1


def test_monotonous_is_bounded_with_zero_delay() -> None:
    generator = create_generator(WatermarkStrategy.for_monotonous_timestamps())
    generator.on_event(None, 42)
    assert generator.on_periodic_emit() == 41


def test_no_watermarks_emits_none() -> None:
    assert create_generator(WatermarkStrategy.no_watermarks()).on_periodic_emit() is None


def test_idleness_after_the_timeout_without_records() -> None:
    now = [0.0]
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(0)).with_idleness(
        Duration.of_millis(100)
    )
    generator = create_generator(strategy, clock=lambda: now[0])
    assert isinstance(generator, WatermarksWithIdleness)
    generator.on_event(None, 10)
    now[0] = 50.0
    assert generator.on_periodic_emit() == 9
    assert not generator.is_idle()
    now[0] = 150.0
    assert generator.on_periodic_emit() is None
    assert generator.is_idle()
    generator.on_event(None, 20)
    assert not generator.is_idle()
