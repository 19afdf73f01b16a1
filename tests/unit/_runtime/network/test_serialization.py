"""Buffer codec: every encoding path round-trips exactly; unserializable records are named."""

from __future__ import annotations

import array
import math
import pickle
import struct
import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk._runtime.network import serialization
from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer, FlushReason
from kolk._runtime.network.serialization import BufferCodec, RecordSerializationError
from kolk._runtime.time.valve import WatermarkStatus
from kolk._runtime.time.watermark import MAX_WATERMARK, MIN_WATERMARK, Watermark
from kolk.common.typeinfo import Types
from kolk.common.types import Row, RowKind
from kolk.util.exceptions import KolkError, KolkInternalError


class Point:
    """A user class: must travel by pickle."""

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (other.x, other.y) == (self.x, self.y)

    __hash__ = None  # type: ignore[assignment]


class Name(str):
    """A str subclass: marshal refuses it, so its buffer falls back to pickle."""


def same(a: Any, b: Any) -> bool:
    """Equal, of the same types all the way down (rows: kind, names and values), floats bit for
    bit (nan, -0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, Row):
        return (
            a.get_row_kind() is b.get_row_kind()
            and a._fields == b._fields
            and same(a._values, b._values)
        )
    return bool(a == b)


def round_trip(codec: BufferCodec, buffer: Buffer) -> tuple[Buffer, int]:
    """Decodes the encoded buffer from bytes and from a memoryview into a larger frame (as the
    transport hands it over); returns the decoded buffer and the encoding header byte."""
    payload = codec.encode(buffer)
    assert isinstance(payload, bytes)
    decoded = codec.decode(payload)
    framed = codec.decode(memoryview(b"frame header" + payload)[len(b"frame header") :])
    assert same(framed.records, decoded.records)
    assert same(framed.timestamps, decoded.timestamps)
    return decoded, payload[0]


STAMPS = [1_700_000_000_000 + i for i in range(4)]
PAIRS = [("a", 1), ("b", 2), ("a", 3), ("c", 4)]


@pytest.mark.parametrize("timestamps", [None, STAMPS, [None, 5, None, MAX_WATERMARK]])
@pytest.mark.parametrize("type_info", [Types.STRING(), None, Types.PICKLED_BYTE_ARRAY()])
def test_strings_use_marshal(type_info: Any, timestamps: list[Any] | None) -> None:
    records = ["hello", "", "wörld ✓", "x" * 10_000]
    decoded, encoding = round_trip(
        BufferCodec(type_info, "Map"), Buffer(records, timestamps=timestamps)
    )
    assert encoding in (serialization._DATA_STRINGS, serialization._DATA_STRINGS_TS)
    assert same(decoded.records, records)
    assert same(decoded.timestamps, timestamps)


NATIVE = serialization._flat_extension is not None
needs_flat_extension = pytest.mark.skipif(
    not NATIVE, reason="the C extension kolk._runtime.network._flat is not built"
)


@pytest.fixture(params=["native", "python"])
def flat_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Runs a test with the C extension for flat records (when built) and without it; returns
    the encoding a flat declared type then gets."""
    if request.param == "native":
        if not NATIVE:
            pytest.skip("the C extension kolk._runtime.network._flat is not built here")
        return serialization._DATA_FLAT
    monkeypatch.setattr(serialization, "_flat_extension", None)
    return serialization._DATA_PICKLE


