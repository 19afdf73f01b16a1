"""Buffers as bytes: one encoding per buffer for channels that cross a process boundary.

In process a :class:`~kolk._runtime.network.buffer.Buffer` holds record references and is
never serialized. Between processes a :class:`BufferCodec` turns a whole buffer into one
payload and back (DESIGN.md §4: "typed fast path or one pickle per buffer, never record by
record"). The transport frames the payload; the sequence number and the backlog travel in
its frame header, not here.

Payload: a 2-byte header ``encoding:u8, flush_reason:u8``, then the body. ``encoding`` says
how the body was written, so decoding never guesses:

- ``DATA_PICKLE``: ``pickle.dumps((records, timestamps), 5)``; any picklable records. For a
  *flat* declared type (a string, boolean or number type, or tuples of them, e.g.
  ``Types.TUPLE([Types.STRING(), Types.LONG()])``) the pickler runs in ``fast`` mode: no
  memo, so an object referenced twice is written twice. That is what Flink's serializers do
  (each record on its own, field by field); it can only differ for a mutable object that one
  record holds twice, which a flat type has none of. A record that fast mode cannot write (a
  cycle) is pickled with the memo instead. Values pickled by reference to their class
  (``Decimal``, ``Row``, ``RowKind``, dates) are not flat: without the memo the class would be
  written once per value (rows: 5x slower).
- ``DATA_FLAT``: the same records and timestamps in the C extension ``_flat``'s format (tagged
  values: None, bool, 64-bit int, float, UTF-8 str, tuples of them; see ``_flat.c``), for a
  flat declared type when the extension is built (``native.py``). Values it cannot carry (an
  int beyond 64 bits, a str with a lone surrogate, any other type) send the buffer by pickle.
  The decoded tuples are untracked by the garbage collector (they hold atomic values only).
- ``DATA_STRINGS``: ``marshal.dumps(records)``, every record an exact ``str``;
  ``DATA_STRINGS_TS`` adds timestamps: ``length:u32``, the marshal, ``pickle.dumps(timestamps)``.
- ``DATA_ROWS``: every record an exact :class:`~kolk.common.types.Row`, sent as columns,
  ``pickle.dumps((field_names, values, kinds, timestamps), 5)``, and rebuilt with the state
  ``Row.__reduce__`` carries (names, values, kind) without running ``Row.__init__``.
- ``EVENT_END_OF_PARTITION``: no body; decodes to the ``END_OF_PARTITION`` singleton.
- ``EVENT_PICKLE``: any other event (``Watermark``, ``WatermarkStatus``), pickled.

``keys`` and ``key_groups`` are not sent: the keyed consumer computes them from the records,
as Flink calls the key selector on both sides.

Measured (benchmarks/bench_serialization.py, 1,024 records, ns/record encode/decode, codec vs
plain pickle): str 23/35 vs 41/52; Row(name, age, score) 388/843 vs 1,055/3,138;
``(str, int)`` declared flat, fast mode against the memo: 45% less to encode, 25% less to
decode (the memo's table and its growth are what fast mode saves); the C extension: see
benchmarks/README.md.

Why only strings use ``marshal``: marshal writes *any* object exporting the buffer protocol
(``bytearray``, ``memoryview``, ``array.array``, NumPy arrays and scalars such as
``numpy.float64``) as ``bytes``, so it is lossless only after a walk checking every value's
exact type. For strings that check is one ``"".join`` (7 ns/record); for tuples, numbers or
lists it costs more than marshal saves (``(str, int)``: marshal with the check 156/80 vs
pickle 98/100; ints and floats pickle as fast as marshal). Fast mode is kept to flat declared
types: for undeclared records it would write a shared object once per reference (a document
shared by all its words would be sent once per word) and refuse cycles; a reused ``Pickler``
saved under 10% and would make the codec stateful. Events other than the end of partition are
pickled (a ``Watermark``: 2.6/1.7 µs, 87 bytes): a compact struct needs the ``Watermark``
class, which the network package may not import (the independence contract in
pyproject.toml); encoding slotted events by a cached class reference saved under 1 µs.

Threading model: a codec is immutable after construction; ``encode`` and ``decode`` may run
in any thread.

Life cycle: the deployment builds one codec per channel that crosses processes, from the
producer's declared output type; both ends build an equal codec. Payloads come from the job's
own processes and are trusted (they are unpickled).
"""

