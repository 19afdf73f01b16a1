"""Type information: PyFlink's names, reprs and equality, without a JVM."""

from __future__ import annotations

import datetime

import pytest

from kolk.common import Instant, Row, RowKind, TypeInformation, Types
from kolk.common.typeinfo import (
    BasicArrayTypeInfo,
    BasicType,
    BasicTypeInfo,
    DateTypeInfo,
    ExternalTypeInfo,
    InstantTypeInfo,
    ListTypeInfo,
    LocalTimeTypeInfo,
    MapTypeInfo,
    ObjectArrayTypeInfo,
    PickledBytesTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    SqlTimeTypeInfo,
    TimestampTypeInfo,
    TimeTypeInfo,
    TupleTypeInfo,
)


@pytest.mark.parametrize(
    ("type_info", "text"),
    [
        (Types.STRING(), "String"),
        (Types.BYTE(), "Byte"),
        (Types.BOOLEAN(), "Boolean"),
        (Types.SHORT(), "Short"),
        (Types.INT(), "Integer"),
        (Types.LONG(), "Long"),
        (Types.FLOAT(), "Float"),
        (Types.DOUBLE(), "Double"),
        (Types.CHAR(), "Char"),
        (Types.BIG_INT(), "BigInteger"),
        (Types.BIG_DEC(), "BigDecimal"),
        (Types.INSTANT(), "Instant"),
        (Types.SQL_DATE(), "DateTypeInfo"),
        (Types.SQL_TIME(), "TimeTypeInfo"),
        (Types.SQL_TIMESTAMP(), "TimestampTypeInfo"),
        (Types.PICKLED_BYTE_ARRAY(), "PickledByteArrayTypeInfo"),
        (Types.ROW([Types.STRING(), Types.INT()]), "RowTypeInfo(String, Integer)"),
        (
            Types.ROW_NAMED(["a", "b"], [Types.STRING(), Types.STRING()]),
            "RowTypeInfo(a: String, b: String)",
        ),
        (Types.TUPLE([Types.STRING(), Types.INT()]), "TupleTypeInfo(String, Integer)"),
        (Types.PRIMITIVE_ARRAY(Types.INT()), "PrimitiveArrayTypeInfo<Integer>"),
        (Types.BASIC_ARRAY(Types.STRING()), "BasicArrayTypeInfo<String>"),
        (Types.OBJECT_ARRAY(Types.SQL_DATE()), "ObjectArrayTypeInfo<DateTypeInfo>"),
        (Types.LIST(Types.LONG()), "ListTypeInfo<Long>"),
        (Types.MAP(Types.STRING(), Types.INT()), "MapTypeInfo<String, Integer>"),
        (
            LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME),
            "LocalTimeTypeInfo<LOCAL_DATE_TIME>",
        ),
        (ExternalTypeInfo(Types.ROW([Types.INT()])), "ExternalTypeInfo<RowTypeInfo(Integer)>"),
    ],
)
def test_repr_and_str_match_pyflink(type_info: TypeInformation, text: str) -> None:
    assert repr(type_info) == text
    assert str(type_info) == text


def test_factories_build_the_expected_classes() -> None:
    assert type(Types.STRING()) is BasicTypeInfo
    assert type(Types.INSTANT()) is InstantTypeInfo
    assert type(Types.SQL_DATE()) is DateTypeInfo
    assert type(Types.SQL_TIME()) is TimeTypeInfo
    assert type(Types.SQL_TIMESTAMP()) is TimestampTypeInfo
    assert type(Types.PICKLED_BYTE_ARRAY()) is PickledBytesTypeInfo
    assert type(Types.ROW([])) is RowTypeInfo
    assert type(Types.TUPLE([])) is TupleTypeInfo
    assert type(Types.PRIMITIVE_ARRAY(Types.INT())) is PrimitiveArrayTypeInfo
    assert type(Types.BASIC_ARRAY(Types.INT())) is BasicArrayTypeInfo
    assert type(Types.OBJECT_ARRAY(Types.INT())) is ObjectArrayTypeInfo
    assert type(Types.LIST(Types.INT())) is ListTypeInfo
    assert type(Types.MAP(Types.INT(), Types.INT())) is MapTypeInfo
    assert BasicTypeInfo.STRING_TYPE_INFO() == Types.STRING()
    assert SqlTimeTypeInfo.DATE() == Types.SQL_DATE()
    assert Types.INT()._basic_type is BasicType.INT


def test_equality_and_hash_are_consistent() -> None:
    pairs_equal = [
        (Types.INT(), Types.INT()),
        (Types.INSTANT(), BasicTypeInfo(BasicType.INSTANT)),
        (Types.ROW([Types.STRING()]), Types.ROW_NAMED(["x"], [Types.STRING()])),  # names ignored
        (Types.TUPLE([Types.INT()]), TupleTypeInfo([Types.INT()])),
        (Types.LIST(Types.INT()), ListTypeInfo(Types.INT())),
        (Types.MAP(Types.INT(), Types.STRING()), MapTypeInfo(Types.INT(), Types.STRING())),
        (Types.PICKLED_BYTE_ARRAY(), PickledBytesTypeInfo()),
        (Types.SQL_TIME(), TimeTypeInfo()),
    ]
    for left, right in pairs_equal:
        assert left == right
        assert hash(left) == hash(right)
    assert Types.INT() != Types.LONG()
    assert Types.ROW([Types.INT()]) != Types.TUPLE([Types.INT()])
    assert Types.TUPLE([Types.STRING(), Types.INT()]) != Types.TUPLE(
        [Types.STRING(), Types.BOOLEAN()]
    )
    assert Types.MAP(Types.INT(), Types.INT()) != Types.LIST(Types.INT())
    assert Types.PRIMITIVE_ARRAY(Types.INT()) != Types.BASIC_ARRAY(Types.INT())
    assert Types.INT() != "Integer"
    assert {Types.INT(): 1}[Types.INT()] == 1


