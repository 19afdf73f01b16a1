"""Type information: ``TypeInformation``, its subclasses and the ``Types`` factory.

Mirrors ``pyflink.common.typeinfo`` name for name. In kolk these are pure Python
descriptions of a stream's element type: they decide how records are hashed into key groups
and how ``print()`` renders them (as Java would render the Java object PyFlink builds).
Methods that only make sense with a JVM (``get_java_type_info``) raise
``NotImplementedError``.

Equality and ``repr`` are PyFlink's (``repr(Types.INT()) == 'Integer'``,
``RowTypeInfo`` equality ignores field names). Unlike PyFlink, whose classes define
``__eq__`` without ``__hash__`` and so are unhashable, every type here is hashable,
consistently with its equality, so that kolk can key caches by type.
"""

from __future__ import annotations

import calendar
import datetime
import time
from collections.abc import Sequence
from enum import Enum
from typing import Any

from kolk.common.time import Instant
from kolk.common.types import Row, RowKind

__all__ = [
    "BasicArrayTypeInfo",
    "BasicType",
    "BasicTypeInfo",
    "DateTypeInfo",
    "ExternalTypeInfo",
    "InstantTypeInfo",
    "ListTypeInfo",
    "LocalTimeTypeInfo",
    "MapTypeInfo",
    "ObjectArrayTypeInfo",
    "PickledBytesTypeInfo",
    "PrimitiveArrayTypeInfo",
    "RowTypeInfo",
    "SqlTimeTypeInfo",
    "TimeTypeInfo",
    "TimestampTypeInfo",
    "TupleTypeInfo",
    "TypeInformation",
    "Types",
]


class TypeInformation:
    """The type of the elements of a stream, or of a field of such an element.

    Subclasses describe basic types, arrays, rows, tuples, lists, maps and pickled Python
    objects. ``to_internal_type``/``from_internal_type`` convert between the Python value a
    user writes and the value PyFlink serializes (identity unless ``need_conversion()``).
    """

    def __init__(self) -> None:
        self._j_typeinfo = None

    def get_java_type_info(self) -> Any:
        """Not supported: kolk has no JVM.

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.get_java_type_info is not supported by kolk"
        )

    def need_conversion(self) -> bool:
        """Whether values need conversion between Python objects and internal values."""
        return False

    def to_internal_type(self, obj) -> Any:
        """Converts a Python object into an internal object (identity by default)."""
        return obj

    def from_internal_type(self, obj) -> Any:
        """Converts an internal object into a Python object (identity by default)."""
        return obj


class BasicType(Enum):
    """The basic Java types; the value is Java's class name, which is also the ``repr``."""

    STRING = "String"
    BYTE = "Byte"
    BOOLEAN = "Boolean"
    SHORT = "Short"
    INT = "Integer"
    LONG = "Long"
    FLOAT = "Float"
    DOUBLE = "Double"
    CHAR = "Char"
    BIG_INT = "BigInteger"
    BIG_DEC = "BigDecimal"
    INSTANT = "Instant"


class BasicTypeInfo(TypeInformation):
    """A basic type: primitives and their boxes, String, BigInteger, BigDecimal, Instant."""

    def __init__(self, basic_type: BasicType) -> None:
        super().__init__()
        self._basic_type = basic_type

    def __eq__(self, o) -> bool:
        return isinstance(o, BasicTypeInfo) and self._basic_type == o._basic_type

    def __hash__(self):
        return hash(("BasicTypeInfo", self._basic_type))

    def __repr__(self):
        return self._basic_type.value

    @staticmethod
    def STRING_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.STRING)

    @staticmethod
    def BOOLEAN_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.BOOLEAN)

    @staticmethod
    def BYTE_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.BYTE)

    @staticmethod
    def SHORT_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.SHORT)

    @staticmethod
    def INT_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.INT)

    @staticmethod
    def LONG_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.LONG)

    @staticmethod
    def FLOAT_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.FLOAT)

    @staticmethod
    def DOUBLE_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.DOUBLE)

    @staticmethod
    def CHAR_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.CHAR)

    @staticmethod
    def BIG_INT_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.BIG_INT)

    @staticmethod
    def BIG_DEC_TYPE_INFO() -> BasicTypeInfo:
        return BasicTypeInfo(BasicType.BIG_DEC)

    @staticmethod
    def INSTANT_TYPE_INFO() -> InstantTypeInfo:
        return InstantTypeInfo(BasicType.INSTANT)