@pytest.mark.parametrize(
    ("type_info", "records", "flat"),
    [
        (Types.INT(), [0, -1, 2**31 - 1, 7], True),
        (Types.LONG(), [MIN_WATERMARK, MAX_WATERMARK, 0, 12345678901], True),
        (Types.DOUBLE(), [0.5, -0.0, math.inf, 1e300], True),
        (Types.TUPLE([Types.STRING(), Types.INT()]), PAIRS, True),
        (Types.STRING(), ["a", None, "b"], True),  # STRING allows None: not for marshal
        (Types.LIST(Types.STRING()), [["a", "b"], [], ["c"]], False),
        (Types.MAP(Types.STRING(), Types.LONG()), [{"a": 1}, {}, {"b": 2, "c": 3}], False),
        (None, PAIRS, False),
        (None, [Point(1, 2), Point(3, 4)], False),
        (Types.PICKLED_BYTE_ARRAY(), [Point(1, 2), ("mixed", Point(0, 0)), None], False),
    ],
)
@pytest.mark.parametrize("timestamps", [False, True])
def test_other_records_are_pickled_or_flat(
    type_info: Any, records: list[Any], flat: bool, timestamps: bool, flat_path: int
) -> None:
    stamps = STAMPS[: len(records)] if timestamps else None
    codec = BufferCodec(type_info, "Map")
    decoded, encoding = round_trip(codec, Buffer(records, timestamps=stamps))
    assert encoding == (flat_path if flat else serialization._DATA_PICKLE)
    assert same(decoded.records, records)
    assert decoded.timestamps == stamps


FLAT = Types.TUPLE([Types.STRING(), Types.LONG(), Types.TUPLE([Types.DOUBLE(), Types.BOOLEAN()])])


@pytest.mark.parametrize(
    ("type_info", "flat"),
    [
        (Types.LONG(), True),
        (FLAT, True),
        (Types.TUPLE([Types.STRING(), Types.LIST(Types.INT())]), False),
        (Types.TUPLE([Types.STRING(), Types.BIG_DEC()]), False),
        (Types.TUPLE([Types.STRING(), Types.ROW([Types.INT()])]), False),
        (Types.TUPLE([Types.STRING(), Types.PICKLED_BYTE_ARRAY()]), False),
        (Types.PICKLED_BYTE_ARRAY(), False),
        (None, False),
    ],
)
def test_only_flat_declared_types_write_each_record_on_its_own(
    type_info: Any, flat: bool, flat_path: int
) -> None:
    key = "".join(["k", "ey"])  # one str object held by every record
    records = [(key, i, (0.5 * i, i % 2 == 0)) for i in range(3)]
    payload = BufferCodec(type_info, "Map").encode(Buffer(records))
    if flat:
        assert payload[0] == flat_path
    else:
        assert payload[2:] == pickle.dumps((records, None), 5)
    # Flat: the shared string is written once per record, as Flink's serializers write each
    # record on its own (the C format, or pickle without its memo); otherwise once.
    assert payload.count(b"key") == (3 if flat else 1)
    decoded = BufferCodec(type_info, "Map").decode(payload)
    assert same(decoded.records, records)


def test_a_flat_declared_record_that_fast_mode_refuses_is_pickled_with_the_memo(
    flat_path: int,
) -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    records = [("a", 1), ("b", cycle)]  # breaks the declared type; must still travel intact
    payload = BufferCodec(FLAT, "Map").encode(Buffer(records))
    assert payload[2:] == pickle.dumps((records, None), 5)
    (first, (name, decoded)) = BufferCodec(FLAT, "Map").decode(payload).records
    assert first == ("a", 1) and name == "b"
    assert decoded[0] is decoded


def test_rows_of_basic_fields_keep_the_memo() -> None:
    # Without it each row's RowKind would be written with its class: 5x slower.
    row_type = Types.ROW_NAMED(["name", "n"], [Types.STRING(), Types.LONG()])
    records = [Row(name="a", n=1), Row.of_kind(RowKind.DELETE, name="b", n=2)]
    payload = BufferCodec(row_type, "Map").encode(Buffer(records))
    assert payload.count(b"RowKind") == 1
    decoded, encoding = round_trip(BufferCodec(row_type, "Map"), Buffer(records, timestamps=[1, 2]))
    assert encoding == serialization._DATA_ROWS
    assert same(decoded.records, records)
    assert decoded.timestamps == [1, 2]


flat_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4).map(tuple),
    max_leaves=12,
)


@needs_flat_extension
@given(
    records=st.lists(flat_values, max_size=20),
    stamped=st.booleans(),
)
def test_the_c_format_carries_every_flat_value_exactly(records: list[Any], stamped: bool) -> None:
    stamps = [i * 1_000 if i % 3 else None for i in range(len(records))] if stamped else None
    payload = BufferCodec(FLAT, "Map").encode(Buffer(records, timestamps=stamps))
    assert payload[0] == serialization._DATA_FLAT
    decoded = BufferCodec(FLAT, "Map").decode(memoryview(b"xx" + payload)[2:])
    assert same(decoded.records, records)
    assert decoded.timestamps == stamps


