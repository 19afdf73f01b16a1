"""Combining the watermarks of several input channels (Flink's ``StatusWatermarkValve``).

Per channel the valve keeps the channel's watermark and whether it is idle. A watermark lower
than the channel's last one is ignored; the valve's output is the minimum over the active
channels, emitted only when it grows. An idle channel does not hold event time back; it joins
the minimum again when it becomes active (Flink additionally waits until it catches up with
the output: its watermark only counts once it is >= the last output). When every channel is
idle the valve emits the maximum watermark over its channels and reports itself idle.
"""

from __future__ import annotations

from kolk._runtime.time.watermark import MIN_WATERMARK

__all__ = ["StatusWatermarkValve", "WatermarkStatus"]


class WatermarkStatus:
    """An event: the sending channel became idle (True) or active again (False)."""

    __slots__ = ("idle",)

    def __init__(self, idle: bool) -> None:
        self.idle = idle

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WatermarkStatus) and other.idle == self.idle

    def __hash__(self) -> int:
        return hash(("WatermarkStatus", self.idle))

    def __repr__(self) -> str:
        return f"WatermarkStatus({'IDLE' if self.idle else 'ACTIVE'})"


class StatusWatermarkValve:
    """The output watermark of an input with ``num_channels`` channels."""

    def __init__(self, num_channels: int) -> None:
        self._watermarks = [MIN_WATERMARK] * num_channels
        self._idle = [False] * num_channels
        self._aligned = [True] * num_channels
        self.output = MIN_WATERMARK
        self.idle = False

    def input_watermark(self, channel: int, watermark: int) -> int | None:
        """A channel sent a watermark; returns the new output watermark, or None."""
        if self._idle[channel] or watermark <= self._watermarks[channel]:
            return None
        self._watermarks[channel] = watermark
        if not self._aligned[channel] and watermark >= self.output:
            self._aligned[channel] = True
        return self._advance()

    def input_status(self, channel: int, idle: bool) -> int | None:
        """A channel became idle or active; returns a new output watermark, or None."""
        if self._idle[channel] == idle:
            return None
        self._idle[channel] = idle
        if idle:
            self._aligned[channel] = False
            if all(self._idle):
                self.idle = True
                highest = max(self._watermarks)
                if highest > self.output:
                    self.output = highest
                    return highest
                return None
            return self._advance()
        self.idle = False
        self._aligned[channel] = self._watermarks[channel] >= self.output
        return None

    def _advance(self) -> int | None:
        active = [
            wm
            for wm, idle, aligned in zip(self._watermarks, self._idle, self._aligned, strict=True)
            if not idle and aligned
        ]
        if not active:
            return None
        lowest = min(active)
        if lowest > self.output:
            self.output = lowest
            return lowest
        return None
