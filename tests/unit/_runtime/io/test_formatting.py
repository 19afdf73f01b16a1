"""print() rendering: Python str() for pickled and row streams, Java toString otherwise."""

from __future__ import annotations

import datetime
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk._runtime.io.formatting import record_formatter
from kolk._util.java import java_string_hash
from kolk.common import Instant, Row, RowKind, Types
from kolk.common.typeinfo import ExternalTypeInfo, LocalTimeTypeInfo, TypeInformation

T = Types


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("EVENT1", "EVENT1"),
        (("user1", 1), "('user1', 1)"),
        (None, "None"),
        ([1, 2], "[1, 2]"),
        ({"a": 1}, "{'a': 1}"),
        (1.5, "1.5"),
        (True, "True"),
        (Row(1, "a"), "<Row(1, 'a')>"),
        (bytearray(b"x"), "bytearray(b'x')"),
    ],
)
@pytest.mark.parametrize("type_info", [None, T.PICKLED_BYTE_ARRAY()])
def test_pickled_records_print_with_python_str(
    type_info: TypeInformation | None, value: Any, expected: str
) -> None:
    assert record_formatter(type_info)(value) == expected


def test_str_subclass_prints_its_characters() -> None:
    class Loud(str):
        def __str__(self) -> str:
            return "LOUD"

    assert record_formatter(None)(Loud("quiet")) == "quiet"


def test_bytes_records_fail_as_in_pyflink() -> None:
    with pytest.raises(TypeError, match=r"cannot print a bytes record: PyFlink fails on it too"):
        record_formatter(None)(b"raw")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Row("a", 1), "+I[a,1]"),
        (Row.of_kind(RowKind.UPDATE_BEFORE, "a", True), "-U[a,True]"),
        (Row.of_kind(RowKind.DELETE, name="a", score=1.5), "-D[a,1.5]"),
        (Row("a", None, Row(1)), "+I[a,None,<Row(1)>]"),
        (("a", 1), "+I[a,1]"),
        (["a", 1], "+I[a,1]"),
    ],
)
def test_rows_print_as_pyflinks_row_map(value: Any, expected: str) -> None:
    assert record_formatter(T.ROW([T.STRING(), T.INT(), T.ROW([T.INT()])]))(value) == expected


def test_named_row_type_accepts_dicts_and_external_types_print_as_rows() -> None:
    row_type = T.ROW_NAMED(["name", "age"], [T.STRING(), T.INT()])
    assert record_formatter(row_type)({"age": 3, "name": "x"}) == "+I[x,3]"
    assert record_formatter(ExternalTypeInfo(row_type))(Row("x", 3)) == "+I[x,3]"
    with pytest.raises(TypeError, match="must carry Row records"):
        record_formatter(row_type)(5)


@pytest.mark.parametrize(
    ("type_info", "value", "expected"),
    [
        (T.STRING(), "hello", "hello"),
        (T.STRING(), None, "null"),
        (T.INT(), 5, "5"),
        (T.INT(), True, "1"),
        (T.LONG(), -(2**40), "-1099511627776"),
        (T.SHORT(), 7, "7"),
        (T.BYTE(), -1, "-1"),
        (T.BOOLEAN(), True, "true"),
        (T.BOOLEAN(), False, "false"),
        (T.DOUBLE(), 1, "1.0"),
        (T.DOUBLE(), 1e20, "1.0E20"),
        (T.DOUBLE(), 0.001, "0.001"),
        (T.FLOAT(), 1 / 3, "0.33333334"),
        (T.CHAR(), "x", "x"),
        (T.BIG_INT(), 2**70, "1180591620717411303424"),
        (T.BIG_DEC(), Decimal("1E+3"), "1E+3"),
        (T.BIG_DEC(), Decimal("0.00000012"), "1.2E-7"),
        (T.BIG_DEC(), 1.5, "1.5"),
        (T.INSTANT(), Instant(0, 5_000_000), "1970-01-01T00:00:00.005Z"),
        (T.INSTANT(), Instant(86_400, 0), "1970-01-02T00:00:00Z"),
        (T.SQL_DATE(), datetime.date(2021, 1, 2), "2021-01-02"),
        (T.SQL_TIME(), datetime.time(1, 2, 3, 999), "01:02:03"),
        (
            T.SQL_TIMESTAMP(),
            datetime.datetime(2021, 1, 2, 3, 4, 5, 120000),
            "2021-01-02 03:04:05.12",
        ),
        (T.SQL_TIMESTAMP(), datetime.datetime(2021, 1, 2, 3, 4, 5), "2021-01-02 03:04:05.0"),
        (
            LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_DATE),
            datetime.date(2021, 1, 2),
            "2021-01-02",
        ),
        (LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_TIME), datetime.time(1, 2), "01:02"),
        (
            LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_TIME),
            datetime.time(1, 2, 3),
            "01:02:03",
        ),
        (
            LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_TIME),
            datetime.time(1, 2, 0, 5000),
            "01:02:00.005",
        ),
        (
            LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_TIME),
            datetime.time(1, 2, 3, 5),
            "01:02:03.000005",
        ),
        (
            LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME),
            datetime.datetime(2021, 1, 2, 3, 4),
            "2021-01-02T03:04",
        ),
    ],
)
def test_basic_values_print_as_java(type_info: TypeInformation, value: Any, expected: str) -> None:
    assert record_formatter(type_info)(value) == expected