@needs_flat_extension
@pytest.mark.parametrize(
    "odd",
    [2**63, -(2**63) - 1, "\ud800", b"bytes", [1], 1.5j, Name("str subclass")],
)
def test_values_the_c_format_cannot_carry_go_by_pickle(odd: Any) -> None:
    records = [("a", 1), ("b", odd)]
    payload = BufferCodec(FLAT, "Map").encode(Buffer(records))
    assert payload[0] == serialization._DATA_PICKLE
    assert same(BufferCodec(FLAT, "Map").decode(payload).records, records)


@needs_flat_extension
def test_tuples_nested_beyond_the_c_format_depth_go_by_pickle() -> None:
    deep: Any = ("leaf",)
    for _ in range(40):
        deep = (deep,)
    payload = BufferCodec(FLAT, "Map").encode(Buffer([deep]))
    assert payload[0] == serialization._DATA_PICKLE
    assert BufferCodec(FLAT, "Map").decode(payload).records == [deep]


@needs_flat_extension
def test_decoded_flat_tuples_are_not_tracked_by_the_garbage_collector() -> None:
    import gc

    records = [("a", 1, ("b", 2.5)), ("c", None, ())]
    payload = BufferCodec(FLAT, "Map").encode(Buffer(records))
    decoded = BufferCodec(FLAT, "Map").decode(payload).records
    assert [gc.is_tracked(r) for r in decoded] == [False, False]
    assert not gc.is_tracked(decoded[0][2])
    assert gc.is_tracked(decoded)  # the list itself is


@needs_flat_extension
@pytest.mark.parametrize("cut", [1, 3, 6, 9])
def test_a_truncated_c_payload_is_an_error_not_a_crash(cut: int) -> None:
    payload = BufferCodec(FLAT, "Map").encode(Buffer([("abc", 1), ("d", 2)]))
    with pytest.raises(ValueError, match="decode: "):
        BufferCodec(FLAT, "Map").decode(payload[: len(payload) - cut])


@needs_flat_extension
def test_a_c_payload_in_a_process_without_the_extension_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = BufferCodec(FLAT, "Map").encode(Buffer([("a", 1)]))
    monkeypatch.setattr(serialization, "_flat_extension", None)
    with pytest.raises(KolkInternalError, match="same installation and environment"):
        BufferCodec(FLAT, "Map").decode(payload)


def rows() -> list[Row]:
    inserted = Row(name="Alice", age=11, score=0.5)
    retracted = Row.of_kind(RowKind.UPDATE_BEFORE, name="Bob", age=12, score=None)
    updated = Row.of_kind(RowKind.UPDATE_AFTER, name="Bob", age=13, score=1.5)
    deleted = Row.of_kind(RowKind.DELETE, name="Carol", age=14, score=math.nan)
    nested = Row(name="Dan", age=15, score=Row(1, "x"))
    return [inserted, retracted, updated, deleted, nested]


@pytest.mark.parametrize(
    "type_info",
    [
        Types.ROW_NAMED(
            ["name", "age", "score"], [Types.STRING(), Types.INT(), Types.PICKLED_BYTE_ARRAY()]
        ),
        None,
    ],
)
@pytest.mark.parametrize("timestamps", [None, [1, 2, 3, 4, 5]])
def test_rows_travel_as_columns(type_info: Any, timestamps: list[int] | None) -> None:
    records = [*rows(), Row(7, "positional"), Row("a", "b")(1, 2)]
    stamps = None if timestamps is None else [*timestamps, 6, 7]
    decoded, encoding = round_trip(
        BufferCodec(type_info, "Map"), Buffer(records, timestamps=stamps)
    )
    assert encoding == serialization._DATA_ROWS
    assert decoded.records is not None
    assert decoded.timestamps == stamps
    for got, sent in zip(decoded.records, records, strict=True):
        assert type(got) is Row
        assert got.get_row_kind() is sent.get_row_kind()
        assert repr(got) == repr(sent)
        assert str(got) == str(sent)
        assert got._fields == sent._fields
        if not isinstance(sent[-1], float):  # nan != nan
            assert got == sent
    assert decoded.records[0].name == "Alice"
    assert decoded.records[0].as_dict() == {"name": "Alice", "age": 11, "score": 0.5}


