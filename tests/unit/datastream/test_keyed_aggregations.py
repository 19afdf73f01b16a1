"""sum/min/max/min_by/max_by: the reduce functions behind them, called directly.

Each case folds a key's elements the way Flink's reduce operator does (the first element is
the initial result, then ``reduce(result, element)``) and checks every emitted result.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from kolk.common import Row
from kolk.datastream import KeyedStream
from kolk.datastream._aggregations import AccumulateReduceFunction, AccumulateType


def running(acc: str, position: Any, elements: list[Any]) -> list[Any]:
    """The results a reduce operator emits for one key's elements."""
    function = AccumulateReduceFunction(position, AccumulateType[acc])
    result = elements[0]
    emitted = [result]
    for element in elements[1:]:
        result = function.reduce(result, element)
        emitted.append(result)
    return emitted


def test_public_enum() -> None:
    assert KeyedStream.AccumulateType is AccumulateType
    assert [(m.name, m.value) for m in AccumulateType] == [
        ("MIN", 1),
        ("MAX", 2),
        ("MIN_BY", 3),
        ("MAX_BY", 4),
        ("SUM", 5),
    ]
    assert (AccumulateType.__module__, AccumulateType.__qualname__) == (
        "kolk.datastream.data_stream",
        "KeyedStream.AccumulateType",
    )


@pytest.mark.parametrize(
    ("acc", "expected"),
    [
        ("SUM", [("a", 1, "x"), ("a", 4, "x"), ("a", 6, "x")]),
        ("MIN", [("a", 1, "x"), ("a", 1, "x"), ("a", 1, "x")]),
        ("MAX", [("a", 1, "x"), ("a", 3, "x"), ("a", 3, "x")]),
        ("MIN_BY", [("a", 1, "x"), ("a", 1, "x"), ("a", 1, "x")]),
        ("MAX_BY", [("a", 1, "x"), ("a", 3, "y"), ("a", 3, "y")]),
    ],
)
def test_tuples(acc: str, expected: list[Any]) -> None:
    elements = [("a", 1, "x"), ("a", 3, "y"), ("a", 2, "z")]
    assert running(acc, 1, elements) == expected


def test_tuple_results_are_tuples() -> None:
    assert all(type(r) is tuple for r in running("SUM", 1, [("a", 1), ("a", 2)]))


def test_min_by_and_max_by_keep_the_earlier_element_on_a_tie() -> None:
    elements = [("a", 1, "first"), ("a", 1, "second")]
    assert running("MIN_BY", 1, elements)[-1] == ("a", 1, "first")
    assert running("MAX_BY", 1, elements)[-1] == ("a", 1, "first")


@pytest.mark.parametrize(
    ("acc", "expected"),
    [
        ("SUM", [["a", 5], ["a", 7], ["a", 16]]),
        ("MIN", [["a", 5], ["a", 2], ["a", 2]]),
        ("MAX", [["a", 5], ["a", 5], ["a", 9]]),
    ],
)
def test_lists(acc: str, expected: list[Any]) -> None:
    assert running(acc, 1, [["a", 5], ["a", 2], ["a", 9]]) == expected


def test_emitted_lists_are_never_changed_afterwards() -> None:
    first = ["a", 1]
    emitted = running("SUM", 1, [first, ["a", 2], ["a", 3]])
    assert emitted == [["a", 1], ["a", 3], ["a", 6]]
    assert first == ["a", 1]


def test_rows_by_position() -> None:
    emitted = running("SUM", 1, [Row("a", 1), Row("a", 2), Row("a", 3)])
    assert emitted == [Row("a", 1), Row("a", 3), Row("a", 6)]
    assert all(isinstance(r, Row) for r in emitted)


def test_rows_by_field_name() -> None:
    elements = [Row(key="a", value=4), Row(key="a", value=1), Row(key="a", value=7)]
    assert running("MIN", "value", elements) == [
        Row(key="a", value=4),
        Row(key="a", value=1),
        Row(key="a", value=1),
    ]
    assert running("MAX_BY", "value", elements)[-1] is elements[2]
    assert elements[0] == Row(key="a", value=4)


@pytest.mark.parametrize(
    ("acc", "expected"),
    [
        ("SUM", [3, 4, 9]),
        ("MIN", [3, 1, 1]),
        ("MAX", [3, 3, 5]),
        ("MIN_BY", [3, 1, 1]),
        ("MAX_BY", [3, 3, 5]),
    ],
)
def test_plain_numbers(acc: str, expected: list[int]) -> None:
    assert running(acc, 0, [3, 1, 5]) == expected


def test_plain_strings_sum_concatenates() -> None:
    assert running("SUM", 0, ["a", "b"]) == ["a", "ab"]


def test_plain_values_allow_position_zero_only() -> None:
    with pytest.raises(
        TypeError,
        match=r"^The 1 field selected on a basic type\. A field "
        r"expression on a basic type can only select the 0th field \(which means "
        r"selecting the entire basic type\)\.$",
    ):
        running("SUM", 1, [1, 2])


def test_field_names_need_rows() -> None:
    with pytest.raises(
        TypeError,
        match=r"^Field name 'value' cannot select a field of a tuple: "
        r"names work on Rows with field names \(Types.ROW_NAMED\); use the "
        r"field's position, e.g. 1$",
    ):
        running("SUM", "value", [("a", 1), ("a", 2)])


def test_the_kind_is_decided_by_the_first_element_reduced() -> None:
    function = AccumulateReduceFunction(1, AccumulateType.SUM)
    assert function.reduce(("a", 1), ("a", 2)) == ("a", 3)
    assert function.reduce(["a", 1], ("a", 2)) == ("a", 3)


def test_pickles_without_its_chosen_logic() -> None:
    function = AccumulateReduceFunction(1, AccumulateType.MAX)
    function.reduce(("a", 1), ("a", 2))
    copy = pickle.loads(pickle.dumps(function))
    assert copy.reduce(["a", 1], ["a", 5]) == ["a", 5]
