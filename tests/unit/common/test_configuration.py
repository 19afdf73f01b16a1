"""Configuration: PyFlink's surface over a dict of strings with Java's conversions."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk.common import Configuration


def test_empty_and_copy_constructor() -> None:
    conf = Configuration()
    assert conf.to_dict() == {}
    conf.set_string("a", "1")
    other = Configuration(conf)
    other.set_string("b", "2")
    assert conf.to_dict() == {"a": "1"}
    assert other.to_dict() == {"a": "1", "b": "2"}


def test_java_configuration_is_rejected() -> None:
    with pytest.raises(TypeError, match="kolk has no JVM"):
        Configuration(j_configuration=object())


def test_from_dict_stores_java_text() -> None:
    conf = Configuration.from_dict({"s": "x", "i": 3, "b": True, "f": 1e20})
    assert conf.to_dict() == {"s": "x", "i": "3", "b": "true", "f": "1.0E20"}


def test_strings() -> None:
    conf = Configuration()
    assert conf.set_string("k", "v") is conf
    assert conf.get_string("k", "d") == "v"
    assert conf.get_string("missing", "d") == "d"


def test_integers() -> None:
    conf = Configuration().set_integer("parallelism.default", 4)
    assert conf.get_string("parallelism.default", "") == "4"
    assert conf.get_integer("parallelism.default", 1) == 4
    assert conf.get_integer("missing", 7) == 7
    conf.set_string("spaced", " -12 ")
    assert conf.get_integer("spaced", 0) == -12
    conf.set_string("bad", "1.5")
    with pytest.raises(ValueError, match=r"Could not parse value '1\.5' for key 'bad'\."):
        conf.get_integer("bad", 0)


def test_booleans() -> None:
    conf = Configuration().set_boolean("a", True).set_boolean("b", False)
    assert conf.to_dict() == {"a": "true", "b": "false"}
    assert conf.get_boolean("a", False) is True
    assert conf.get_boolean("b", True) is False
    assert conf.get_boolean("missing", True) is True
    conf.set_string("upper", "TRUE")
    assert conf.get_boolean("upper", False) is True
    conf.set_string("bad", "yes")
    with pytest.raises(ValueError, match="Expected either true or false"):
        conf.get_boolean("bad", False)


def test_floats() -> None:
    conf = Configuration().set_float("f", 0.5).set_float("g", 3)
    assert conf.to_dict() == {"f": "0.5", "g": "3.0"}
    assert conf.get_float("f", 0.0) == 0.5
    assert conf.get_float("missing", 2) == 2.0
    conf.set_string("bad", "x")
    with pytest.raises(ValueError, match=r"Could not parse value 'x' for key 'bad'\."):
        conf.get_float("bad", 0.0)


def test_bytearrays() -> None:
    conf = Configuration().set_bytearray("b", bytearray(b"\x00\xffab"))
    assert conf.get_string("b", "") == "AP9hYg=="
    assert conf.get_bytearray("b", bytearray()) == bytearray(b"\x00\xffab")
    assert conf.get_bytearray("missing", bytearray(b"d")) == bytearray(b"d")
    conf.set_string("bad", "!!")
    with pytest.raises(ValueError, match="Could not parse value"):
        conf.get_bytearray("bad", bytearray())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("a.jar;b.jar", ["a.jar", "b.jar"]),
        ("single", ["single"]),
        ("[a, 'b c', \"d\"]", ["a", "b c", "d"]),
        ("[]", []),
        ("- a\n- b", ["a", "b"]),
    ],
)
def test_parse_list_value(text: str, expected: list[str]) -> None:
    assert Configuration.parse_list_value(text) == expected


def test_keys_add_all_remove() -> None:
    conf = Configuration.from_dict({"a": "1", "b": "2"})
    assert conf.key_set() == {"a", "b"}
    assert conf.contains_key("a")
    assert not conf.contains_key("z")
    target = {"x": "0"}
    conf.add_all_to_dict(target)
    assert target == {"x": "0", "a": "1", "b": "2"}
    other = Configuration.from_dict({"c": "3"})
    assert conf.add_all(other) is conf
    conf.add_all(other, "p.")
    assert conf.to_dict() == {"a": "1", "b": "2", "c": "3", "p.c": "3"}
    assert conf.remove_config("a") is True
    assert conf.remove_config("a") is False
    assert "a" not in conf.to_dict()


def test_deepcopy_equality_hash_and_str() -> None:
    conf = Configuration.from_dict({"a": "1", "s3.secret-key": "hidden"})
    clone = copy.deepcopy(conf)
    assert clone == conf
    assert hash(clone) == hash(conf)
    assert clone is not conf
    clone.set_string("a", "2")
    assert conf.get_string("a", "") == "1"
    assert clone != conf
    assert conf != {"a": "1"}
    assert str(conf) == "{a=1, s3.secret-key=******}"


@given(st.dictionaries(st.text(), st.text()))
def test_to_dict_round_trips(entries: dict[str, str]) -> None:
    conf = Configuration.from_dict(entries)
    assert conf.to_dict() == entries
    assert Configuration.from_dict(conf.to_dict()) == conf


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_integer_round_trip(value: int) -> None:
    assert Configuration().set_integer("k", value).get_integer("k", 0) == value


@given(st.floats(allow_nan=False))
def test_float_round_trip(value: float) -> None:
    assert Configuration().set_float("k", value).get_float("k", 0.0) == value