class InstantTypeInfo(BasicTypeInfo):
    """``Instant``: internally microseconds since the epoch (millisecond precision)."""

    def __init__(self, basic_type: BasicType) -> None:
        super().__init__(basic_type)

    def need_conversion(self) -> bool:
        return True

    def to_internal_type(self, obj) -> Any:
        return obj.to_epoch_milli() * 1000

    def from_internal_type(self, obj) -> Any:
        return Instant.of_epoch_milli(obj // 1000)


class SqlTimeTypeInfo(TypeInformation):
    """Factories for the ``java.sql`` date, time and timestamp types."""

    @staticmethod
    def DATE() -> DateTypeInfo:
        return DateTypeInfo()

    @staticmethod
    def TIME() -> TimeTypeInfo:
        return TimeTypeInfo()

    @staticmethod
    def TIMESTAMP() -> TimestampTypeInfo:
        return TimestampTypeInfo()


class _ElementTypeInfo(TypeInformation):
    """Base of the array types: equal when of the same class and element type."""

    def __init__(self, element_type: TypeInformation) -> None:
        super().__init__()
        self._element_type = element_type

    def __eq__(self, o) -> bool:
        return type(o) is type(self) and self._element_type == o._element_type

    def __hash__(self):
        return hash((type(self).__name__, self._element_type))

    def __repr__(self) -> str:
        return f"{type(self).__name__}<{self._element_type!r}>"


class PrimitiveArrayTypeInfo(_ElementTypeInfo):
    """An array of a primitive type (``int[]``, ``double[]``, ...)."""


class BasicArrayTypeInfo(_ElementTypeInfo):
    """An array of a boxed basic type (``Integer[]``, ``String[]``, ...)."""


class ObjectArrayTypeInfo(_ElementTypeInfo):
    """An array of a non-primitive type; elements may be None."""


class PickledBytesTypeInfo(TypeInformation):
    """Any Python object, carried as its pickle (PyFlink's default element type)."""

    def __eq__(self, o: object) -> bool:
        return isinstance(o, PickledBytesTypeInfo)

    def __hash__(self):
        return hash("PickledByteArrayTypeInfo")

    def __repr__(self):
        return "PickledByteArrayTypeInfo"


def _default_field_names(count: int) -> list[str]:
    return [f"f{i}" for i in range(count)]


class RowTypeInfo(TypeInformation):
    """A :class:`~kolk.common.Row` with typed, optionally named fields.

    Unnamed fields are called ``f0``, ``f1``, ... (Java's default). Equality compares the
    field types only, as PyFlink's does.
    """

    def __init__(
        self, field_types: list[TypeInformation], field_names: list[str] | None = None
    ) -> None:
        super().__init__()
        self._field_types = field_types
        self._field_names = field_names
        self._need_conversion = [
            f.need_conversion() if isinstance(f, TypeInformation) else None for f in field_types
        ]
        self._need_serialize_any_field = any(self._need_conversion)

    def get_field_names(self) -> list[str]:
        """Returns the field names (``f0``, ``f1``, ... when none were given)."""
        return self._field_names or _default_field_names(len(self._field_types))

    def get_field_index(self, field_name: str) -> int:
        """Returns the position of a field, or -1 if there is no such field (Java's rule)."""
        names = self.get_field_names()
        return names.index(field_name) if field_name in names else -1

    def get_field_types(self) -> list[TypeInformation]:
        """Returns the field types."""
        return self._field_types

    def __eq__(self, other) -> bool:
        return isinstance(other, RowTypeInfo) and self._field_types == other._field_types

    def __hash__(self):
        return hash(("RowTypeInfo", tuple(self._field_types)))

    def __repr__(self) -> str:
        if self._field_names:
            inner = ", ".join(
                f"{name}: {field_type}"
                for name, field_type in zip(self._field_names, self._field_types, strict=False)
            )
        else:
            inner = ", ".join(str(field_type) for field_type in self._field_types)
        return f"RowTypeInfo({inner})"

    def need_conversion(self) -> bool:
        return True

    def to_internal_type(self, obj) -> Any:
        """Converts a row-like value to ``(row_kind_value, field, ...)``.

        Accepts a :class:`Row`, a dict or an object (fields read by name), or a tuple/list.

        Raises:
            ValueError: the value is none of those.
        """
        if obj is None:
            return None
        if isinstance(obj, Row):
            if obj._fields is not None:
                values = [obj[name] for name in self.get_field_names()]
            else:
                values = list(obj)
            kind = obj.get_row_kind().value
        elif isinstance(obj, dict):
            values = [obj.get(name) for name in self.get_field_names()]
            kind = RowKind.INSERT.value
        elif isinstance(obj, (tuple, list)):
            values = list(obj)
            kind = RowKind.INSERT.value
        elif hasattr(obj, "__dict__"):
            attributes = obj.__dict__
            values = [attributes.get(name) for name in self.get_field_names()]
            kind = RowKind.INSERT.value
        else:
            raise ValueError(f"Unexpected tuple {obj!r} with RowTypeInfo")
        if self._need_serialize_any_field:
            values = _convert_fields(self._field_types, self._need_conversion, values, True)
        return (kind, *values)

    def from_internal_type(self, obj) -> Any:
        if obj is None or isinstance(obj, (tuple, list)):
            return obj
        if self._need_serialize_any_field:
            return tuple(_convert_fields(self._field_types, self._need_conversion, obj, False))
        return tuple(obj)


class TupleTypeInfo(TypeInformation):
    """A Java ``TupleN`` with typed fields; Python values are tuples, lists or rows."""

    def __init__(self, field_types: list[TypeInformation]) -> None:
        super().__init__()
        self._field_types = field_types
        self._need_conversion = [
            f.need_conversion() if isinstance(f, TypeInformation) else None for f in field_types
        ]
        self._need_serialize_any_field = any(self._need_conversion)

    def get_field_types(self) -> list[TypeInformation]:
        """Returns the field types."""
        return self._field_types

    def need_conversion(self) -> bool:
        return True

    def to_internal_type(self, obj) -> Any:
        """Converts a tuple, list or row to a tuple of internal field values.

        Raises:
            ValueError: the value is not a tuple, list or row.
        """
        if obj is None:
            return None
        if not isinstance(obj, (list, tuple, Row)):
            raise ValueError(f"Unexpected tuple {obj!r} with TupleTypeInfo")
        if self._need_serialize_any_field:
            return tuple(_convert_fields(self._field_types, self._need_conversion, obj, True))
        return tuple(obj)

    def from_internal_type(self, obj) -> Any:
        if obj is None or isinstance(obj, (tuple, list)):
            return obj
        if self._need_serialize_any_field:
            return tuple(_convert_fields(self._field_types, self._need_conversion, obj, False))
        return tuple(obj)

    def __eq__(self, other) -> bool:
        return isinstance(other, TupleTypeInfo) and self._field_types == other._field_types

    def __hash__(self):
        return hash(("TupleTypeInfo", tuple(self._field_types)))

    def __repr__(self) -> str:
        return "TupleTypeInfo({})".format(", ".join(str(t) for t in self._field_types))


def _convert_fields(
    types: Sequence[TypeInformation], needs: Sequence[bool | None], values: Any, inbound: bool
) -> list[Any]:
    """Converts the fields that need it, into (``inbound``) or out of the internal form."""
    out = []
    for field_type, need, value in zip(types, needs, values, strict=False):
        if need:
            value = (
                field_type.to_internal_type(value)
                if inbound
                else field_type.from_internal_type(value)
            )
        out.append(value)
    return out


class DateTypeInfo(TypeInformation):
    """``java.sql.Date``: a ``datetime.date``, internally days since 1970-01-01."""

    EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()

    def __init__(self) -> None:
        super().__init__()

    def need_conversion(self) -> bool:
        return True

    def to_internal_type(self, d) -> Any:
        return None if d is None else d.toordinal() - self.EPOCH_ORDINAL

    def from_internal_type(self, v) -> Any:
        return None if v is None else datetime.date.fromordinal(v + self.EPOCH_ORDINAL)

    def __eq__(self, o: object) -> bool:
        return isinstance(o, DateTypeInfo)

    def __hash__(self):
        return hash("DateTypeInfo")

    def __repr__(self):
        return "DateTypeInfo"


_MICROS = 10**6


class TimeTypeInfo(TypeInformation):
    """``java.sql.Time``: a ``datetime.time``, internally microseconds of the day.

    Naive times are taken in the local time zone, as PyFlink does (``EPOCH_ORDINAL`` is the
    local zone's offset at the epoch in microseconds; 0 in UTC).
    """

    EPOCH_ORDINAL = calendar.timegm(time.localtime(0)) * _MICROS

    def need_conversion(self) -> bool:
        return True

    def to_internal_type(self, t) -> Any:
        if t is None:
            return None
        if t.tzinfo is not None:
            offset = t.utcoffset() or datetime.timedelta()
            offset_micros = (offset.days * 86_400 + offset.seconds) * _MICROS + offset.microseconds
        else:
            offset_micros = self.EPOCH_ORDINAL
        seconds = (t.hour * 60 + t.minute) * 60 + t.second
        return seconds * _MICROS + t.microsecond - offset_micros

    def from_internal_type(self, t) -> Any:
        if t is None:
            return None
        seconds, micros = divmod(t + self.EPOCH_ORDINAL, _MICROS)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return datetime.time(hours, minutes, seconds, micros)

    def __eq__(self, o: object) -> bool:
        return isinstance(o, TimeTypeInfo)

    def __hash__(self):
        return hash("TimeTypeInfo")

    def __repr__(self) -> str:
        return "TimeTypeInfo"


class TimestampTypeInfo(TypeInformation):
    """``java.sql.Timestamp``: a ``datetime.datetime``, internally epoch microseconds.

    Naive datetimes are local time, as in PyFlink.
    """

    def need_conversion(self) -> bool:
        return True

    def to_internal_type(self, dt) -> Any:
        if dt is None:
            return None
        if dt.tzinfo is not None:
            seconds = calendar.timegm(dt.utctimetuple())
        else:
            seconds = int(time.mktime(dt.timetuple()))
        return seconds * _MICROS + dt.microsecond

    def from_internal_type(self, ts) -> Any:
        if ts is None:
            return None
        seconds, micros = divmod(ts, _MICROS)
        return datetime.datetime.fromtimestamp(seconds).replace(microsecond=micros)

    def __eq__(self, o: object) -> bool:
        return isinstance(o, TimestampTypeInfo)

    def __hash__(self):
        return hash("TimestampTypeInfo")

    def __repr__(self):
        return "TimestampTypeInfo"


class ListTypeInfo(TypeInformation):
    """A ``java.util.List`` of one element type; Python values are lists."""

    def __init__(self, element_type: TypeInformation) -> None:
        super().__init__()
        self.elem_type = element_type

    def __eq__(self, other):
        return isinstance(other, ListTypeInfo) and self.elem_type == other.elem_type

    def __hash__(self):
        return hash(("ListTypeInfo", self.elem_type))

    def __repr__(self):
        return f"ListTypeInfo<{self.elem_type!r}>"


class MapTypeInfo(TypeInformation):
    """A ``java.util.Map`` (a ``HashMap`` on the Java side); Python values are dicts."""

    def __init__(self, key_type_info: TypeInformation, value_type_info: TypeInformation) -> None:
        super().__init__()
        self._key_type_info = key_type_info
        self._value_type_info = value_type_info

    def __eq__(self, other):
        return (
            isinstance(other, MapTypeInfo)
            and self._key_type_info == other._key_type_info
            and self._value_type_info == other._value_type_info
        )

    def __hash__(self):
        return hash(("MapTypeInfo", self._key_type_info, self._value_type_info))

    def __repr__(self) -> str:
        return f"MapTypeInfo<{self._key_type_info!r}, {self._value_type_info!r}>"


class LocalTimeTypeInfo(TypeInformation):
    """``java.time.LocalDate``, ``LocalTime`` or ``LocalDateTime``."""

    class TimeType(Enum):
        """Which of the three ``java.time`` local types."""

        LOCAL_DATE = 0
        LOCAL_TIME = 1
        LOCAL_DATE_TIME = 2

    def __init__(self, time_type: LocalTimeTypeInfo.TimeType) -> None:
        super().__init__()
        self._time_type = time_type

    def __eq__(self, other):
        return self.__class__ == other.__class__ and self._time_type == other._time_type

    def __hash__(self):
        return hash(("LocalTimeTypeInfo", self._time_type))

    def __repr__(self):
        return f"LocalTimeTypeInfo<{self._time_type.name}>"


class ExternalTypeInfo(TypeInformation):
    """A Table-API external type wrapping another type; printed like a row."""

    def __init__(self, type_info: TypeInformation) -> None:
        super().__init__()
        self._type_info = type_info

    def __eq__(self, other):
        return self.__class__ == other.__class__ and self._type_info == other._type_info

    def __hash__(self):
        return hash(("ExternalTypeInfo", self._type_info))

    def __repr__(self):
        return f"ExternalTypeInfo<{self._type_info!r}>"


class Types:
    """Factories for the type information of the common types (PyFlink's ``Types``)."""

    @staticmethod
    def STRING() -> TypeInformation:
        """String; supports None."""
        return BasicTypeInfo.STRING_TYPE_INFO()

    @staticmethod
    def BYTE() -> TypeInformation:
        """Java byte; does not support None."""
        return BasicTypeInfo.BYTE_TYPE_INFO()

    @staticmethod
    def BOOLEAN() -> TypeInformation:
        """Java boolean; does not support None."""
        return BasicTypeInfo.BOOLEAN_TYPE_INFO()

    @staticmethod
    def SHORT() -> TypeInformation:
        """Java short; does not support None."""
        return BasicTypeInfo.SHORT_TYPE_INFO()

    @staticmethod
    def INT() -> TypeInformation:
        """Java int; does not support None."""
        return BasicTypeInfo.INT_TYPE_INFO()

    @staticmethod
    def LONG() -> TypeInformation:
        """Java long; does not support None."""
        return BasicTypeInfo.LONG_TYPE_INFO()

    @staticmethod
    def FLOAT() -> TypeInformation:
        """Java float (single precision); does not support None."""
        return BasicTypeInfo.FLOAT_TYPE_INFO()

    @staticmethod
    def DOUBLE() -> TypeInformation:
        """Java double; does not support None."""
        return BasicTypeInfo.DOUBLE_TYPE_INFO()

    @staticmethod
    def CHAR() -> TypeInformation:
        """Java char (a one-character str); does not support None."""
        return BasicTypeInfo.CHAR_TYPE_INFO()

    @staticmethod
    def BIG_INT() -> TypeInformation:
        """BigInteger (a Python int); supports None."""
        return BasicTypeInfo.BIG_INT_TYPE_INFO()

    @staticmethod
    def BIG_DEC() -> TypeInformation:
        """BigDecimal (a ``decimal.Decimal``); supports None."""
        return BasicTypeInfo.BIG_DEC_TYPE_INFO()

    @staticmethod
    def INSTANT() -> TypeInformation:
        """Instant (a :class:`~kolk.common.Instant`); supports None."""
        return BasicTypeInfo.INSTANT_TYPE_INFO()

    @staticmethod
    def SQL_DATE() -> TypeInformation:
        """``java.sql.Date`` (a ``datetime.date``); supports None."""
        return SqlTimeTypeInfo.DATE()

    @staticmethod
    def SQL_TIME() -> TypeInformation:
        """``java.sql.Time`` (a ``datetime.time``); supports None."""
        return SqlTimeTypeInfo.TIME()

    @staticmethod
    def SQL_TIMESTAMP() -> TypeInformation:
        """``java.sql.Timestamp`` (a ``datetime.datetime``); supports None."""
        return SqlTimeTypeInfo.TIMESTAMP()

    @staticmethod
    def PICKLED_BYTE_ARRAY() -> TypeInformation:
        """Any Python object, serialized with pickle (the default when no type is given)."""
        return PickledBytesTypeInfo()

    @staticmethod
    def ROW(field_types: list[TypeInformation]) -> RowTypeInfo:
        """A row with fields of the given types; the row itself must not be None."""
        return RowTypeInfo(field_types)

    @staticmethod
    def ROW_NAMED(field_names: list[str], field_types: list[TypeInformation]) -> RowTypeInfo:
        """A row with the given field names and types; the row must not be None."""
        return RowTypeInfo(field_types, field_names)

    @staticmethod
    def TUPLE(field_types: list[TypeInformation]) -> TupleTypeInfo:
        """A Java tuple with fields of the given types; the tuple must not be None."""
        return TupleTypeInfo(field_types)

    @staticmethod
    def PRIMITIVE_ARRAY(element_type: TypeInformation) -> PrimitiveArrayTypeInfo:
        """An array of a primitive type, such as ``int[]``; the array must not be None."""
        return PrimitiveArrayTypeInfo(element_type)

    @staticmethod
    def BASIC_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of a boxed basic type, such as ``Integer[]``."""
        return BasicArrayTypeInfo(element_type)

    @staticmethod
    def OBJECT_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of non-primitive elements; elements may be None, the array may not."""
        return ObjectArrayTypeInfo(element_type)

    @staticmethod
    def MAP(key_type_info: TypeInformation, value_type_info: TypeInformation) -> TypeInformation:
        """A map from keys of one type to values of another."""
        return MapTypeInfo(key_type_info, value_type_info)

    @staticmethod
    def LIST(element_type_info: TypeInformation) -> TypeInformation:
        """A list of elements of one type."""
        return ListTypeInfo(element_type_info)