from __future__ import annotations

import io
import marshal
import pickle
import struct
from operator import attrgetter
from typing import Any, NoReturn

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer, FlushReason
from kolk._runtime.network.native import native_extension
from kolk.common.typeinfo import (
    BasicType,
    BasicTypeInfo,
    PickledBytesTypeInfo,
    RowTypeInfo,
    TupleTypeInfo,
    TypeInformation,
)
from kolk.common.types import Row
from kolk.util.exceptions import KolkError, KolkInternalError

__all__ = ["BufferCodec", "RecordSerializationError"]


class RecordSerializationError(KolkError):
    """A record could not be serialized to cross a process boundary.

    The message names the operator, the edge, the record's position in its buffer and its
    type, and says what to change; ``__cause__`` is pickle's error for that record.
    """


_DATA_PICKLE = 1
_DATA_STRINGS = 2
_DATA_STRINGS_TS = 3
_DATA_ROWS = 4
_DATA_FLAT = 5
_EVENT_END_OF_PARTITION = 16
_EVENT_PICKLE = 17

_PROTOCOL = 5
_HEADER = struct.Struct("<BB")
_LENGTH = struct.Struct("<I")
_BODY = _HEADER.size

_flat_extension = native_extension("_flat")

_REASONS = tuple(FlushReason)
_REASON_CODES = {reason: code for code, reason in enumerate(_REASONS)}

_STRING_TYPES = (BasicTypeInfo.STRING_TYPE_INFO(), BasicTypeInfo.CHAR_TYPE_INFO())
#: Basic types whose values are builtin str, bool, int or float (not Decimal, not Instant).
_FLAT_BASIC_TYPES = frozenset(
    BasicTypeInfo(basic_type)
    for basic_type in BasicType
    if basic_type not in (BasicType.BIG_DEC, BasicType.INSTANT)
)
_ONLY_ROWS = frozenset({Row})

_ROW_FIELDS = attrgetter("_fields")
_ROW_VALUES = attrgetter("_values")
_ROW_KIND = attrgetter("_row_kind")
# Slot setters: rebuilding a row by its slots is 3.7x faster than Row.__reduce__'s
# _create_row, which runs Row.__init__ and the Python-level Row.__setattr__ (measured:
# benchmarks/bench_serialization.py).
_NEW_ROW: Any = object.__new__
_SET_FIELDS: Any = Row.__dict__["_fields"].__set__
_SET_VALUES: Any = Row.__dict__["_values"].__set__
_SET_KIND: Any = Row.__dict__["_row_kind"].__set__
_SET_FROM_DICT: Any = Row.__dict__["_from_dict"].__set__


