"""Java value semantics that kolk reproduces bit for bit (standard library only).

PyFlink hands keys and records to the JVM, so where a record lands and how it prints are
decided by Java: 32-bit wrap-around arithmetic, ``hashCode()`` of boxed values and
strings, Flink's ``MathUtils.murmurHash`` and ``Double.toString`` / ``Float.toString``.
The functions here compute exactly those values from Python objects, so that kolk places
keys on the subtasks PyFlink places them on and prints what PyFlink prints.

Contracts:
    * Every ``*_hash`` function returns a Java ``int``: a Python int in
      ``[-2**31, 2**31 - 1]``.
    * :func:`murmur_hash` returns a non-negative int (Flink's contract for key groups).
    * The ``*_to_string`` functions return what the JDK prints for the same value, using the
      shortest decimal digits that round-trip, never fewer than two significant digits (the
      JDK 19+ algorithm, JDK-4511638). JDK 17, the oracle's JVM, prints some rare values with
      more digits than needed (``2.0E-3`` is the same everywhere, but JDK 17 prints
      ``Double.toString(2.0E23)`` as ``2.0E23`` and some 17-digit values with an 18th).
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal

__all__ = [
    "java_bigint_hash",
    "java_boolean_hash",
    "java_bytes_hash",
    "java_double_hash",
    "java_double_to_string",
    "java_float_hash",
    "java_float_to_string",
    "java_long_hash",
    "java_string_hash",
    "murmur_hash",
    "to_float32",
    "to_int8",
    "to_int16",
    "to_int32",
    "to_int64",
]

_MASK32 = 0xFFFF_FFFF
_MASK64 = 0xFFFF_FFFF_FFFF_FFFF
_SIGN32 = 0x8000_0000
_SIGN64 = 0x8000_0000_0000_0000

#: The value of every unsigned byte read as a Java (signed) ``byte``.
_SIGNED_BYTE = tuple(b - 256 if b > 127 else b for b in range(256))

#: Java's canonical NaN bit patterns (``doubleToLongBits`` / ``floatToIntBits``).
_DOUBLE_NAN_BITS = 0x7FF8_0000_0000_0000
_FLOAT_NAN_BITS = 0x7FC0_0000

_DOUBLE = struct.Struct(">d")
_LONG = struct.Struct(">q")
_FLOAT = struct.Struct(">f")
_INT = struct.Struct(">i")


def to_int32(x: int) -> int:
    """Wraps ``x`` to a Java ``int`` (two's complement, 32 bits)."""
    x &= _MASK32
    return x - 0x1_0000_0000 if x & _SIGN32 else x


def to_int64(x: int) -> int:
    """Wraps ``x`` to a Java ``long`` (two's complement, 64 bits)."""
    x &= _MASK64
    return x - 0x1_0000_0000_0000_0000 if x & _SIGN64 else x


def to_int16(x: int) -> int:
    """Wraps ``x`` to a Java ``short``."""
    x &= 0xFFFF
    return x - 0x1_0000 if x & 0x8000 else x


def to_int8(x: int) -> int:
    """Wraps ``x`` to a Java ``byte``."""
    return _SIGNED_BYTE[x & 0xFF]


def to_float32(x: float) -> float:
    """Rounds ``x`` to the nearest IEEE-754 single, as Java's ``(float) x`` cast does.

    Values beyond the float range become infinities (Python's ``struct`` would raise).
    """
    try:
        return float(_FLOAT.unpack(_FLOAT.pack(x))[0])
    except OverflowError:
        return math.copysign(math.inf, x)


def java_string_hash(s: str) -> int:
    """``String.hashCode()``: ``s[0]*31^(n-1) + ... + s[n-1]`` over UTF-16 code units.

    Characters outside the Basic Multilingual Plane count as two code units (a surrogate
    pair), as in Java.
    """
    if s.isascii():
        units: bytes | tuple[int, ...] = s.encode("ascii")
    else:
        data = s.encode("utf-16-be", "surrogatepass")
        units = struct.unpack(f">{len(data) // 2}H", data)
    h = 0
    for unit in units:
        h = (31 * h + unit) & _MASK32
    return to_int32(h)


def java_bytes_hash(data: bytes | bytearray | memoryview) -> int:
    """``Arrays.hashCode(byte[])``: the 31-multiplier hash over the *signed* bytes.

    Starts at 1 (so the empty array hashes to 1), wraps at 32 bits.
    """
    signed = _SIGNED_BYTE
    h = 1
    for b in data if isinstance(data, bytes) else bytes(data):
        h = (31 * h + signed[b]) & _MASK32
    return to_int32(h)


def java_long_hash(value: int) -> int:
    """``Long.hashCode()``: ``(int) (v ^ (v >>> 32))`` of ``value`` wrapped to a long."""
    u = value & _MASK64
    return to_int32(u ^ (u >> 32))


def java_boolean_hash(value: bool) -> int:
    """``Boolean.hashCode()``: 1231 for true, 1237 for false."""
    return 1231 if value else 1237


def java_double_hash(value: float) -> int:
    """``Double.hashCode()``: the long hash of ``doubleToLongBits`` (NaN canonicalised)."""
    bits = _DOUBLE_NAN_BITS if value != value else _LONG.unpack(_DOUBLE.pack(value))[0] & _MASK64
    return to_int32(bits ^ (bits >> 32))


def java_float_hash(value: float) -> int:
    """``Float.hashCode()``: ``floatToIntBits`` of ``(float) value`` (NaN canonicalised)."""
    f = to_float32(value)
    if f != f:
        return _FLOAT_NAN_BITS
    return int(_INT.unpack(_FLOAT.pack(f))[0])


def java_bigint_hash(value: int) -> int:
    """``BigInteger.hashCode()``: 31-fold over the magnitude's big-endian 32-bit words.

    The result is multiplied by the signum (so 0 hashes to 0 and -x to -hash(x)).
    """
    magnitude = abs(value)
    h = 0
    words = []
    while magnitude:
        words.append(magnitude & _MASK32)
        magnitude >>= 32
    for word in reversed(words):
        h = (31 * h + word) & _MASK32
    h = to_int32(h)
    return to_int32(-h) if value < 0 else h


def murmur_hash(code: int) -> int:
    """Flink's ``MathUtils.murmurHash(int)``: one murmur3 round plus finaliser, non-negative.

    Args:
        code: a Java int (any Python int is first wrapped to 32 bits).

    Returns:
        The mixed hash made non-negative as Flink does: negative values are negated,
        except ``Integer.MIN_VALUE``, which becomes 0. ``murmur_hash(0) == 593689054``.
    """
    c = (code & _MASK32) * 0xCC9E2D51 & _MASK32
    c = ((c << 15) | (c >> 17)) & _MASK32
    c = c * 0x1B873593 & _MASK32
    c = ((c << 13) | (c >> 19)) & _MASK32
    c = (c * 5 + 0xE6546B64) & _MASK32
    c ^= 4
    c ^= c >> 16
    c = c * 0x85EBCA6B & _MASK32
    c ^= c >> 13
    c = c * 0xC2B2AE35 & _MASK32
    c ^= c >> 16
    if c & _SIGN32:
        # Negative as a Java int: Flink returns -c, and 0 for Integer.MIN_VALUE.
        return 0 if c == _SIGN32 else 0x1_0000_0000 - c
    return c


def _special_to_string(value: float) -> str | None:
    """Java's text for NaN, infinities and zeros; None for other values."""
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    return None


def _java_format(shortest: str) -> str:
    """Lays out a shortest round-trip decimal the way ``Double.toString`` does.

    Plain notation with at least one fractional digit for ``1e-3 <= |x| < 1e7``, otherwise
    computerized scientific notation ``d.dddE[-]n`` with at least one fractional digit.
    """
    sign, digit_tuple, exponent = Decimal(shortest).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    # Scientific exponent: the value is 0.d1d2... * 10^(point) = d1.d2... * 10^(point - 1).
    point = len(digit_tuple) + exponent
    sci = point - 1
    prefix = "-" if sign else ""
    if 0 <= sci < 7:
        integer = digits[:point].ljust(point, "0")
        fraction = digits[point:] or "0"
        return f"{prefix}{integer}.{fraction}"
    if -3 <= sci < 0:
        return f"{prefix}0.{'0' * (-sci - 1)}{digits}"
    return f"{prefix}{digits[0]}.{digits[1:] or '0'}E{sci}"


def java_double_to_string(value: float) -> str:
    """``Double.toString(value)``, e.g. ``1.0``, ``100.5``, ``1.0E20``, ``1.234E-5``, ``NaN``."""
    special = _special_to_string(value)
    if special is not None:
        return special
    x = float(value)
    shortest = repr(x)
    if len(Decimal(shortest).as_tuple().digits) == 1:
        # Java always shows two significant digits (d.dE..) and then picks the closest
        # two-digit decimal: 4.9E-324 for Double.MIN_VALUE, where repr() says 5e-324.
        closest = f"{x:.1e}"
        if float(closest) == x:
            shortest = closest
    return _java_format(shortest)


def java_float_to_string(value: float) -> str:
    """``Float.toString((float) value)``, e.g. ``0.33333334`` for 1/3, ``1.0E10``.

    The digits are the shortest decimal that rounds back to the same single-precision value.
    """
    f = to_float32(value)
    special = _special_to_string(f)
    if special is not None:
        return special
    # Two significant digits at least, as Java prints them (1.4E-45 for Float.MIN_VALUE).
    for precision in range(1, 9):
        candidate = f"{f:.{precision}e}"
        if to_float32(float(candidate)) == f:
            return _java_format(candidate)
    return _java_format(f"{f:.8e}")  # pragma: no cover - 9 digits always round-trip
