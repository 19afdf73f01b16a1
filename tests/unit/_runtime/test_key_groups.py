"""Key groups: Flink's KeyGroupRangeAssignment and PyFlink's Java-side key hash."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk._runtime import key_groups
from kolk._runtime.key_groups import (
    KeyGroupAssigner,
    KeyGroupRange,
    assign_key_to_parallel_operator,
    assign_to_key_group,
    compute_default_max_parallelism,
    java_hasher,
    key_group_range_for_subtask,
    key_hash,
    operator_index_for_key_group,
    round_up_to_power_of_two,
)
from kolk._util.java import java_bytes_hash, java_string_hash, murmur_hash, to_int32
from kolk.common import Row, RowKind, Types

# -- the reference from pyflink_behaviour.md §2.2, validated against Flink on 1,020 keys --------


def _reference_murmur(code: int) -> int:
    def rotl(x: int, r: int) -> int:
        return ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF

    c = code & 0xFFFFFFFF
    c = rotl((c * 0xCC9E2D51) & 0xFFFFFFFF, 15)
    c = rotl((c * 0x1B873593) & 0xFFFFFFFF, 13)
    c = ((c * 5 + 0xE6546B64) & 0xFFFFFFFF) ^ 4
    c ^= c >> 16
    c = (c * 0x85EBCA6B) & 0xFFFFFFFF
    c ^= c >> 13
    c = (c * 0xC2B2AE35) & 0xFFFFFFFF
    c ^= c >> 16
    c = c - (1 << 32) if c & 0x80000000 else c
    return c if c >= 0 else (-c if c != -(2**31) else 0)


def pyflink_key_subtask(key: Any, parallelism: int, max_parallelism: int = 128) -> int:
    h = 1
    for x in pickle.dumps(key, protocol=5):
        h = (31 * h + (x - 256 if x > 127 else x)) & 0xFFFFFFFF
    h = (h + 62) & 0xFFFFFFFF
    return (_reference_murmur(h) % max_parallelism) * parallelism // max_parallelism


# -- max parallelism and ranges ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parallelism", "expected"),
    [
        (1, 128),
        (2, 128),
        (85, 128),
        (86, 256),
        (100, 256),
        (1000, 2048),
        (30000, 32768),
        (32768, 32768),
    ],
)
def test_default_max_parallelism(parallelism: int, expected: int) -> None:
    assert compute_default_max_parallelism(parallelism) == expected


@pytest.mark.parametrize("parallelism", [0, -1, 32769])
def test_default_max_parallelism_rejects_bad_parallelism(parallelism: int) -> None:
    with pytest.raises(ValueError, match="Operator parallelism not within bounds"):
        compute_default_max_parallelism(parallelism)


def test_round_up_to_power_of_two() -> None:
    assert [round_up_to_power_of_two(x) for x in (0, 1, 2, 3, 4, 5, 129)] == [0, 1, 2, 4, 4, 8, 256]


def test_key_group_ranges_from_the_notes() -> None:
    assert [key_group_range_for_subtask(128, 2, i) for i in range(2)] == [
        KeyGroupRange(0, 63),
        KeyGroupRange(64, 127),
    ]
    assert [key_group_range_for_subtask(128, 3, i) for i in range(3)] == [
        KeyGroupRange(0, 42),
        KeyGroupRange(43, 85),
        KeyGroupRange(86, 127),
    ]


def test_key_group_range_container_behaviour() -> None:
    kg_range = KeyGroupRange(3, 5)
    assert len(kg_range) == 3
    assert list(kg_range) == [3, 4, 5]
    assert 3 in kg_range
    assert 5 in kg_range
    assert 6 not in kg_range
    assert "3" not in kg_range
    empty = KeyGroupRange.empty()
    assert (empty.start, empty.end, len(empty), list(empty)) == (0, -1, 0, [])
    assert kg_range.intersection(KeyGroupRange(5, 9)) == KeyGroupRange(5, 5)
    assert kg_range.intersection(KeyGroupRange(7, 9)) == KeyGroupRange.empty()


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 3)])
def test_key_group_range_rejects_invalid_bounds(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="invalid key group range"):
        KeyGroupRange(start, end)


def test_range_for_subtask_validates() -> None:
    with pytest.raises(ValueError, match="Maximum parallelism must not be smaller"):
        key_group_range_for_subtask(2, 4, 0)
    with pytest.raises(ValueError, match="operator index 2 not in"):
        key_group_range_for_subtask(128, 2, 2)


@given(st.integers(min_value=1, max_value=64), st.integers(min_value=0, max_value=512))
def test_ranges_partition_the_key_groups(parallelism: int, extra: int) -> None:
    max_parallelism = parallelism + extra
    ranges = [
        key_group_range_for_subtask(max_parallelism, parallelism, i) for i in range(parallelism)
    ]
    assert [kg for r in ranges for kg in r] == list(range(max_parallelism))
    for index, kg_range in enumerate(ranges):
        for key_group in kg_range:
            assert operator_index_for_key_group(max_parallelism, parallelism, key_group) == index


# -- placement of pickled keys ------------------------------------------------------------------

SUBTASK_1 = ["user1", "user2", "user3", "hello", "machine1", "machine2", 3, 42]
SUBTASK_0 = ["world", "flink", "A", "B", 1, 2]


@pytest.mark.parametrize("key", SUBTASK_1)
def test_seed_keys_on_subtask_1(key: Any) -> None:
    assert assign_key_to_parallel_operator(key, 128, 2) == 1
    assert KeyGroupAssigner(128).operator_index(key, 2) == 1


@pytest.mark.parametrize("key", SUBTASK_0)
def test_seed_keys_on_subtask_0(key: Any) -> None:
    assert assign_key_to_parallel_operator(key, 128, 2) == 0
    assert KeyGroupAssigner(128).operator_index(key, 2) == 0


keys = st.recursive(
    st.one_of(st.text(), st.integers(), st.booleans(), st.floats(allow_nan=False), st.binary()),
    lambda children: st.one_of(st.tuples(children, children), st.lists(children, max_size=3)),
    max_leaves=6,
)


@given(keys, st.sampled_from([1, 2, 3, 4, 8, 16]))
def test_placement_matches_the_validated_reference(key: Any, parallelism: int) -> None:
    expected = pyflink_key_subtask(key, parallelism)
    assert assign_key_to_parallel_operator(key, 128, parallelism) == expected
    assert KeyGroupAssigner(128).operator_index(key, parallelism) == expected


def test_pickled_key_hash_formula() -> None:
    assert key_hash("a") == key_hash("a", Types.PICKLED_BYTE_ARRAY())
    expected = 1
    for byte in pickle.dumps("a", protocol=5):
        expected = (31 * expected + (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF
    assert key_hash("a") == to_int32(expected + 62)


# -- declared key types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "key_type", "expected"),
    [
        ("red", Types.STRING(), 62 + 112785),
        (5, Types.INT(), 67),
        (-3, Types.SHORT(), 59),
        (-3, Types.BYTE(), 59),
        (2**32, Types.LONG(), 63),
        (True, Types.BOOLEAN(), 1231 + 62),
        (False, Types.BOOLEAN(), 1237 + 62),
        (1.5, Types.DOUBLE(), 0x3FF80000 + 62),
        (1.5, Types.FLOAT(), 0x3FC00000 + 62),
        ("a", Types.CHAR(), 97 + 62),
        (2**32, Types.BIG_INT(), 31 + 62),
    ],
)
def test_basic_key_types_hash_as_java(key: Any, key_type: Any, expected: int) -> None:
    assert key_hash(key, key_type) == expected


def test_declared_string_type_moves_a_key() -> None:
    assert assign_key_to_parallel_operator("red", 128, 2) == 1
    assert assign_key_to_parallel_operator("red", 128, 2, Types.STRING()) == 0


def test_tuple_key_hash_is_java_tuple_hash() -> None:
    key_type = Types.TUPLE([Types.STRING(), Types.INT()])
    assert key_hash(("a", 1), key_type) == (31 * 97 + 1) + 62
    assert key_hash(["a", 1], key_type) == key_hash(("a", 1), key_type)
    assert key_hash(("a", None), key_type) == 31 * 97 + 62
    nested = Types.TUPLE([Types.STRING(), Types.TUPLE([Types.STRING(), Types.INT()])])
    assert key_hash(("b", ("a", 1)), nested) == to_int32(31 * 98 + (31 * 97 + 1) + 62)


def test_row_key_hash_is_java_row_hash() -> None:
    key_type = Types.ROW([Types.STRING(), Types.INT()])
    fields = 31 * (31 * 1 + (31 + 97)) + (31 + 1)  # deepHashCodeArray of ["a", 1]
    assert key_hash(Row("a", 1), key_type) == fields + 62
    assert key_hash(("a", 1), key_type) == fields + 62
    assert key_hash(Row.of_kind(RowKind.DELETE, "a", 1), key_type) == 31 * 3 + fields + 62
    named = Types.ROW_NAMED(["x", "y"], [Types.STRING(), Types.INT()])
    assert key_hash(Row(y=1, x="a"), named) == fields + 62
    assert key_hash({"x": "a", "y": 1}, named) == fields + 62


def test_collection_key_types_hash_deeply() -> None:
    # RowUtils.deepHashCodeList over elements hashed as 31 + Integer.hashCode.
    assert key_hash([1, 2], Types.LIST(Types.INT())) == 31 + (31 * (31 * 1 + 32) + 33)
    # RowUtils.deepHashCodeMap: 1 + sum of (31 + hash(k)) ^ (31 + hash(v)).
    assert key_hash({"a": 1}, Types.MAP(Types.STRING(), Types.INT())) == 31 + 1 + (128 ^ 32)
    assert key_hash([1, 2], Types.BASIC_ARRAY(Types.INT())) == 31 + (31 * (31 * 1 + 32) + 33)
    assert key_hash([1, 2], Types.PRIMITIVE_ARRAY(Types.INT())) == 62 + (31 * (31 + 1) + 2)
    assert key_hash(b"\x01\x02", Types.PRIMITIVE_ARRAY(Types.BYTE())) == 62 + (31 * 32 + 2)
    assert key_hash([1, 2], Types.PRIMITIVE_ARRAY(Types.BYTE())) == 62 + (31 * 32 + 2)


@pytest.mark.parametrize(
    ("key", "key_type"),
    [
        (Decimal("1.5"), Types.BIG_DEC()),
        (("a", 1), Types.TUPLE([Types.STRING(), Types.PICKLED_BYTE_ARRAY()])),
        (("a", [1]), Types.TUPLE([Types.STRING(), Types.PRIMITIVE_ARRAY(Types.INT())])),
        ("x", Types.SQL_DATE()),
    ],
)
def test_unreproducible_types_fall_back_to_the_pickled_hash(key: Any, key_type: Any) -> None:
    assert key_hash(key, key_type) == key_hash(key)


def test_java_hasher_exposes_plain_hash_codes() -> None:
    string_hash = java_hasher(Types.STRING())
    assert string_hash is not None
    assert string_hash("red") == java_string_hash("red")
    assert java_hasher(Types.PICKLED_BYTE_ARRAY()) is None
    assert java_hasher(Types.PRIMITIVE_ARRAY(Types.INT())) is None


@pytest.mark.parametrize(
    ("key", "key_type", "error"),
    [
        (1, Types.STRING(), TypeError),
        ("1", Types.INT(), TypeError),
        (2**31, Types.INT(), ValueError),
        (2**63, Types.LONG(), ValueError),
        ("ab", Types.CHAR(), TypeError),
        (5, Types.TUPLE([Types.INT()]), TypeError),
        (5, Types.ROW([Types.INT()]), TypeError),
    ],
)
def test_keys_that_do_not_fit_the_declared_type(key: Any, key_type: Any, error: type) -> None:
    with pytest.raises(error):
        key_hash(key, key_type)


def test_unpicklable_key_explains_itself() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        key_hash(lambda: 1)


# -- the assigner -------------------------------------------------------------------------------


def test_none_is_a_key_like_any_other_as_in_pyflink() -> None:
    # PyFlink pickles the key, so None travels as the bytes of pickle.dumps(None); with a
    # declared key type it becomes Row(null), whose Java hashCode is 0 + 62.
    pickled = KeyGroupAssigner(128).assign(None)
    assert pickled == murmur_hash(key_hash(None)) % 128
    assert key_hash(None) == to_int32(java_bytes_hash(pickle.dumps(None, protocol=5)) + 62)
    assert KeyGroupAssigner(128, Types.STRING()).assign(None) == murmur_hash(62) % 128
    assert assign_to_key_group(None, 128, Types.INT()) == murmur_hash(62) % 128


def test_equal_python_keys_of_different_types_never_share_a_cache_entry() -> None:
    assigner = KeyGroupAssigner(128)
    for key in (1, True, 1.0, ("a", 1), ("a", True), ("a", 1.0), "1", 0, False, 0.0):
        assert assigner.assign(key) == assign_to_key_group(key, 128)
    assert set(assigner._cache) == {1, ("a", 1), "1", 0}
    assert all(type(k) in (int, str, tuple) for k in assigner._cache)
    assert assigner.assign(True) == assign_to_key_group(True, 128)


def test_unhashable_keys_are_assigned_without_caching() -> None:
    assigner = KeyGroupAssigner(128)
    for key in ([1, 2], {"a": 1}, ("a", [1])):
        assert assigner.assign(key) == assign_to_key_group(key, 128)
    assert assigner._cache == {}


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_groups, "_CACHE_LIMIT", 3)
    assigner = KeyGroupAssigner(128)
    for key in ("a", "b", "c"):
        assigner.assign(key)
    assert len(assigner._cache) == 3
    assert assigner.assign("d") == assign_to_key_group("d", 128)
    assert assigner._cache == {"d": assign_to_key_group("d", 128)}


def test_str_cache_get_reads_the_cache_and_survives_clearing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(key_groups, "_CACHE_LIMIT", 2)
    assigner = KeyGroupAssigner(128)
    get = assigner.str_cache_get
    assert get("a") is None
    assigner.assign("a")
    assert get("a") == assign_to_key_group("a", 128)
    assigner.assign("b")
    assigner.assign("c")  # clears the cache in place
    assert get("a") is None
    assert get("c") == assign_to_key_group("c", 128)


def test_typed_assigner_uses_the_declared_type() -> None:
    assigner = KeyGroupAssigner(128, Types.STRING())
    assert assigner.key_type == Types.STRING()
    assert assigner.max_parallelism == 128
    assert assigner.operator_index("red", 2) == 0
    assert assigner.assign("red") == assign_to_key_group("red", 128, Types.STRING())


def test_assigner_rejects_bad_max_parallelism() -> None:
    with pytest.raises(ValueError, match="max parallelism must be positive"):
        KeyGroupAssigner(0)


@given(st.lists(keys, max_size=20), st.sampled_from([128, 256, 1000]))
def test_assigner_agrees_with_the_function(key_list: list[Any], max_parallelism: int) -> None:
    assigner = KeyGroupAssigner(max_parallelism)
    for key in key_list + key_list:
        result = assigner.assign(key)
        assert 0 <= result < max_parallelism
        assert result == assign_to_key_group(key, max_parallelism)


_SUBPROCESS_CODE = """
import json
from kolk._runtime.key_groups import KeyGroupAssigner
from kolk.common import Types
keys = ["user1", "hello", "red", "", "ü", 42, -7, 2**70, 1.5, True, 0, ("a", 1),
        ("x", ("y", 2.5)), [1, "b"], {"k": [1, 2]}, b"raw"]
pickled = KeyGroupAssigner(128)
typed = KeyGroupAssigner(128, Types.STRING())
print(json.dumps([[pickled.assign(k) for k in keys],
                  [typed.assign(k) for k in keys if isinstance(k, str)]]))
"""


def test_assignment_does_not_depend_on_pythonhashseed() -> None:
    outputs = []
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        completed = subprocess.run(
            [sys.executable, "-c", _SUBPROCESS_CODE],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(completed.stdout))
    assert all(output == outputs[0] for output in outputs)
    assert outputs[0][0][:2] == [
        assign_to_key_group("user1", 128),
        assign_to_key_group("hello", 128),
    ]
