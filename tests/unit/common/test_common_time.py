"""Duration, Instant and Time (pyflink.common.time)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk.common import Duration, Instant, Time


def test_duration_factories() -> None:
    assert Duration.of_millis(1500) == Duration.of_nanos(1_500_000_000)
    assert Duration.of_seconds(60) == Duration.of_minutes(1)
    assert Duration.of_minutes(60) == Duration.of_hours(1)
    assert Duration.of_hours(24) == Duration.of_days(1)
    assert Duration.of_millis(5)._to_millis() == 5
    assert Duration.of_nanos(1_999_999)._to_millis() == 1
    assert Duration.of_nanos(-1)._to_millis() == -1
    assert Duration.of_seconds(2)._to_nanos() == 2_000_000_000
    assert hash(Duration.of_millis(1)) == hash(Duration.of_nanos(1_000_000))
    assert Duration.of_millis(1) != Duration.of_millis(2)
    assert repr(Duration.of_millis(1)) == "Duration.of_nanos(1000000)"


def test_duration_needs_nanoseconds() -> None:
    with pytest.raises(TypeError, match="nanoseconds"):
        Duration(object())
    with pytest.raises(TypeError):
        Duration(True)


def test_instant() -> None:
    instant = Instant.of_epoch_milli(1_005)
    assert (instant.seconds, instant.nanos) == (1, 5_000_000)
    assert instant.to_epoch_milli() == 1_005
    assert repr(instant) == "Instant<1, 5000000>"
    assert Instant.of_epoch_milli(-1) == Instant(-1, 999_000_000)
    assert Instant(-1, 999_000_000).to_epoch_milli() == -1
    assert hash(Instant(1, 2)) == hash(Instant(1, 2))
    assert Instant(1, 2) != (1, 2)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_instant_epoch_milli_round_trip(millis: int) -> None:
    assert Instant.of_epoch_milli(millis).to_epoch_milli() == millis


def test_time() -> None:
    assert Time.seconds(2).to_milliseconds() == 2_000
    assert Time.minutes(1) == Time.milliseconds(60_000)
    assert Time.hours(1) == Time.minutes(60)
    assert Time.days(1) == Time.hours(24)
    assert str(Time.milliseconds(5)) == "5 ms"
    assert hash(Time(5)) == hash(Time(5))
