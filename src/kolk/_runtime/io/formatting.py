"""How ``print()`` renders a record: the text PyFlink's print sink writes for it.

What a record prints as depends on the stream's declared type (DESIGN.md §8,
flink_runtime_notes.md §9):

* no type / ``PICKLED_BYTE_ARRAY``: PyFlink inserts a map that applies Python's ``str()``
  (str values pass unchanged; ``bytes`` crash the job in PyFlink, and raise here);
* ``ROW``/``ROW_NAMED`` (and ``ExternalTypeInfo``): PyFlink's map prints
  ``{row_kind}[{','.join(str(v) for v in fields)}]``, e.g. ``+I[a,1]`` — Python ``str()``
  of each field, no spaces;
* any other type: the Java object reaches Java's print sink, which prints its
  ``toString()``. Basic values print as Java does (``true``, ``1.0E20`` for a double,
  ``0.33333334`` for a float, ``null``); a tuple as ``(a,(b,1))``; a row inside it as
  Java's ``Row.toString`` ``+I[a, 1]``; lists as ``[1, 2]``; maps as ``{a=1, b=2}`` in
  Java ``HashMap`` iteration order (when kolk can compute the keys' Java hash, else in
  the dict's order); a pickled value inside a tuple as Java's ``Arrays.toString`` of its
  pickle bytes, as Flink does.

Deliberate difference: a top-level array (``BASIC_ARRAY``, ``PRIMITIVE_ARRAY``,
``OBJECT_ARRAY``), or an array inside a list or map, prints in Flink as Java's identity
string (``[I@1b6d3586``), which is useless and nondeterministic; kolk prints ``[1, 2]``.

:func:`record_formatter` builds a closure once per type, so the per-record cost is one call
plus the work of rendering that record.
"""

from __future__ import annotations

import datetime
import pickle
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kolk._runtime.key_groups import java_hasher
from kolk._util.java import java_double_to_string, java_float_to_string, to_int8
from kolk.common.typeinfo import (
    BasicArrayTypeInfo,
    BasicType,
    BasicTypeInfo,
    DateTypeInfo,
    ExternalTypeInfo,
    ListTypeInfo,
    LocalTimeTypeInfo,
    MapTypeInfo,
    ObjectArrayTypeInfo,
    PickledBytesTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    TimestampTypeInfo,
    TimeTypeInfo,
    TupleTypeInfo,
    TypeInformation,
)
from kolk.common.types import Row, RowKind

__all__ = ["record_formatter"]

Formatter = Callable[[Any], str]

_KIND_TEXT = {kind: str(kind) for kind in RowKind}

_BYTES_MESSAGE = (
    "print() cannot print a bytes record: PyFlink fails on it too "
    "(AttributeError: 'bytes' object has no attribute 'encode'). Decode it first, e.g. "
    "map(lambda b: b.decode('utf-8')), or declare the stream's output type"
)


def record_formatter(type_info: TypeInformation | None) -> Formatter:
    """Returns the function that renders one record of ``type_info`` for ``print()``.

    Args:
        type_info: the stream's declared output type; None means pickled (no type).

    Returns:
        A function from record to the text PyFlink's print sink writes (without prefix).
        It raises ``TypeError`` for records PyFlink cannot print either (``bytes`` in a
        pickled stream, a non-row in a row stream).
    """
    if type_info is None or isinstance(type_info, PickledBytesTypeInfo):
        return _format_pickled
    if isinstance(type_info, RowTypeInfo):
        return _python_row_formatter(type_info.get_field_names())
    if isinstance(type_info, ExternalTypeInfo):
        inner = type_info._type_info
        names = inner.get_field_names() if isinstance(inner, RowTypeInfo) else None
        return _python_row_formatter(names)
    return _java_formatter(type_info)


def _format_pickled(value: Any) -> str:
    """PyFlink's pickled-to-string map: ``str(value)``, str values unchanged."""
    if isinstance(value, str):
        return value if value.__class__ is str else str.__str__(value)
    if isinstance(value, bytes):
        raise TypeError(_BYTES_MESSAGE)
    return str(value)


def _python_row_formatter(names: list[str] | None) -> Formatter:
    """PyFlink's row-to-string map: ``{kind}[{','.join(str(field) ...)}]``."""
    kind_text = _KIND_TEXT
    insert = kind_text[RowKind.INSERT]

    def format_row(value: Any) -> str:
        if isinstance(value, Row):
            return f"{kind_text[value._row_kind]}[{','.join([str(v) for v in value._values])}]"
        if isinstance(value, (tuple, list)):
            return f"{insert}[{','.join([str(v) for v in value])}]"
        if isinstance(value, dict) and names is not None:
            return f"{insert}[{','.join([str(value.get(n)) for n in names])}]"
        raise TypeError(f"a stream of Types.ROW(...) must carry Row records, got {value!r}")

    return format_row