def test_row_type_field_names_and_indexes() -> None:
    unnamed = RowTypeInfo([Types.STRING(), Types.STRING()])
    assert unnamed.get_field_names() == ["f0", "f1"]
    assert repr(unnamed) == "RowTypeInfo(String, String)"
    assert unnamed.get_field_index("f1") == 1
    named = Types.ROW_NAMED(["a", "b"], [Types.STRING(), Types.INT()])
    assert named.get_field_names() == ["a", "b"]
    assert named.get_field_types() == [Types.STRING(), Types.INT()]
    assert named.get_field_index("b") == 1
    assert named.get_field_index("c") == -1
    assert Types.TUPLE([Types.STRING(), Types.INT()]).get_field_types() == [
        Types.STRING(),
        Types.INT(),
    ]


@pytest.mark.parametrize(
    "type_info",
    [
        TypeInformation(),
        Types.INT(),
        Types.ROW([]),
        Types.TUPLE([]),
        Types.LIST(Types.INT()),
        Types.PICKLED_BYTE_ARRAY(),
        Types.SQL_DATE(),
    ],
)
def test_java_type_info_is_not_supported(type_info: TypeInformation) -> None:
    name = type(type_info).__name__
    with pytest.raises(NotImplementedError, match=rf"^{name}.get_java_type_info is not supported"):
        type_info.get_java_type_info()


def test_need_conversion() -> None:
    assert Types.INT().need_conversion() is False
    assert Types.LIST(Types.INT()).need_conversion() is False
    assert Types.INSTANT().need_conversion() is True
    assert Types.ROW([]).need_conversion() is True
    assert Types.TUPLE([]).need_conversion() is True
    assert Types.SQL_DATE().need_conversion() is True
    assert Types.INT().to_internal_type(5) == 5
    assert Types.INT().from_internal_type(5) == 5


def test_row_type_to_internal_type() -> None:
    row_type = Types.ROW_NAMED(["a", "b"], [Types.STRING(), Types.INT()])
    assert row_type.to_internal_type(Row(b=2, a="x")) == (0, "x", 2)
    assert row_type.to_internal_type(Row.of_kind(RowKind.DELETE, "x", 2)) == (3, "x", 2)
    assert row_type.to_internal_type(("x", 2)) == (0, "x", 2)
    assert row_type.to_internal_type({"a": "x", "b": 2}) == (0, "x", 2)
    assert row_type.to_internal_type(None) is None
    with pytest.raises(ValueError, match="Unexpected tuple 5 with RowTypeInfo"):
        row_type.to_internal_type(5)
    dated = Types.ROW([Types.SQL_DATE()])
    assert dated.to_internal_type((datetime.date(1970, 1, 2),)) == (0, 1)
    assert dated.from_internal_type([1]) == [1]
    assert dated.from_internal_type(Row(1)) == (datetime.date(1970, 1, 2),)


def test_tuple_type_internal_conversion() -> None:
    tuple_type = Types.TUPLE([Types.SQL_DATE(), Types.INT()])
    assert tuple_type.to_internal_type((datetime.date(1970, 1, 3), 1)) == (2, 1)
    assert Types.TUPLE([Types.INT()]).to_internal_type([1]) == (1,)
    with pytest.raises(ValueError, match="Unexpected tuple 5 with TupleTypeInfo"):
        tuple_type.to_internal_type(5)


def test_date_time_and_instant_conversions() -> None:
    date_type = Types.SQL_DATE()
    assert date_type.to_internal_type(datetime.date(1970, 1, 1)) == 0
    assert date_type.from_internal_type(365) == datetime.date(1971, 1, 1)
    time_type = TimeTypeInfo()
    utc_time = datetime.time(1, 2, 3, 4, tzinfo=datetime.timezone.utc)
    assert time_type.to_internal_type(utc_time) == 3723000004
    naive = datetime.time(1, 2, 3, 4)
    assert time_type.from_internal_type(time_type.to_internal_type(naive)) == naive
    stamp_type = TimestampTypeInfo()
    aware = datetime.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=datetime.timezone.utc)
    assert stamp_type.to_internal_type(aware) == 1_000_005
    local = datetime.datetime(2021, 5, 6, 7, 8, 9, 10)
    assert stamp_type.from_internal_type(stamp_type.to_internal_type(local)) == local
    instant_type = Types.INSTANT()
    assert instant_type.to_internal_type(Instant(1, 5_000_000)) == 1_005_000
    assert instant_type.from_internal_type(1_005_000) == Instant(1, 5_000_000)
    for conversion in (date_type, time_type, stamp_type):
        assert conversion.to_internal_type(None) is None
        assert conversion.from_internal_type(None) is None


def test_classes_report_their_public_module() -> None:
    for cls in (TypeInformation, Types, BasicTypeInfo, RowTypeInfo, TupleTypeInfo, MapTypeInfo):
        assert cls.__module__ == "kolk.common.typeinfo"
    assert LocalTimeTypeInfo.TimeType.__qualname__ == "LocalTimeTypeInfo.TimeType"