class BufferCodec:
    """Encodes the buffers of one channel into payloads, and payloads back into buffers.

    Invariant: ``decode(encode(buffer))`` has the records (equal, of the same types), the
    timestamps, the event and the flush reason of ``buffer``; its ``keys`` and
    ``key_groups`` are None. ``END_OF_PARTITION`` decodes to the very same object.

    Args:
        type_info: the producing operator's declared output type; None or
            ``Types.PICKLED_BYTE_ARRAY()`` for undeclared Python objects. ``Types.STRING()``
            and ``Types.ROW``/``ROW_NAMED`` select the string and row paths; other types are
            pickled, flat tuples and basic types without the memo (see the module docstring
            for the measurements).
        operator_name: the producing operator(s), named when a record cannot be encoded.
        edge_name: the edge, named in that message too ("" to leave it out).
    """

    __slots__ = ("_edge_name", "_flat", "_operator_name", "_rows", "_sniff", "_strings")

    def __init__(
        self, type_info: TypeInformation | None, operator_name: str, edge_name: str = ""
    ) -> None:
        self._operator_name = operator_name
        self._edge_name = edge_name
        self._sniff = type_info is None or isinstance(type_info, PickledBytesTypeInfo)
        self._strings = type_info in _STRING_TYPES
        self._rows = isinstance(type_info, RowTypeInfo)
        self._flat = type_info is not None and _is_flat(type_info)

    def encode(self, buffer: Buffer) -> bytes:
        """The payload of a data or event buffer.

        Raises:
            RecordSerializationError: a record cannot be pickled.
            KolkInternalError: the buffer holds neither records nor an event, or an event
                cannot be pickled.
        """
        reason = _REASON_CODES[buffer.flush_reason]
        records = buffer.records
        if records is None:
            if buffer.event is None:
                raise KolkInternalError("cannot encode a buffer with neither records nor an event")
            return _encode_event(buffer.event, reason)
        timestamps = buffer.timestamps
        if records:
            if self._sniff:
                first = type(records[0])
                strings, rows = first is str, first is Row
            else:
                strings, rows = self._strings, self._rows
            if strings:
                payload = _encode_strings(records, timestamps, reason)
                if payload is not None:
                    return payload
            elif rows and set(map(type, records)) == _ONLY_ROWS:
                columns = (
                    list(map(_ROW_FIELDS, records)),
                    list(map(_ROW_VALUES, records)),
                    list(map(_ROW_KIND, records)),
                    timestamps,
                )
                try:
                    body = pickle.dumps(columns, _PROTOCOL)
                except Exception as exc:
                    self._unserializable(records, exc)
                return _HEADER.pack(_DATA_ROWS, reason) + body
        if self._flat:
            if _flat_extension is not None:
                flat = _flat_extension.encode(_HEADER.pack(_DATA_FLAT, reason), records, timestamps)
                if flat is not None:
                    return flat  # type: ignore[no-any-return]
            payload = _dumps_fast(_DATA_PICKLE, reason, (records, timestamps))
            if payload is not None:
                return payload
        try:
            body = pickle.dumps((records, timestamps), _PROTOCOL)
        except Exception as exc:
            self._unserializable(records, exc)
        return _HEADER.pack(_DATA_PICKLE, reason) + body

    def decode(self, payload: bytes | memoryview) -> Buffer:
        """The buffer of a payload made by :meth:`encode` of an equal codec.

        Raises:
            KolkInternalError: the payload is not one :meth:`encode` makes.
        """
        view = memoryview(payload)
        encoding, reason_code = _HEADER.unpack_from(view)
        reason = _REASONS[reason_code]
        if encoding == _DATA_PICKLE:
            records, timestamps = pickle.loads(view[_BODY:])
            return Buffer(records, flush_reason=reason, timestamps=timestamps)
        if encoding == _DATA_FLAT:
            if _flat_extension is None:
                raise KolkInternalError(
                    "a buffer in the C extension's format reached a process without it: "
                    "every process of a job must run the same installation and environment"
                )
            records, timestamps = _flat_extension.decode(view[_BODY:])
            return Buffer(records, flush_reason=reason, timestamps=timestamps)
        if encoding == _DATA_STRINGS:
            return Buffer(marshal.loads(view[_BODY:]), flush_reason=reason)
        if encoding == _DATA_STRINGS_TS:
            (length,) = _LENGTH.unpack_from(view, _BODY)
            start = _BODY + _LENGTH.size
            records = marshal.loads(view[start : start + length])
            timestamps = pickle.loads(view[start + length :])
            return Buffer(records, flush_reason=reason, timestamps=timestamps)
        if encoding == _DATA_ROWS:
            fields, values, kinds, timestamps = pickle.loads(view[_BODY:])
            return Buffer(_rows(fields, values, kinds), flush_reason=reason, timestamps=timestamps)
        if encoding == _EVENT_END_OF_PARTITION:
            return Buffer(event=END_OF_PARTITION, flush_reason=reason)
        if encoding == _EVENT_PICKLE:
            return Buffer(event=pickle.loads(view[_BODY:]), flush_reason=reason)
        raise KolkInternalError(f"unknown buffer encoding {encoding}")

    def _unserializable(self, records: list[Any], error: Exception) -> NoReturn:
        """Raises the error naming the first record that cannot be pickled on its own.

        Only on the failure path: the records are tried one by one.
        """
        edge = f" on edge '{self._edge_name}'" if self._edge_name else ""
        advice = (
            "Records that cross processes (any edge between tasks when the job runs in several "
            "worker processes) must be picklable: emit plain values, or run with --processes 1 "
            "(kolk.processes: 1) to keep the job in one process."
        )
        for index, record in enumerate(records):
            try:
                pickle.dumps(record, _PROTOCOL)
            except Exception as exc:
                raise RecordSerializationError(
                    f"operator '{self._operator_name}' emitted a record of type "
                    f"'{_type_name(record)}' (record {index} of a buffer of {len(records)}, "
                    f"counting from 0){edge} that cannot be serialized to send it to another "
                    f"process: {exc}. {advice}"
                ) from exc
        raise RecordSerializationError(
            f"operator '{self._operator_name}' emitted a buffer of {len(records)} records{edge} "
            f"that cannot be serialized to send it to another process: {error}. {advice}"
        ) from error