# --------------------------------------------------------------------------------------
# Java toString() of the object PyFlink builds for a value of a declared type.
# --------------------------------------------------------------------------------------


def _java_formatter(t: TypeInformation) -> Formatter:
    """Returns ``value -> String.valueOf(javaObject(value))`` for values of type ``t``."""
    inner = _java_non_null_formatter(t)

    def format_value(value: Any) -> str:
        return "null" if value is None else inner(value)

    return format_value


def _java_non_null_formatter(t: TypeInformation) -> Formatter:
    if isinstance(t, BasicTypeInfo):
        return _BASIC_FORMATTERS[t._basic_type]
    if isinstance(t, TupleTypeInfo):
        return _tuple_formatter([_java_formatter(f) for f in t.get_field_types()])
    if isinstance(t, RowTypeInfo):
        return _java_row_formatter(t)
    if isinstance(t, ExternalTypeInfo):
        return _java_non_null_formatter(t._type_info)
    if isinstance(t, ListTypeInfo):
        return _sequence_formatter(_java_formatter(t.elem_type))
    if isinstance(t, MapTypeInfo):
        return _map_formatter(t)
    if isinstance(t, (BasicArrayTypeInfo, ObjectArrayTypeInfo)):
        return _sequence_formatter(_java_formatter(t._element_type))
    if isinstance(t, PrimitiveArrayTypeInfo):
        return _primitive_array_formatter(t._element_type)
    if isinstance(t, PickledBytesTypeInfo):
        return _pickle_bytes_to_string
    if isinstance(t, DateTypeInfo):
        return _sql_date_to_string
    if isinstance(t, TimeTypeInfo):
        return _sql_time_to_string
    if isinstance(t, TimestampTypeInfo):
        return _sql_timestamp_to_string
    if isinstance(t, LocalTimeTypeInfo):
        return _LOCAL_FORMATTERS[t._time_type]
    return str


def _tuple_formatter(fields: list[Formatter]) -> Formatter:
    """Java ``TupleN.toString``: ``(f0,f1,...)``, fields by ``arrayAwareToString``."""

    def format_tuple(value: Any) -> str:
        return (
            "(" + ",".join([field(item) for field, item in zip(fields, value, strict=False)]) + ")"
        )

    return format_tuple


def _java_row_formatter(t: RowTypeInfo) -> Formatter:
    """Java ``Row.toString``: ``+I[a, 1]`` (kind short string, fields joined by ``, ``)."""
    fields = [_java_formatter(f) for f in t.get_field_types()]
    names = t.get_field_names()
    kind_text = _KIND_TEXT

    def format_row(value: Any) -> str:
        if isinstance(value, Row):
            kind = kind_text[value._row_kind]
            row_names = value._fields
            if row_names is not None and all(name in row_names for name in names):
                values = [value[name] for name in names]
            else:
                values = value._values
        elif isinstance(value, dict):
            kind, values = kind_text[RowKind.INSERT], [value.get(name) for name in names]
        else:
            kind, values = kind_text[RowKind.INSERT], value
        return kind + "[" + ", ".join([f(v) for f, v in zip(fields, values, strict=False)]) + "]"

    return format_row


def _sequence_formatter(element: Formatter) -> Formatter:
    """Java ``List.toString`` / ``Arrays.deepToString``: ``[a, b]``."""

    def format_sequence(value: Any) -> str:
        return "[" + ", ".join([element(item) for item in value]) + "]"

    return format_sequence


def _map_formatter(t: MapTypeInfo) -> Formatter:
    """Java ``HashMap.toString``: ``{k=v, ...}`` in ``HashMap`` iteration order."""
    key_format = _java_formatter(t._key_type_info)
    value_format = _java_formatter(t._value_type_info)
    key_hash = java_hasher(t._key_type_info)

    def format_map(value: Any) -> str:
        items = list(value.items())
        if key_hash is not None:
            items = _java_hashmap_order(items, key_hash)
        return "{" + ", ".join([f"{key_format(k)}={value_format(v)}" for k, v in items]) + "}"

    return format_map


