"""Row and RowKind behave as PyFlink's (pyflink.common.types)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk.common import Row, RowKind


def test_row_kind_prints_short_strings() -> None:
    assert [str(kind) for kind in RowKind] == ["+I", "-U", "+U", "-D"]
    assert [kind.short_string() for kind in RowKind] == ["+I", "-U", "+U", "-D"]
    assert [kind.value for kind in RowKind] == [0, 1, 2, 3]


def test_row_kind_has_no_java_counterpart() -> None:
    with pytest.raises(NotImplementedError, match=r"^RowKind.to_j_row_kind is not supported"):
        RowKind.INSERT.to_j_row_kind()


def test_positional_row() -> None:
    row = Row(1, "a")
    assert repr(row) == "<Row(1, 'a')>"
    assert str(row) == "<Row(1, 'a')>"
    assert row[0] == 1
    assert row[-1] == "a"
    assert row[0:2] == [1, "a"]
    assert list(row) == [1, "a"]
    assert len(row) == 2
    assert 1 in row
    assert row.get_row_kind() is RowKind.INSERT


def test_named_row_keeps_the_given_order() -> None:
    row = Row(name="Alice", age=11)
    assert repr(row) == "Row(name='Alice', age=11)"
    assert row.name == "Alice"
    assert row["age"] == 11
    assert "name" in row
    assert "Alice" not in row
    assert row.as_dict() == {"name": "Alice", "age": 11}


def test_field_name_factory() -> None:
    person = Row("name", "age")
    assert repr(person) == "<Row('name', 'age')>"
    assert "name" in person
    alice = person("Alice", 11)
    assert repr(alice) == "Row(name='Alice', age=11)"
    assert alice.age == 11
    with pytest.raises(ValueError, match="expected 2 values but got"):
        person("a", 1, 2)


def test_both_args_and_kwargs_is_an_error() -> None:
    with pytest.raises(ValueError, match="Can not use both args and kwargs to create Row"):
        Row(1, a=2)


def test_missing_fields_and_attributes() -> None:
    row = Row(a=1)
    with pytest.raises(AttributeError):
        _ = row.b
    with pytest.raises(AttributeError):
        _ = row._private
    with pytest.raises(ValueError):
        _ = row["b"]
    with pytest.raises(AttributeError):
        _ = Row(1)["a"]
    with pytest.raises(AttributeError):
        _ = Row(1).a


def test_rows_reject_new_attributes() -> None:
    row = Row(a=1)
    with pytest.raises(AttributeError):
        row.a = 2
    with pytest.raises(AttributeError):
        row.b = 2


def test_setitem_by_index_and_name() -> None:
    row = Row(a=1, b=2)
    row[0] = 10
    row["b"] = 20
    assert row.as_dict() == {"a": 10, "b": 20}
    with pytest.raises(ValueError):
        row["c"] = 3
    with pytest.raises(KeyError):
        Row(1)["a"] = 3


def test_as_dict_recursive() -> None:
    row = Row(key=1, value=Row(name="a", age=2), items=[Row(x=1)], mapping={"k": Row(y=2)})
    assert row.as_dict() == {
        "key": 1,
        "value": Row(name="a", age=2),
        "items": [Row(x=1)],
        "mapping": {"k": Row(y=2)},
    }
    assert row.as_dict(True) == {
        "key": 1,
        "value": {"name": "a", "age": 2},
        "items": [{"x": 1}],
        "mapping": {"k": {"y": 2}},
    }
    with pytest.raises(TypeError, match="Cannot convert a Row class into dict"):
        Row(1, 2).as_dict()


def test_row_kind_and_of_kind() -> None:
    row = Row.of_kind(RowKind.DELETE, 1, "a")
    assert row.get_row_kind() is RowKind.DELETE
    row.set_row_kind(RowKind.UPDATE_AFTER)
    assert row.get_row_kind() is RowKind.UPDATE_AFTER
    assert Row.of_kind(RowKind.UPDATE_BEFORE, a=1).as_dict() == {"a": 1}


def test_set_field_names_and_get_fields_by_names() -> None:
    row = Row(1, 2, 3)
    assert row.get_fields_by_names(["c", "a"]) == [1, 2, 3]  # positional: all values
    row.set_field_names(["a", "b", "c"])
    assert row.c == 3
    assert row.get_fields_by_names(["c", "a"]) == [3, 1]
    assert row.get_fields_by_names(["a", "b", "c"]) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"Field names \['x'\] not exist in \['a', 'b', 'c'\]\."):
        row.get_fields_by_names(["a", "x"])


def test_equality() -> None:
    assert Row(1, "a") == Row(1, "a")
    assert Row(1, "a") != Row("a", 1)
    assert Row(a=1, b=2) == Row(b=2, a=1)  # named rows compare by name
    assert Row(a=1, b=2) != Row(a=1, b=3)
    assert Row(a=1) != Row(1)
    assert Row(1) != Row(a=1)
    assert Row(1) != (1,)
    assert Row(1) != Row.of_kind(RowKind.DELETE, 1)


def test_hash_is_the_values_tuple_hash() -> None:
    assert hash(Row(1, "a")) == hash((1, "a"))
    assert len({Row(1, "a"), Row(1, "a"), Row(2)}) == 2


def test_pickle_round_trip_keeps_names_and_kind() -> None:
    row = Row.of_kind(RowKind.DELETE, name="a", age=1)
    copy = pickle.loads(pickle.dumps(row, protocol=5))
    assert copy == row
    assert repr(copy) == "Row(name='a', age=1)"
    assert copy.get_row_kind() is RowKind.DELETE
    positional = pickle.loads(pickle.dumps(Row(1, 2)))
    assert repr(positional) == "<Row(1, 2)>"


@given(st.lists(st.one_of(st.integers(), st.text(), st.none()), max_size=8))
def test_positional_rows_behave_like_lists(values: list[object]) -> None:
    row = Row(*values)
    assert list(row) == values
    assert len(row) == len(values)
    assert row == Row(*values)
    assert repr(row) == "<Row({})>".format(", ".join(repr(v) for v in values))
