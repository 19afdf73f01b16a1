"""The timer service contract (mirrors ``pyflink.datastream.timerservice``)."""

from __future__ import annotations

import abc

__all__ = ["TimerService"]


class TimerService(abc.ABC):
    """Queries time and registers timers (keyed operators only)."""

    @abc.abstractmethod
    def current_processing_time(self) -> int:
        """Returns the current processing time in milliseconds."""

    @abc.abstractmethod
    def current_watermark(self) -> int:
        """Returns the current event-time watermark."""

    @abc.abstractmethod
    def register_processing_time_timer(self, timestamp: int) -> None:
        """Registers a timer to fire when processing time passes the timestamp."""

    @abc.abstractmethod
    def register_event_time_timer(self, timestamp: int) -> None:
        """Registers a timer to fire when the event-time watermark passes the timestamp."""

    @abc.abstractmethod
    def delete_processing_time_timer(self, timestamp: int) -> None:
        """Deletes the processing-time timer with the given timestamp, if it exists."""

    @abc.abstractmethod
    def delete_event_time_timer(self, timestamp: int) -> None:
        """Deletes the event-time timer with the given timestamp, if it exists."""