def test_tuples_print_as_java_tuples() -> None:
    nested = T.TUPLE([T.STRING(), T.TUPLE([T.STRING(), T.INT()])])
    assert record_formatter(nested)(("a", ("b", 1))) == "(a,(b,1))"
    everything = T.TUPLE(
        [
            T.STRING(),
            T.ROW([T.STRING(), T.INT()]),
            T.LIST(T.INT()),
            T.MAP(T.STRING(), T.INT()),
            T.BOOLEAN(),
            T.DOUBLE(),
            T.FLOAT(),
            T.STRING(),
            T.BASIC_ARRAY(T.STRING()),
            T.PRIMITIVE_ARRAY(T.BYTE()),
        ]
    )
    value = (
        "a",
        Row("b", 1),
        [1, 2],
        {"a": 1, "b": 2},
        True,
        1e20,
        1 / 3,
        None,
        ["x", None],
        b"\x01\xff",
    )
    assert record_formatter(everything)(value) == (
        "(a,+I[b, 1],[1, 2],{a=1, b=2},true,1.0E20,0.33333334,null,[x, null],[1, -1])"
    )


def test_rows_inside_java_objects_use_java_row_tostring() -> None:
    row_type = T.ROW_NAMED(["x", "y"], [T.BOOLEAN(), T.LIST(T.DOUBLE())])
    formatter = record_formatter(T.TUPLE([row_type]))
    assert formatter((Row.of_kind(RowKind.UPDATE_AFTER, True, [1.0, 2.5]),)) == (
        "(+U[true, [1.0, 2.5]])"
    )
    assert formatter((Row(y=[], x=False),)) == "(+I[false, []])"
    assert formatter(({"x": True, "y": None},)) == "(+I[true, null])"
    assert formatter(((False, [3]),)) == "(+I[false, [3.0]])"


def test_pickled_field_prints_its_pickle_bytes_as_flink_does() -> None:
    expected = (
        "[" + ", ".join(str(b - 256 if b > 127 else b) for b in pickle.dumps(1, protocol=5)) + "]"
    )
    assert record_formatter(T.TUPLE([T.STRING(), T.PICKLED_BYTE_ARRAY()]))(("a", 1)) == (
        f"(a,{expected})"
    )


def test_top_level_collections_and_arrays() -> None:
    assert record_formatter(T.LIST(T.BOOLEAN()))([True, None]) == "[true, null]"
    assert record_formatter(T.MAP(T.INT(), T.STRING()))({2: "b", 1: None}) == "{1=null, 2=b}"
    # Flink prints Java's identity string for arrays; kolk prints the elements.
    assert record_formatter(T.PRIMITIVE_ARRAY(T.INT()))([1, 2]) == "[1, 2]"
    assert record_formatter(T.PRIMITIVE_ARRAY(T.DOUBLE()))([1, 2]) == "[1.0, 2.0]"
    assert record_formatter(T.BASIC_ARRAY(T.STRING()))(["a", None]) == "[a, null]"
    assert record_formatter(T.OBJECT_ARRAY(T.SQL_DATE()))([datetime.date(2020, 2, 3)]) == (
        "[2020-02-03]"
    )


def test_map_with_unhashable_java_keys_keeps_dict_order() -> None:
    formatter = record_formatter(T.MAP(T.PICKLED_BYTE_ARRAY(), T.INT()))
    assert formatter({"z": 1, "a": 2}).startswith("{[")


def _java_hashmap_iteration(keys: list[str]) -> list[str]:
    """A direct model of ``new HashMap<>(n)`` filled with ``put`` and iterated."""

    def spread(key: str) -> int:
        h = java_string_hash(key) & 0xFFFFFFFF
        return h ^ (h >> 16)

    capacity = 1
    while capacity < len(keys):
        capacity *= 2
    table: list[list[str]] = [[] for _ in range(capacity)]
    threshold = int(capacity * 0.75)
    for size, key in enumerate(keys, start=1):
        table[spread(key) & (len(table) - 1)].append(key)
        if size > threshold:
            bigger: list[list[str]] = [[] for _ in range(len(table) * 2)]
            for bucket in table:
                for old in bucket:
                    bigger[spread(old) & (len(bigger) - 1)].append(old)
            table = bigger
            threshold = int(len(table) * 0.75)
    return [key for bucket in table for key in bucket]


@given(st.lists(st.text(max_size=6), unique=True, min_size=1, max_size=40))
def test_maps_print_in_java_hashmap_order(keys: list[str]) -> None:
    formatter = record_formatter(T.MAP(T.STRING(), T.INT()))
    mapping = {key: index for index, key in enumerate(keys)}
    expected = ", ".join(f"{key}={mapping[key]}" for key in _java_hashmap_iteration(keys))
    assert formatter(mapping) == "{" + expected + "}"


@given(st.lists(st.tuples(st.text(max_size=5), st.integers(-100, 100)), max_size=5))
def test_row_format_is_kind_and_python_str_of_fields(fields: list[tuple[str, int]]) -> None:
    values = [value for pair in fields for value in pair]
    text = record_formatter(T.ROW([]))(Row(*values))
    assert text == "+I[" + ",".join(str(v) for v in values) + "]"
