"""Time amounts and instants: ``Duration``, ``Instant`` and ``Time`` (``pyflink.common.time``).

PyFlink's ``Duration`` wraps a ``java.time.Duration``; kolk's holds the length as an int
number of nanoseconds, which is what Java's class stores (seconds plus nanos) in one number.
"""

from __future__ import annotations

__all__ = ["Duration", "Instant", "Time"]

_NANOS_PER_MILLI = 1_000_000
_NANOS_PER_SECOND = 1_000_000_000


class Duration:
    """A time-based amount of time, such as 34.5 seconds (Java's ``java.time.Duration``).

    Build it with the ``of_*`` factories. Two durations are equal when they are equally long.
    """

    def __init__(self, j_duration) -> None:
        """Creates a duration.

        Args:
            j_duration: in kolk, the length in nanoseconds (an int); PyFlink passes a Java
                ``Duration`` here. Prefer the ``of_*`` factories.

        Raises:
            TypeError: ``j_duration`` is not an int.
        """
        if isinstance(j_duration, bool) or not isinstance(j_duration, int):
            raise TypeError(
                "Duration(j_duration) takes a length in nanoseconds in kolk (there is no JVM); "
                "use Duration.of_millis(...) and the other of_* factories"
            )
        self._nanos = j_duration

    @staticmethod
    def of_days(days: int) -> Duration:
        """Returns a duration of ``days`` standard 24-hour days."""
        return Duration(days * 86_400 * _NANOS_PER_SECOND)

    @staticmethod
    def of_hours(hours: int) -> Duration:
        """Returns a duration of ``hours`` hours."""
        return Duration(hours * 3_600 * _NANOS_PER_SECOND)

    @staticmethod
    def of_millis(millis: int) -> Duration:
        """Returns a duration of ``millis`` milliseconds."""
        return Duration(millis * _NANOS_PER_MILLI)

    @staticmethod
    def of_minutes(minutes: int) -> Duration:
        """Returns a duration of ``minutes`` minutes."""
        return Duration(minutes * 60 * _NANOS_PER_SECOND)

    @staticmethod
    def of_nanos(nanos: int) -> Duration:
        """Returns a duration of ``nanos`` nanoseconds."""
        return Duration(nanos)

    @staticmethod
    def of_seconds(seconds: int) -> Duration:
        """Returns a duration of ``seconds`` seconds."""
        return Duration(seconds * _NANOS_PER_SECOND)

    def _to_nanos(self) -> int:
        """The length in nanoseconds (kolk-internal accessor)."""
        return self._nanos

    def _to_millis(self) -> int:
        """The length in whole milliseconds, rounded down as Java's ``toMillis()``."""
        return self._nanos // _NANOS_PER_MILLI

    def __eq__(self, other):
        return isinstance(other, Duration) and self._nanos == other._nanos

    def __hash__(self):
        return hash(("Duration", self._nanos))

    def __repr__(self):
        return f"Duration.of_nanos({self._nanos})"


class Instant:
    """An instantaneous point on the time line: seconds and nanoseconds since the epoch.

    Invariant kept by :meth:`of_epoch_milli`: ``0 <= nanos < 10**9``.
    """

    def __init__(self, seconds, nanos) -> None:
        self.seconds = seconds
        self.nanos = nanos

    def to_epoch_milli(self) -> int:
        """Returns the milliseconds since the epoch, rounded down (Java's ``toEpochMilli``).

        PyFlink 2.3 miscomputes negative instants with a fraction (it divides by
        10,001,000); kolk follows Java.
        """
        return int(self.seconds * 1000 + self.nanos // _NANOS_PER_MILLI)

    @staticmethod
    def of_epoch_milli(epoch_milli: int) -> Instant:
        """Returns the instant ``epoch_milli`` milliseconds after the epoch."""
        seconds, millis = divmod(epoch_milli, 1000)
        return Instant(seconds, millis * _NANOS_PER_MILLI)

    def __eq__(self, other):
        return (
            self.__class__ == other.__class__
            and self.seconds == other.seconds
            and self.nanos == other.nanos
        )

    def __hash__(self):
        return hash(("Instant", self.seconds, self.nanos))

    def __repr__(self):
        return f"Instant<{self.seconds}, {self.nanos}>"


class Time:
    """A time interval in milliseconds (Flink's deprecated ``Time``)."""

    def __init__(self, milliseconds: int) -> None:
        self._milliseconds = milliseconds

    def to_milliseconds(self) -> int:
        """Returns the interval in milliseconds."""
        return self._milliseconds

    @staticmethod
    def milliseconds(milliseconds: int) -> Time:
        """Returns an interval of ``milliseconds`` milliseconds."""
        return Time(milliseconds)

    @staticmethod
    def seconds(seconds: int) -> Time:
        """Returns an interval of ``seconds`` seconds."""
        return Time(seconds * 1000)

    @staticmethod
    def minutes(minutes: int) -> Time:
        """Returns an interval of ``minutes`` minutes."""
        return Time(minutes * 60_000)

    @staticmethod
    def hours(hours: int) -> Time:
        """Returns an interval of ``hours`` hours."""
        return Time(hours * 3_600_000)

    @staticmethod
    def days(days: int) -> Time:
        """Returns an interval of ``days`` days."""
        return Time(days * 86_400_000)

    def __eq__(self, other):
        return self.__class__ == other.__class__ and self._milliseconds == other._milliseconds

    def __hash__(self):
        return hash(("Time", self._milliseconds))

    def __str__(self):
        return f"{self._milliseconds} ms"
