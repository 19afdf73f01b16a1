"""What ``print()`` writes for a record depends on the stream's declared type, as in PyFlink.

PyFlink's ``DataStream.print`` first calls ``_align_output_type`` (data_stream.py): a pickled
stream gets a map applying Python's ``str()``; a ``Row`` type a map writing
``'{}[{}]'.format(row.get_row_kind(), ','.join(str(v) ...))``; any other declared type reaches
Java's print sink, which writes the Java object's ``toString()`` (``(a,1)``, ``true``,
``1.0E20``, ``{a=1}``). Each case below runs as a whole job at p = 1, 2, 4.
"""

from __future__ import annotations

from typing import Any

import pytest
from printed_output import assert_records, parse_printed

from kolk.common import Row, RowKind, Types
from kolk.datastream import StreamExecutionEnvironment


def _updated_row() -> Row:
    row = Row("a", 1)
    row.set_row_kind(RowKind.UPDATE_AFTER)
    return row


# (id, input elements, map function, output_type, expected printed records)
CASES: list[tuple[str, list[Any], Any, Any, list[str]]] = [
    (
        "tuple",
        [("a", 1), ("b", 2)],
        lambda t: t,
        Types.TUPLE([Types.STRING(), Types.INT()]),
        ["(a,1)", "(b,2)"],
    ),
    (
        "boolean-in-tuple",
        [("a", True), ("b", False)],
        lambda t: t,
        Types.TUPLE([Types.STRING(), Types.BOOLEAN()]),
        ["(a,true)", "(b,false)"],
    ),
    (
        "double-in-tuple",
        [(1e20, 0.5), (1e7, 1e-4), (100.0, 0.001)],
        lambda t: t,
        Types.TUPLE([Types.DOUBLE(), Types.DOUBLE()]),
        ["(1.0E20,0.5)", "(1.0E7,1.0E-4)", "(100.0,0.001)"],
    ),
    (
        "float-in-tuple",
        [(1 / 3, 0.5), (1.0, 2.5e10)],
        lambda t: t,
        Types.TUPLE([Types.FLOAT(), Types.FLOAT()]),
        ["(0.33333334,0.5)", "(1.0,2.5E10)"],
    ),
    (
        "row",
        [("a", 1), ("b", 2)],
        lambda t: Row(t[0], t[1]),
        Types.ROW([Types.STRING(), Types.INT()]),
        ["+I[a,1]", "+I[b,2]"],
    ),
    (
        "row-named",
        [("a", 1)],
        lambda t: Row(name=t[0], count=t[1]),
        Types.ROW_NAMED(["name", "count"], [Types.STRING(), Types.INT()]),
        ["+I[a,1]"],
    ),
    (
        "row-kind",
        [("a", 1)],
        lambda t: _updated_row(),
        Types.ROW([Types.STRING(), Types.INT()]),
        ["+U[a,1]"],
    ),
    (
        "row-fields-print-with-python-str",
        [("a", 1)],
        lambda t: Row(t[0], 0.5, True),
        Types.ROW([Types.STRING(), Types.DOUBLE(), Types.BOOLEAN()]),
        ["+I[a,0.5,True]"],
    ),
    (
        "nested-tuple",
        [("a", ("b", 1))],
        lambda t: t,
        Types.TUPLE([Types.STRING(), Types.TUPLE([Types.STRING(), Types.INT()])]),
        ["(a,(b,1))"],
    ),
    (
        "row-in-tuple-is-javas-row-tostring",
        [("x", ("a", 1))],
        lambda t: (t[0], Row(*t[1])),
        Types.TUPLE([Types.STRING(), Types.ROW([Types.STRING(), Types.INT()])]),
        ["(x,+I[a, 1])"],
    ),
    (
        "list-and-map-in-tuple",
        [("a", 1)],
        lambda t: ([1, 2], {"a": 1}),
        Types.TUPLE([Types.LIST(Types.INT()), Types.MAP(Types.STRING(), Types.INT())]),
        ["([1, 2],{a=1})"],
    ),
    (
        "map-in-java-hashmap-order",
        [("a", 1)],
        lambda t: ("m", {"b": 2, "a": 1}),
        Types.TUPLE([Types.STRING(), Types.MAP(Types.STRING(), Types.INT())]),
        ["(m,{a=1, b=2})"],
    ),
    ("string", [("a", 1), ("b", 2)], lambda t: t[0], Types.STRING(), ["a", "b"]),
    ("int", [("a", 1), ("b", 2)], lambda t: t[1], Types.INT(), ["1", "2"]),
    ("boolean", [("a", 1)], lambda t: True, Types.BOOLEAN(), ["true"]),
    ("double", [("a", 1)], lambda t: 1e20, Types.DOUBLE(), ["1.0E20"]),
    # No declared type: pickled, printed with Python's str() (pyflink_behaviour §2.2).
    ("pickled-tuple", [("a", 1), ("b", 2)], lambda t: t, None, ["('a', 1)", "('b', 2)"]),
    ("pickled-none", [("a", 1)], lambda t: None, None, ["None"]),
    ("pickled-list", [("a", 1)], lambda t: [1, 2], None, ["[1, 2]"]),
    ("pickled-dict", [("a", 1)], lambda t: {"a": 1}, None, ["{'a': 1}"]),
    ("pickled-float", [("a", 1)], lambda t: 1.5, None, ["1.5"]),
    ("pickled-bool", [("a", 1)], lambda t: True, None, ["True"]),
]