def test_rows_decode_like_their_pickle() -> None:
    records = rows()
    decoded, _ = round_trip(BufferCodec(None, "Map"), Buffer(records))
    assert decoded.records is not None
    for got, pickled in zip(decoded.records, pickle.loads(pickle.dumps(records)), strict=True):
        assert {s: repr(getattr(got, s)) for s in Row.__slots__} == {
            s: repr(getattr(pickled, s)) for s in Row.__slots__
        }


def test_a_row_stream_with_other_records_is_pickled() -> None:
    records = [Row(1, "a"), (2, "b"), {"f0": 3}]
    codec = BufferCodec(Types.ROW([Types.INT(), Types.STRING()]), "Map")
    decoded, encoding = round_trip(codec, Buffer(records))
    assert encoding == serialization._DATA_PICKLE
    assert same(decoded.records, records)


@pytest.mark.parametrize(
    ("type_info", "records"),
    [
        (Types.STRING(), ["a", "b", Name("c"), "d"]),  # marshal raises midway
        (None, ["a", 1, 2.5, None]),  # undeclared, a str first
        (Types.STRING(), ["a", bytearray(b"raw"), array.array("q", [1, 2])]),
    ],
)
def test_buffers_marshal_cannot_carry_exactly_fall_back_to_pickle(
    type_info: Any, records: list[Any]
) -> None:
    decoded, encoding = round_trip(BufferCodec(type_info, "Map"), Buffer(records))
    assert encoding == serialization._DATA_PICKLE
    assert same(decoded.records, records)


def test_numpy_values_keep_their_type() -> None:
    np = pytest.importorskip("numpy")
    records = ["a", np.float64(1.5), np.int64(7)]  # marshal would send their bytes
    decoded, _ = round_trip(BufferCodec(Types.STRING(), "Map"), Buffer(records))
    assert same(decoded.records, records)


def test_plain_values_keep_type_and_value() -> None:
    records = [True, False, None, 2**200, -(2**70), math.nan, -0.0, math.inf, 1, 1.0, b"\x00"]
    records += [(True, 1), [None, math.nan], {"k": 2**64}]
    decoded, _ = round_trip(BufferCodec(None, "Map"), Buffer(records, timestamps=[None] * 14))
    assert same(decoded.records, records)
    assert decoded.timestamps == [None] * 14


@pytest.mark.parametrize("reason", list(FlushReason))
@pytest.mark.parametrize("records", [["a", "b"], [1, 2], [Row(1)], []])
def test_flush_reason_is_kept(reason: FlushReason, records: list[Any]) -> None:
    decoded, _ = round_trip(BufferCodec(None, "Map"), Buffer(records, flush_reason=reason))
    assert decoded.flush_reason is reason
    assert decoded.records == records


def test_keys_and_key_groups_stay_behind() -> None:
    buffer = Buffer(PAIRS, keys=["a", "b", "a", "c"], key_groups=[1, 2, 1, 3], timestamps=STAMPS)
    decoded, _ = round_trip(BufferCodec(None, "Map"), buffer)
    assert decoded.keys is None
    assert decoded.key_groups is None
    assert decoded.records == PAIRS
    assert decoded.timestamps == STAMPS
    assert (decoded.sequence_number, decoded.backlog) == (-1, -1)  # the frame header's job


@pytest.mark.parametrize("reason", [FlushReason.EVENT, FlushReason.END_OF_INPUT])
def test_end_of_partition_decodes_to_the_singleton(reason: FlushReason) -> None:
    decoded, encoding = round_trip(
        BufferCodec(Types.STRING(), "Map"), Buffer(event=END_OF_PARTITION, flush_reason=reason)
    )
    assert encoding == serialization._EVENT_END_OF_PARTITION
    assert decoded.event is END_OF_PARTITION
    assert decoded.records is None
    assert decoded.is_event
    assert decoded.flush_reason is reason


