"""The watermark valve: the minimum over active channels, never going back."""

from __future__ import annotations

from kolk._runtime.time.valve import StatusWatermarkValve
from kolk._runtime.time.watermark import MIN_WATERMARK


def test_output_is_the_minimum_over_channels_and_only_grows() -> None:
    valve = StatusWatermarkValve(2)
    assert valve.input_watermark(0, 100) is None  # channel 1 still at Long.MIN_VALUE
    assert valve.input_watermark(1, 50) == 50
    assert valve.input_watermark(1, 40) is None  # lower than the channel's last: ignored
    assert valve.input_watermark(1, 200) == 100
    assert valve.output == 100


def test_an_idle_channel_does_not_hold_event_time_back() -> None:
    valve = StatusWatermarkValve(2)
    valve.input_watermark(0, 100)
    assert valve.input_status(1, idle=True) == 100
    assert valve.input_watermark(0, 150) == 150
    # Active again but behind: it joins only once it catches up with the output.
    assert valve.input_status(1, idle=False) is None
    assert valve.input_watermark(1, 120) is None
    assert valve.input_watermark(0, 300) == 300
    assert valve.input_watermark(1, 160) is None  # caught up? not yet >= 300
    assert valve.input_watermark(1, 400) is None  # now aligned; min(300, 400) = 300


def test_all_idle_emits_the_maximum_and_reports_idle() -> None:
    valve = StatusWatermarkValve(2)
    valve.input_watermark(0, 10)
    valve.input_watermark(1, 30)
    assert valve.input_status(0, idle=True) == 30
    assert valve.input_status(1, idle=True) is None
    assert valve.idle
    assert MIN_WATERMARK < valve.output == 30