def _java_hashmap_order(
    items: list[tuple[Any, Any]], key_hash: Callable[[Any], int]
) -> list[tuple[Any, Any]]:
    """Orders entries as a Java ``HashMap`` filled with them in this order iterates them.

    Flink's ``MapSerializer`` sizes the map for its entries, so the table has the smallest
    power-of-two size ``n`` with ``len <= 0.75 * n``; iteration goes bucket by bucket
    (bucket = ``(h ^ (h >>> 16)) & (n - 1)``), in insertion order within a bucket.
    Buckets turned into trees (8+ colliding keys) are not modelled.
    """
    size = len(items)
    if size < 2:
        return items
    table = 1 << (size - 1).bit_length()
    while size > table * 3 // 4:
        table *= 2
    mask = table - 1

    def bucket(entry: tuple[Any, Any]) -> int:
        key = entry[0]
        h = 0 if key is None else key_hash(key) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & mask

    return sorted(items, key=bucket)


def _primitive_array_formatter(element_type: TypeInformation) -> Formatter:
    if isinstance(element_type, BasicTypeInfo) and element_type._basic_type is BasicType.BYTE:
        return _byte_array_to_string
    return _sequence_formatter(_java_formatter(element_type))


def _byte_array_to_string(value: Any) -> str:
    """Java ``Arrays.toString(byte[])``: signed bytes, ``[1, -2]``."""
    return "[" + ", ".join([str(to_int8(b)) for b in value]) + "]"


def _pickle_bytes_to_string(value: Any) -> str:
    """A pickled field is a Java ``byte[]``: Flink prints ``Arrays.toString`` of it."""
    return _byte_array_to_string(pickle.dumps(value, protocol=5))


def _string_to_string(value: Any) -> str:
    return value if value.__class__ is str else str(value)


def _boolean_to_string(value: Any) -> str:
    return "true" if value else "false"


def _integer_to_string(value: Any) -> str:
    return str(int(value))


def _big_decimal_to_string(value: Any) -> str:
    # Python's Decimal and Java's BigDecimal share the "to-scientific-string" rules.
    return str(value if isinstance(value, Decimal) else Decimal(str(value)))


def _fraction(nanos: int) -> str:
    """``java.time``'s fraction: none, 3, 6 or 9 digits, whichever is exact."""
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def _date_text(value: datetime.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _instant_to_string(value: Any) -> str:
    """Java ``Instant.toString`` (ISO-8601 in UTC, seconds always shown), e.g. ``...Z``."""
    if hasattr(value, "seconds") and hasattr(value, "nanos"):
        seconds, nanos = value.seconds, value.nanos
    else:
        seconds, millis = divmod(value.to_epoch_milli(), 1000)
        nanos = millis * 1_000_000
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
    return f"{_date_text(moment)}T{moment:%H:%M:%S}{_fraction(nanos)}Z"


def _sql_date_to_string(value: Any) -> str:
    """``java.sql.Date.toString``: ``yyyy-mm-dd``."""
    return _date_text(value)


def _sql_time_to_string(value: Any) -> str:
    """``java.sql.Time.toString``: ``hh:mm:ss`` (fractions dropped)."""
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"


def _sql_timestamp_to_string(value: Any) -> str:
    """``java.sql.Timestamp.toString``: ``yyyy-mm-dd hh:mm:ss.f`` (fraction trimmed, >= 1)."""
    nanos = f"{value.microsecond * 1000:09d}".rstrip("0") or "0"
    return f"{_date_text(value)} {_sql_time_to_string(value)}.{nanos}"


def _local_time_text(value: Any) -> str:
    """``LocalTime.toString``: ``HH:mm``, then ``:ss`` and a fraction when non-zero."""
    text = f"{value.hour:02d}:{value.minute:02d}"
    nanos = value.microsecond * 1000
    if value.second or nanos:
        text += f":{value.second:02d}{_fraction(nanos)}"
    return text


def _local_date_time_to_string(value: Any) -> str:
    return f"{_date_text(value)}T{_local_time_text(value)}"


_BASIC_FORMATTERS: dict[BasicType, Formatter] = {
    BasicType.STRING: _string_to_string,
    BasicType.BYTE: _integer_to_string,
    BasicType.BOOLEAN: _boolean_to_string,
    BasicType.SHORT: _integer_to_string,
    BasicType.INT: _integer_to_string,
    BasicType.LONG: _integer_to_string,
    BasicType.FLOAT: lambda v: java_float_to_string(float(v)),
    BasicType.DOUBLE: lambda v: java_double_to_string(float(v)),
    BasicType.CHAR: str,
    BasicType.BIG_INT: _integer_to_string,
    BasicType.BIG_DEC: _big_decimal_to_string,
    BasicType.INSTANT: _instant_to_string,
}

_LOCAL_FORMATTERS: dict[LocalTimeTypeInfo.TimeType, Formatter] = {
    LocalTimeTypeInfo.TimeType.LOCAL_DATE: _date_text,
    LocalTimeTypeInfo.TimeType.LOCAL_TIME: _local_time_text,
    LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME: _local_date_time_to_string,
}
