"""Key groups: where a key lives (Flink's ``KeyGroupRangeAssignment``, PyFlink's key hash).

A keyed stream's keys are hashed into ``max_parallelism`` *key groups*; each subtask owns a
contiguous :class:`KeyGroupRange`, and keyed state is organised by key group so that it can
be redistributed when the parallelism changes::

    key ──key_hash──► Java int ──murmur_hash──► % max_parallelism ──► key group
    key group * parallelism // max_parallelism ──► subtask index

``key_hash`` is the ``hashCode()`` of the Java object PyFlink builds for the key, so that
every key lands on the subtask it lands on in PyFlink (process mode). PyFlink's
``key_by`` hands Java a one-field ``Row(key)`` and Java hashes that row
(``RowUtils.deepHashCodeRow``)::

    Row(kind=INSERT){key}.hashCode() = 31 * 0 + (31 * 1 + deepHash(key))
    deepHash(x) = 31 + x.hashCode()          for a plain object (Arrays.deepHashCode({x}))

* No key type (or ``Types.PICKLED_BYTE_ARRAY()``): the key is ``pickle.dumps(key, 5)``
  as a ``byte[]``, so the hash is ``Arrays.hashCode(bytes) + 62``.
* A basic type: the Java value's ``hashCode() + 62`` (``String.hashCode`` over UTF-16
  units, ``Long``'s ``(int) (v ^ (v >>> 32))``, ``Boolean``'s 1231/1237, ...).
* ``Types.TUPLE``: Java's ``TupleN.hashCode`` (``h = 31 * h + hash(f_i)``, from
  ``hash(f0)``) ``+ 62``; ``Types.ROW``: ``Row.hashCode`` (``31 * kind`` plus the deep
  hash of the fields) ``+ 62``; lists, maps and arrays follow ``RowUtils``' deep hashes.
* Types whose Java hash kolk cannot reproduce — ``BIG_DEC``, ``INSTANT``, the date and
  time types, and arrays or pickled values inside a tuple (``TupleN.hashCode`` hashes
  those by identity, so Flink's own placement is not reproducible) — fall back to the
  pickled hash.

Pickles are deterministic for str, int, float, bytes, tuples, lists and dicts, whatever
``PYTHONHASHSEED`` is; a set's pickle follows its iteration order, which is salted for str
elements, so set keys are only stable within one process. ``kolk.common.Row`` keys pickle
with kolk's module path and so hash differently from PyFlink's rows.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kolk._util.java import (
    java_bigint_hash,
    java_boolean_hash,
    java_bytes_hash,
    java_double_hash,
    java_float_hash,
    java_long_hash,
    java_string_hash,
    murmur_hash,
    to_int8,
    to_int32,
)
from kolk.common.typeinfo import (
    BasicArrayTypeInfo,
    BasicType,
    BasicTypeInfo,
    ListTypeInfo,
    MapTypeInfo,
    ObjectArrayTypeInfo,
    PickledBytesTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    TupleTypeInfo,
    TypeInformation,
)
from kolk.common.types import Row, RowKind

__all__ = [
    "DEFAULT_LOWER_BOUND_MAX_PARALLELISM",
    "UPPER_BOUND_MAX_PARALLELISM",
    "KeyGroupAssigner",
    "KeyGroupRange",
    "assign_key_to_parallel_operator",
    "assign_to_key_group",
    "compute_default_max_parallelism",
    "java_hasher",
    "key_group_range_for_subtask",
    "key_hash",
    "operator_index_for_key_group",
    "round_up_to_power_of_two",
]

#: Flink's ``KeyGroupRangeAssignment`` bounds for the default max parallelism.
DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128
UPPER_BOUND_MAX_PARALLELISM = 32768

#: Entries the :class:`KeyGroupAssigner` cache may hold before it is cleared.
_CACHE_LIMIT = 100_000

#: The pickle protocol PyFlink's key serialization uses (cloudpickle's default).
_PICKLE_PROTOCOL = 5

#: The hash of a None key of a declared type: PyFlink's key is then ``Row(null)``, whose
#: ``hashCode`` is 0 + 62. (Without a declared type, None is pickled like any other key.)
_NULL_TYPED_KEY_HASH = 62

Hasher = Callable[[Any], int]


def round_up_to_power_of_two(x: int) -> int:
    """Returns the smallest power of two >= ``x`` (Flink's ``MathUtils``); 0 for 0."""
    return 1 << (x - 1).bit_length() if x > 0 else 0


def compute_default_max_parallelism(operator_parallelism: int) -> int:
    """Flink's default max parallelism: ``min(max(pow2(p + p // 2), 128), 32768)``.

    Raises:
        ValueError: the parallelism is not in ``[1, 32768]``.
    """
    _check_parallelism(operator_parallelism)
    p = operator_parallelism
    return min(
        max(round_up_to_power_of_two(p + p // 2), DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
        UPPER_BOUND_MAX_PARALLELISM,
    )


def _check_parallelism(parallelism: int) -> None:
    if not 0 < parallelism <= UPPER_BOUND_MAX_PARALLELISM:
        raise ValueError(
            f"Operator parallelism not within bounds: {parallelism} "
            f"(must be between 1 and {UPPER_BOUND_MAX_PARALLELISM})"
        )


@dataclass(frozen=True, slots=True)
class KeyGroupRange:
    """The key groups ``start..end`` (both inclusive) that one subtask owns.

    Invariant: ``start >= 0`` and ``end >= start - 1``; ``end == start - 1`` is the empty
    range (Flink's ``EMPTY_KEY_GROUP_RANGE`` is ``KeyGroupRange(0, -1)``).
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start - 1:
            raise ValueError(f"invalid key group range [{self.start}, {self.end}]")

    @classmethod
    def empty(cls) -> KeyGroupRange:
        """Returns the empty range."""
        return cls(0, -1)

    def intersection(self, other: KeyGroupRange) -> KeyGroupRange:
        """Returns the key groups in both ranges (the empty range if none)."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return KeyGroupRange(start, end) if start <= end else KeyGroupRange.empty()

    def __contains__(self, key_group: object) -> bool:
        return isinstance(key_group, int) and self.start <= key_group <= self.end

    def __len__(self) -> int:
        return self.end - self.start + 1

    def __iter__(self) -> Any:
        return iter(range(self.start, self.end + 1))


def key_group_range_for_subtask(
    max_parallelism: int, parallelism: int, operator_index: int
) -> KeyGroupRange:
    """The key groups subtask ``operator_index`` owns (Flink's ``computeKeyGroupRange...``).

    Raises:
        ValueError: ``max_parallelism < parallelism`` or the index is out of range.
    """
    _check_parallelism(parallelism)
    if max_parallelism < parallelism:
        raise ValueError("Maximum parallelism must not be smaller than parallelism.")
    if not 0 <= operator_index < parallelism:
        raise ValueError(f"operator index {operator_index} not in [0, {parallelism})")
    start = (operator_index * max_parallelism + parallelism - 1) // parallelism
    end = ((operator_index + 1) * max_parallelism - 1) // parallelism
    return KeyGroupRange(start, end)


def operator_index_for_key_group(max_parallelism: int, parallelism: int, key_group: int) -> int:
    """The subtask that owns ``key_group``: ``key_group * parallelism // max_parallelism``."""
    return key_group * parallelism // max_parallelism


def key_hash(key: Any, key_type: TypeInformation | None = None) -> int:
    """The Java ``hashCode()`` PyFlink's key-by computes for ``key`` (see the module doc).

    Args:
        key: the key a key selector returned; None is a valid key, as in PyFlink (pickled,
            or ``Row(null)`` for a declared key type).
        key_type: the ``key_type`` given to ``key_by``; None means pickled.

    Raises:
        ValueError: ``key`` does not fit the declared Java type.
        TypeError: ``key`` does not match the declared type, or cannot be pickled.
    """
    if key is None and key_type is not None:
        return _NULL_TYPED_KEY_HASH
    return _key_hasher(key_type)(key)


def assign_to_key_group(
    key: Any, max_parallelism: int, key_type: TypeInformation | None = None
) -> int:
    """The key group of ``key``: ``murmur_hash(key_hash(key)) % max_parallelism``."""
    return murmur_hash(key_hash(key, key_type)) % max_parallelism


def assign_key_to_parallel_operator(
    key: Any, max_parallelism: int, parallelism: int, key_type: TypeInformation | None = None
) -> int:
    """The subtask index ``key`` is sent to (Flink's ``assignKeyToParallelOperator``)."""
    key_group = assign_to_key_group(key, max_parallelism, key_type)
    return operator_index_for_key_group(max_parallelism, parallelism, key_group)


class KeyGroupAssigner:
    """Assigns keys to key groups for one keyed stream; fast on the hot path.

    Results for keys whose exact type is ``str`` or ``int``, and for tuples of such values,
    are cached (bools and floats are never cached: ``1``, ``True`` and ``1.0`` are equal in
    Python but pickle differently, so they must not share an entry). The cache is cleared
    when it exceeds 100,000 entries. Other keys, including unhashable ones, are hashed
    every time.

    Threading model: not thread-safe; each task owns its assigner.
    """

    __slots__ = ("_cache", "_hasher", "key_type", "max_parallelism")

    def __init__(self, max_parallelism: int, key_type: TypeInformation | None = None) -> None:
        """Creates an assigner.

        Args:
            max_parallelism: the number of key groups (>= 1).
            key_type: the ``key_type`` given to ``key_by``; None means pickled.

        Raises:
            ValueError: ``max_parallelism`` is not positive.
        """
        if max_parallelism < 1:
            raise ValueError(f"max parallelism must be positive, got {max_parallelism}")
        self.max_parallelism = max_parallelism
        self.key_type = key_type
        self._hasher = _key_hasher(key_type)
        self._cache: dict[Any, int] = {}

    def assign(self, key: Any) -> int:
        """Returns the key group of ``key``.

        Raises:
            ValueError: ``key`` is None (the key selector returned None).
        """
        cls = key.__class__
        if cls is str or cls is int:
            cached = self._cache.get(key)
            return cached if cached is not None else self._compute(key, True)
        if cls is tuple:
            for item in key:
                item_cls = item.__class__
                if item_cls is not str and item_cls is not int:
                    return self._compute(key, False)
            cached = self._cache.get(key)
            return cached if cached is not None else self._compute(key, True)
        return self._compute(key, False)

    @property
    def str_cache_get(self) -> Callable[[Any], int | None]:
        """The cache's ``get``, for callers that batch keys whose class is exactly ``str``.

        Returns the cached key group, or None on a miss (then call :meth:`assign`). Safe only
        for exact ``str`` keys: no other cached key equals a str. The cache is only ever
        cleared in place, so the bound method stays valid for the assigner's life.
        """
        return self._cache.get

    @property
    def str_cache(self) -> dict[Any, int]:
        """The cache itself (key → key group), read only, for callers that look up a batch of
        exact ``str`` keys at C speed (``map(cache.__getitem__, keys)``, or native code); the
        rules of :attr:`str_cache_get` apply: a miss means "call :meth:`assign`"."""
        return self._cache

    def operator_index(self, key: Any, parallelism: int) -> int:
        """Returns the subtask index (of ``parallelism``) that ``key`` is sent to."""
        return self.assign(key) * parallelism // self.max_parallelism

    def _compute(self, key: Any, cacheable: bool) -> int:
        if key is None and self.key_type is not None:
            key_group = murmur_hash(_NULL_TYPED_KEY_HASH) % self.max_parallelism
        else:
            key_group = murmur_hash(self._hasher(key)) % self.max_parallelism
        if cacheable:
            cache = self._cache
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[key] = key_group
        return key_group


# --------------------------------------------------------------------------------------
# Java hashCode of the object PyFlink builds for a key of a declared type.
# --------------------------------------------------------------------------------------


def java_hasher(type_info: TypeInformation) -> Hasher | None:
    """Returns Java's ``hashCode()`` for non-null values of ``type_info``, or None.

    None means kolk cannot reproduce the hash (identity-hashed arrays and ``byte[]``,
    ``BIG_DEC``, ``INSTANT``, date and time types). Used for keys and for ordering maps as
    Java's ``HashMap`` does.
    """
    return _shallow_hasher(type_info)


def _key_hasher(key_type: TypeInformation | None) -> Hasher:
    """Returns ``key -> Row(1){key}.hashCode()`` for keys of ``key_type``."""
    if key_type is None or isinstance(key_type, PickledBytesTypeInfo):
        return _pickled_key_hash
    deep = _deep_hasher(key_type)
    if deep is None:
        return _pickled_key_hash
    return lambda key: to_int32(31 + deep(key))


def _pickled_key_hash(key: Any) -> int:
    return to_int32(java_bytes_hash(_pickle_key(key)) + 62)


def _pickle_key(value: Any) -> bytes:
    try:
        return pickle.dumps(value, protocol=_PICKLE_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise TypeError(
            f"the key {value!r} ({type(value).__name__}) cannot be pickled, so it cannot be "
            "hashed to a key group as PyFlink does; return a str, int or tuple from the key "
            "selector, or declare key_type"
        ) from exc


def _int_checker(bits: int, type_name: str) -> Callable[[Any], int]:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def check(value: Any) -> int:
        if not isinstance(value, int):
            raise TypeError(f"expected an int for Types.{type_name}(), got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{value} does not fit Types.{type_name}() [{low}, {high}]")
        return value

    return check


_as_byte = _int_checker(8, "BYTE")
_as_short = _int_checker(16, "SHORT")
_as_int = _int_checker(32, "INT")
_as_long = _int_checker(64, "LONG")


def _string_hash(value: Any) -> int:
    if not isinstance(value, str):
        raise TypeError(f"expected a str for Types.STRING(), got {value!r}")
    return java_string_hash(value)


def _char_hash(value: Any) -> int:
    if not isinstance(value, str) or len(value) != 1:
        raise TypeError(f"expected a one-character str for Types.CHAR(), got {value!r}")
    return ord(value)


def _bigint_hash(value: Any) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected an int for Types.BIG_INT(), got {value!r}")
    return java_bigint_hash(value)


#: ``hashCode()`` of the boxed Java value, per basic type; absent types are unsupported.
_BASIC_HASHERS: dict[BasicType, Hasher] = {
    BasicType.STRING: _string_hash,
    BasicType.BYTE: _as_byte,
    BasicType.SHORT: _as_short,
    BasicType.INT: _as_int,
    BasicType.LONG: lambda v: java_long_hash(_as_long(v)),
    BasicType.BOOLEAN: lambda v: java_boolean_hash(bool(v)),
    BasicType.FLOAT: lambda v: java_float_hash(float(v)),
    BasicType.DOUBLE: lambda v: java_double_hash(float(v)),
    BasicType.CHAR: _char_hash,
    BasicType.BIG_INT: _bigint_hash,
}

#: Element hash of a primitive array (``Arrays.hashCode(int[])`` and friends).
_PRIMITIVE_ELEMENT_HASHERS: dict[BasicType, Hasher] = {
    BasicType.BYTE: lambda v: to_int8(v),
    BasicType.SHORT: _as_short,
    BasicType.INT: _as_int,
    BasicType.LONG: lambda v: java_long_hash(_as_long(v)),
    BasicType.BOOLEAN: lambda v: java_boolean_hash(bool(v)),
    BasicType.FLOAT: lambda v: java_float_hash(float(v)),
    BasicType.DOUBLE: lambda v: java_double_hash(float(v)),
    BasicType.CHAR: _char_hash,
}


def _fold31(element: Hasher) -> Hasher:
    """``h = 1; h = 31 * h + hash(e)`` over a sequence, None elements hashing to 0."""

    def fold(values: Any) -> int:
        h = 1
        for value in values:
            h = (31 * h + (0 if value is None else element(value))) & 0xFFFFFFFF
        return to_int32(h)

    return fold


def _shallow_hasher(t: TypeInformation) -> Hasher | None:
    """Java's ``hashCode()`` of a non-null value of type ``t``, or None if not reproducible."""
    if isinstance(t, BasicTypeInfo):
        return _BASIC_HASHERS.get(t._basic_type)
    if isinstance(t, TupleTypeInfo):
        fields = [_shallow_hasher(f) for f in t.get_field_types()]
        if any(f is None for f in fields):
            return None
        return _tuple_hasher(fields)  # type: ignore[arg-type]
    if isinstance(t, RowTypeInfo):
        deep_fields = [_deep_hasher(f) for f in t.get_field_types()]
        if any(f is None for f in deep_fields):
            return None
        return _row_hasher(t, deep_fields)  # type: ignore[arg-type]
    if isinstance(t, ListTypeInfo):
        element = _shallow_hasher(t.elem_type)
        return None if element is None else _fold31(element)
    if isinstance(t, MapTypeInfo):
        key = _shallow_hasher(t._key_type_info)
        value = _shallow_hasher(t._value_type_info)
        return None if key is None or value is None else _map_hasher(key, value, 0)
    # Arrays and pickled byte[] hash by identity in Java; the rest is not reproduced.
    return None


def _deep_hasher(t: TypeInformation) -> Hasher | None:
    """``RowUtils.deepHashCodeInternal`` of a non-null value of type ``t``, or None."""
    if isinstance(t, (BasicArrayTypeInfo, ObjectArrayTypeInfo)):  # Java Object[]
        element = _deep_hasher(t._element_type)
        return None if element is None else _fold31(element)
    if isinstance(t, ListTypeInfo):
        element = _deep_hasher(t.elem_type)
        return None if element is None else _fold31(element)
    if isinstance(t, MapTypeInfo):
        key = _deep_hasher(t._key_type_info)
        value = _deep_hasher(t._value_type_info)
        return None if key is None or value is None else _map_hasher(key, value, 1)
    if isinstance(t, PickledBytesTypeInfo):
        return lambda value: 31 + java_bytes_hash(_pickle_key(value))
    if isinstance(t, PrimitiveArrayTypeInfo):
        element_type = t._element_type
        if not isinstance(element_type, BasicTypeInfo):
            return None
        if element_type._basic_type is BasicType.BYTE:
            return lambda value: 31 + _byte_array_hash(value)
        element = _PRIMITIVE_ELEMENT_HASHERS.get(element_type._basic_type)
        if element is None:
            return None
        fold = _fold31(element)
        return lambda value: 31 + fold(value)
    shallow = _shallow_hasher(t)
    if shallow is None:
        return None
    return lambda value: 31 + shallow(value)


def _byte_array_hash(value: Any) -> int:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return java_bytes_hash(value)
    return _fold31(lambda v: to_int8(v))(value)


def _tuple_hasher(fields: list[Hasher]) -> Hasher:
    """Java ``TupleN.hashCode``: ``h = hash(f0); h = 31 * h + hash(f_i)``, null as 0."""

    def tuple_hash(value: Any) -> int:
        if not isinstance(value, (tuple, list, Row)):
            raise TypeError(f"expected a tuple for a Types.TUPLE key, got {value!r}")
        h = 0
        for field, item in zip(fields, value, strict=False):
            h = (31 * h + (0 if item is None else field(item))) & 0xFFFFFFFF
        return to_int32(h)

    return tuple_hash


def _row_hasher(row_type: RowTypeInfo, deep_fields: list[Hasher]) -> Hasher:
    """Java ``Row.hashCode``: ``31 * kind + deepHashCodeArray(fields)``."""
    names = row_type.get_field_names()
    fold = _fold31_pairs(deep_fields)

    def row_hash(value: Any) -> int:
        kind, values = _row_kind_and_values(value, names)
        return to_int32(31 * kind + fold(values))

    return row_hash


def _fold31_pairs(hashers: list[Hasher]) -> Hasher:
    def fold(values: Any) -> int:
        h = 1
        for hasher, value in zip(hashers, values, strict=False):
            h = (31 * h + (0 if value is None else hasher(value))) & 0xFFFFFFFF
        return to_int32(h)

    return fold


def _row_kind_and_values(value: Any, names: list[str]) -> tuple[int, list[Any]]:
    """The row kind byte and the field values PyFlink's row serializer would send."""
    if isinstance(value, Row):
        fields = value._fields
        if fields is not None and all(name in fields for name in names):
            return value.get_row_kind().value, [value[name] for name in names]
        return value.get_row_kind().value, list(value)
    if isinstance(value, dict):
        return RowKind.INSERT.value, [value.get(name) for name in names]
    if isinstance(value, (tuple, list)):
        return RowKind.INSERT.value, list(value)
    raise TypeError(f"expected a Row for a Types.ROW key, got {value!r}")


def _map_hasher(key: Hasher, value: Hasher, start: int) -> Hasher:
    """Sum over entries of ``hash(k) ^ hash(v)``: ``HashMap`` (start 0) or ``RowUtils`` (1)."""

    def map_hash(mapping: Any) -> int:
        h = start
        for k, v in mapping.items():
            h += (0 if k is None else key(k)) ^ (0 if v is None else value(v))
        return to_int32(h)

    return map_hash
