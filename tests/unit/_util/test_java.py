"""Java value semantics: 32-bit wrap, hashCode of boxed values, murmur, toString of floats."""

from __future__ import annotations

import math
import re
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk._util.java import (
    java_bigint_hash,
    java_boolean_hash,
    java_bytes_hash,
    java_double_hash,
    java_double_to_string,
    java_float_hash,
    java_float_to_string,
    java_long_hash,
    java_string_hash,
    murmur_hash,
    to_float32,
    to_int8,
    to_int16,
    to_int32,
    to_int64,
)

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (2**31 - 1, 2**31 - 1), (2**31, -(2**31)), (2**32, 0), (-1, -1), (2**32 + 5, 5)],
)
def test_to_int32_wraps_like_java(value: int, expected: int) -> None:
    assert to_int32(value) == expected


def test_narrow_and_wide_wraps() -> None:
    assert to_int64(2**63) == -(2**63)
    assert to_int64(-1) == -1
    assert to_int16(0x8000) == -32768
    assert to_int16(0x7FFF) == 32767
    assert to_int8(255) == -1
    assert to_int8(128) == -128
    assert to_int8(127) == 127


def test_to_float32_rounds_and_saturates() -> None:
    assert to_float32(0.1) == struct.unpack(">f", struct.pack(">f", 0.1))[0]
    assert to_float32(1e40) == math.inf
    assert to_float32(-1e40) == -math.inf
    assert math.isnan(to_float32(math.nan))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 97),
        ("hello", 99162322),
        ("Aa", 2112),
        ("BB", 2112),
        ("é", 233),
        ("😀", 0xD83D * 31 + 0xDE00),
        ("red", 112785),
    ],
)
def test_string_hash_known_values(text: str, expected: int) -> None:
    assert java_string_hash(text) == expected


def _reference_string_hash(text: str) -> int:
    data = text.encode("utf-16-be", "surrogatepass")
    units = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    n = len(units)
    return to_int32(sum(u * 31 ** (n - 1 - i) for i, u in enumerate(units)))


@given(st.text())
def test_string_hash_is_the_polynomial_over_utf16_units(text: str) -> None:
    assert java_string_hash(text) == _reference_string_hash(text)


@pytest.mark.parametrize(
    ("data", "expected"), [(b"", 1), (b"\x00", 31), (b"\x01", 32), (b"\xff", 30), (b"\x80", -97)]
)
def test_bytes_hash_uses_signed_bytes(data: bytes, expected: int) -> None:
    assert java_bytes_hash(data) == expected


@given(st.binary(max_size=200))
def test_bytes_hash_is_arrays_hashcode(data: bytes) -> None:
    n = len(data)
    signed = [b - 256 if b > 127 else b for b in data]
    expected = to_int32(31**n + sum(s * 31 ** (n - 1 - i) for i, s in enumerate(signed)))
    assert java_bytes_hash(data) == expected
    assert java_bytes_hash(bytearray(data)) == expected


def test_murmur_hash_matches_flink() -> None:
    assert murmur_hash(0) == 593689054
    # KeyGroupRangeAssignment checks from the notes: Integer 42 -> kg 29, "a" -> kg 81.
    assert murmur_hash(42) % 128 == 29
    assert murmur_hash(java_string_hash("a")) % 128 == 81


@given(st.integers(min_value=INT_MIN, max_value=INT_MAX))
def test_murmur_hash_is_a_non_negative_int(code: int) -> None:
    result = murmur_hash(code)
    assert 0 <= result <= INT_MAX
    assert murmur_hash(code + 2**32) == result


def test_boxed_hashes() -> None:
    assert java_boolean_hash(True) == 1231
    assert java_boolean_hash(False) == 1237
    assert java_long_hash(5) == 5
    assert java_long_hash(-1) == 0
    assert java_long_hash(2**32) == 1
    assert java_long_hash(-(2**63)) == INT_MIN
    assert java_double_hash(1.5) == 0x3FF80000
    assert java_double_hash(0.0) == 0
    assert java_double_hash(-0.0) == INT_MIN
    assert java_double_hash(math.nan) == 0x7FF80000
    assert java_float_hash(1.5) == 0x3FC00000
    assert java_float_hash(math.nan) == 0x7FC00000
    assert java_float_hash(1e40) == 0x7F800000
    assert java_float_hash(-0.0) == INT_MIN


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (1, 1), (-1, -1), (2**32, 31), (2**40 + 5, 7941), (-(2**40 + 5), -7941)],
)
def test_bigint_hash(value: int, expected: int) -> None:
    assert java_bigint_hash(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1.0"),
        (100.5, "100.5"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"),
        (0.001, "0.001"),
        (0.002, "0.002"),
        (0.0001, "1.0E-4"),
        (1.234e-5, "1.234E-5"),
        (1e7, "1.0E7"),
        (9999999.0, "9999999.0"),
        (1234567.0, "1234567.0"),
        (12345678.9, "1.23456789E7"),
        (1e20, "1.0E20"),
        (-1e-10, "-1.0E-10"),
        (1e23, "1.0E23"),
        (5e-324, "4.9E-324"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
    ],
)
def test_double_to_string(value: float, expected: str) -> None:
    assert java_double_to_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1 / 3, "0.33333334"),
        (0.1, "0.1"),
        (1.0, "1.0"),
        (100.5, "100.5"),
        (1e10, "1.0E10"),
        (16777217.0, "1.6777216E7"),
        (3.4e38, "3.4E38"),
        (1.4e-45, "1.4E-45"),
        (1e40, "Infinity"),
        (-0.0, "-0.0"),
        (math.nan, "NaN"),
    ],
)
def test_float_to_string(value: float, expected: str) -> None:
    assert java_float_to_string(value) == expected


_PLAIN = re.compile(r"-?[0-9]+\.[0-9]+")
_SCIENTIFIC = re.compile(r"-?[1-9]\.[0-9]+E-?[0-9]+")

finite_doubles = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != 0)


@given(finite_doubles)
def test_double_to_string_round_trips_in_javas_layout(value: float) -> None:
    text = java_double_to_string(value)
    assert float(text) == value
    pattern = _PLAIN if 1e-3 <= abs(value) < 1e7 else _SCIENTIFIC
    assert pattern.fullmatch(text), text


@given(st.floats(width=32, allow_nan=False, allow_infinity=False).filter(lambda x: x != 0))
def test_float_to_string_round_trips_through_float32(value: float) -> None:
    text = java_float_to_string(value)
    assert to_float32(float(text)) == value
    digits = text.split("E")[0].replace("-", "").replace(".", "").strip("0")
    assert len(digits) <= 9