@pytest.mark.parametrize(
    ("elements", "function", "output_type", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_records_print_as_their_declared_type(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    elements: list[Any],
    function: Any,
    output_type: Any,
    expected: list[str],
) -> None:
    env.from_collection(elements).map(function, output_type=output_type).print()

    env.execute()

    assert_records(parse_printed(capsys.readouterr().out, parallelism), expected, parallelism)


def test_typed_records_keep_their_type_across_a_network_edge(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = Types.TUPLE([Types.STRING(), Types.DOUBLE()])
    env.disable_operator_chaining()
    env.from_collection([("a", 1.0), ("b", 1e-5)]).map(
        lambda t: t, output_type=pair
    ).rebalance().filter(lambda t: True).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, ["(a,1.0)", "(b,1.0E-5)"], parallelism)


def test_from_collection_type_info_decides_printing(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = Types.TUPLE([Types.STRING(), Types.INT()])
    env.from_collection([("a", 1), ("b", 2)], type_info=pairs).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, ["(a,1)", "(b,2)"], parallelism)


def test_reduce_keeps_the_keyed_streams_declared_type(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # PyFlink's KeyedStream.reduce: output_type = the KeyedStream's original type.
    pairs = Types.TUPLE([Types.STRING(), Types.INT()])
    env.from_collection([("a", 1), ("b", 2), ("a", 3)], type_info=pairs).key_by(
        lambda t: t[0]
    ).reduce(lambda x, y: (x[0], x[1] + y[1])).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, ["(a,1)", "(b,2)", "(a,4)"], parallelism)


def test_sum_keeps_a_declared_row_type(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = Types.ROW([Types.STRING(), Types.INT()])
    # The map at parallelism 1 keeps one channel into the keyed subtask, hence a fixed order.
    env.from_collection([("a", 1), ("a", 2)]).map(
        lambda t: Row(t[0], t[1]), output_type=rows
    ).set_parallelism(1).key_by(lambda r: r[0]).sum(1).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert [text for _, text in printed] == ["+I[a,1]", "+I[a,3]"]


def test_a_pickled_stream_stays_pickled_after_key_by(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection([("a", 1), ("a", 2)]).key_by(lambda t: t[0]).reduce(
        lambda x, y: (x[0], x[1] + y[1])
    ).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert [text for _, text in printed] == ["('a', 1)", "('a', 3)"]


def test_a_row_typed_source_hands_functions_rows(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = Types.ROW([Types.STRING(), Types.INT()])
    env.from_collection([("a", 1)], type_info=rows).map(lambda r: r).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert [text for _, text in printed] == ["Row(f0='a', f1=1)"]