@pytest.mark.parametrize(
    "event",
    [
        Watermark(1_700_000_000_123),
        Watermark(MIN_WATERMARK),
        Watermark(MAX_WATERMARK),
        WatermarkStatus(True),
        WatermarkStatus(False),
    ],
)
def test_events_decode_equal(event: object) -> None:
    decoded, _ = round_trip(
        BufferCodec(None, "Map"), Buffer(event=event, flush_reason=FlushReason.EVENT)
    )
    assert type(decoded.event) is type(event)
    assert decoded.event == event
    assert repr(decoded.event) == repr(event)
    assert decoded.flush_reason is FlushReason.EVENT


def generator() -> Any:
    yield 1


@pytest.mark.parametrize("type_info", [None, Types.STRING(), Types.LONG()])
def test_an_unserializable_record_is_named(type_info: Any) -> None:
    records: list[Any] = [1, 2, 3, generator(), threading.Lock()]
    codec = BufferCodec(type_info, "Map", "edge 2 to Sink: Print to Std. Out")
    with pytest.raises(RecordSerializationError) as caught:
        codec.encode(Buffer(records))
    message = str(caught.value)
    assert message.startswith("operator 'Map' emitted a record of type 'generator' (record 3 ")
    assert "of a buffer of 5" in message
    assert "on edge 'edge 2 to Sink: Print to Std. Out'" in message
    assert "cannot pickle 'generator' object" in message
    assert "must be picklable" in message
    assert "--processes 1 (kolk.processes: 1)" in message
    assert isinstance(caught.value, KolkError)
    assert isinstance(caught.value.__cause__, TypeError)


def test_an_unserializable_value_inside_a_record_names_the_record() -> None:
    records = [("ok", 1), ("bad", lambda x: x)]
    with pytest.raises(RecordSerializationError) as caught:
        BufferCodec(Types.TUPLE([Types.STRING(), Types.INT()]), "FlatMap").encode(Buffer(records))
    message = str(caught.value)
    assert "operator 'FlatMap' emitted a record of type 'tuple' (record 1 " in message
    assert "<lambda>" in message
    assert " on edge " not in message


def test_an_unserializable_row_value_is_named() -> None:
    records = [Row(name="a", lock=None), Row(name="b", lock=threading.Lock())]
    with pytest.raises(RecordSerializationError) as caught:
        BufferCodec(None, "Process").encode(Buffer(records))
    message = str(caught.value)
    assert (
        "operator 'Process' emitted a record of type 'kolk.common.types.Row' (record 1 " in message
    )
    assert "cannot pickle '_thread.lock' object" in message


def test_user_types_are_named_with_their_module() -> None:
    class Local:
        pass

    with pytest.raises(RecordSerializationError, match=r"of type '[\w.]+\.<locals>\.Local'"):
        BufferCodec(None, "Map").encode(Buffer([Local()]))


def test_a_buffer_must_hold_records_or_an_event() -> None:
    with pytest.raises(KolkInternalError):
        BufferCodec(None, "Map").encode(Buffer())


def test_an_unknown_encoding_is_an_internal_error() -> None:
    with pytest.raises(KolkInternalError, match="unknown buffer encoding 99"):
        BufferCodec(None, "Map").decode(bytes([99, 0]))


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=True)
    | st.text()
    | st.binary()
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    records=st.lists(values, max_size=30) | st.lists(st.text(), max_size=30),
    with_timestamps=st.booleans(),
    reason=st.sampled_from(list(FlushReason)),
)
def test_builtin_values_round_trip(
    records: list[Any], with_timestamps: bool, reason: FlushReason
) -> None:
    timestamps = list(range(len(records))) if with_timestamps else None
    for type_info in (None, Types.STRING()):
        codec = BufferCodec(type_info, "Map")
        buffer = Buffer(records, flush_reason=reason, timestamps=timestamps)
        decoded = codec.decode(codec.encode(buffer))
        assert same(decoded.records, records)
        assert decoded.timestamps == timestamps
        assert decoded.flush_reason is reason