def _encode_strings(records: list[Any], timestamps: list[Any] | None, reason: int) -> bytes | None:
    """The payload of a buffer of exact ``str`` records, or None if they are not all that.

    The join refuses any non-``str`` (marshal would write a ``bytearray`` or a NumPy value as
    ``bytes``); marshal refuses ``str`` subclasses. Measured: 7 ns per record for the join.
    """
    try:
        "".join(records)
        body = marshal.dumps(records)
    except (TypeError, ValueError):
        return None
    if timestamps is None:
        return _HEADER.pack(_DATA_STRINGS, reason) + body
    return b"".join(
        (
            _HEADER.pack(_DATA_STRINGS_TS, reason),
            _LENGTH.pack(len(body)),
            body,
            pickle.dumps(timestamps, _PROTOCOL),
        )
    )


def _is_flat(type_info: TypeInformation) -> bool:
    """True for a string, boolean or number type, or a tuple type whose fields are all flat:
    values with no mutable parts for a record to hold twice, and none that pickle by
    reference to a class (see the module docstring)."""
    if isinstance(type_info, TupleTypeInfo):
        return all(map(_is_flat, type_info.get_field_types()))
    return type_info in _FLAT_BASIC_TYPES


def _dumps_fast(encoding: int, reason: int, body: object) -> bytes | None:
    """The payload of ``body`` pickled without the memo, or None if fast mode cannot write
    it (a cycle, or an object pickle refuses: the caller then pickles as usual, and names the
    record if that fails too)."""
    out = io.BytesIO()
    out.write(_HEADER.pack(encoding, reason))
    pickler = pickle.Pickler(out, _PROTOCOL)
    pickler.fast = True
    try:
        pickler.dump(body)
    except Exception:
        return None
    return out.getvalue()


def _rows(fields: list[Any], values: list[Any], kinds: list[Any]) -> list[Row]:
    """Rebuilds rows from their columns, as ``Row.__reduce__`` would, without ``__init__``."""
    # A loop per record, the exception to "one call per buffer": pickle itself calls
    # _create_row per row, 3.7x slower than this (benchmarks/bench_serialization.py).
    rows: list[Row] = []
    append = rows.append
    new, set_fields, set_values, set_kind, set_from_dict = (
        _NEW_ROW,
        _SET_FIELDS,
        _SET_VALUES,
        _SET_KIND,
        _SET_FROM_DICT,
    )
    for names, row_values, kind in zip(fields, values, kinds, strict=True):
        row = new(Row)
        set_fields(row, names)
        set_values(row, row_values)
        set_kind(row, kind)
        set_from_dict(row, False)
        append(row)
    return rows


def _encode_event(event: object, reason: int) -> bytes:
    if event is END_OF_PARTITION:
        return _HEADER.pack(_EVENT_END_OF_PARTITION, reason)
    try:
        body = pickle.dumps(event, _PROTOCOL)
    except Exception as exc:
        raise KolkInternalError(f"cannot serialize the event {event!r}: {exc}") from exc
    return _HEADER.pack(_EVENT_PICKLE, reason) + body


def _type_name(value: object) -> str:
    cls = type(value)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"
