"""NumberSequenceSource's runtime: splitting the range, and a subtask emitting its split."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kolk._runtime.operators.base import OperatorEnvironment
from kolk._runtime.operators.factories import NumberSequenceSourceFactory
from kolk._runtime.operators.number_sequence import (
    NumberSequenceSourceOperator,
    NumberSequenceSplit,
    split_number_range,
)
from kolk._runtime.operators.runtime_context import StreamingRuntimeContext

# -- splitting ----------------------------------------------------------------------------------


def bounds(splits: list[NumberSequenceSplit]) -> list[tuple[int, int]]:
    return [(split.start, split.end) for split in splits]


def test_one_split_is_the_whole_range() -> None:
    assert split_number_range(1, 1000, 1) == [NumberSequenceSplit("1", 1, 1000)]


def test_an_even_range_splits_into_equal_contiguous_parts() -> None:
    assert bounds(split_number_range(1, 1000, 4)) == [
        (1, 250),
        (251, 500),
        (501, 750),
        (751, 1000),
    ]


def test_the_first_splits_take_the_remainder() -> None:
    # 10 numbers in 4 splits: 10 = 4 * 2 + 2, so the first two splits hold 3 numbers.
    splits = split_number_range(0, 9, 4)
    assert bounds(splits) == [(0, 2), (3, 5), (6, 7), (8, 9)]
    assert [len(split) for split in splits] == [3, 3, 2, 2]
    assert [split.split_id for split in splits] == ["1", "2", "3", "4"]


def test_more_splits_than_numbers_leaves_the_last_splits_empty() -> None:
    splits = split_number_range(5, 7, 5)
    assert bounds(splits) == [(5, 5), (6, 6), (7, 7), (8, 7), (8, 7)]
    assert [len(split) for split in splits] == [1, 1, 1, 0, 0]


def test_negative_and_long_wide_ranges_split_without_overflow() -> None:
    assert bounds(split_number_range(-5, 4, 3)) == [(-5, -2), (-1, 1), (2, 4)]
    low, high = -(2**63), 2**63 - 1
    splits = split_number_range(low, high, 2)
    assert bounds(splits) == [(low, -1), (0, high)]


def test_an_empty_range_gives_empty_splits() -> None:
    assert [len(split) for split in split_number_range(3, 2, 2)] == [0, 0]


def test_bad_split_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="number of splits must be at least 1, got 0"):
        split_number_range(1, 10, 0)
    with pytest.raises(ValueError, match=r"range \[5, 3\] is invalid"):
        split_number_range(5, 3, 2)


@given(
    start=st.integers(min_value=-(10**6), max_value=10**6),
    count=st.integers(min_value=0, max_value=3000),
    num_splits=st.integers(min_value=1, max_value=64),
)
def test_splits_cover_the_range_once_in_order_with_sizes_one_apart(
    start: int, count: int, num_splits: int
) -> None:
    end = start + count - 1
    splits = split_number_range(start, end, num_splits)
    assert len(splits) == num_splits
    numbers = [n for split in splits for n in range(split.start, split.end + 1)]
    assert numbers == list(range(start, end + 1))
    sizes = [len(split) for split in splits]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)
    for before, after in itertools.pairwise(splits):
        assert after.start == before.end + 1


# -- the source operator ------------------------------------------------------------------------


def created(start: int, end: int, subtask_index: int, parallelism: int) -> Any:
    operator = NumberSequenceSourceFactory(start, end).create()
    assert isinstance(operator, NumberSequenceSourceOperator)
    operator.setup(
        OperatorEnvironment(
            name="Source: seq",
            task_name="Source: seq",
            subtask_index=subtask_index,
            parallelism=parallelism,
            runtime_context=StreamingRuntimeContext(
                "Source: seq", subtask_index, parallelism, 128, 0, {}, None
            ),
        )
    )
    return operator


def drain(operator: Any, max_records: int) -> tuple[list[list[int]], int]:
    """Calls emit_next until the source is exhausted: the emitted slices and the calls made."""
    slices: list[list[int]] = []
    calls = 0
    more = True
    while more:
        calls += 1
        more = operator.emit_next(max_records, slices.append)
        assert calls < 10_000
    return slices, calls


def test_the_factory_is_a_source() -> None:
    assert NumberSequenceSourceFactory(1, 2).kind == "source"


def test_a_subtask_emits_its_split_in_slices() -> None:
    operator = created(1, 1000, subtask_index=1, parallelism=4)
    assert operator.split == NumberSequenceSplit("2", 251, 500)
    slices, calls = drain(operator, 100)
    assert slices == [
        list(range(251, 351)),
        list(range(351, 451)),
        list(range(451, 501)),
    ]
    assert calls == 3
    assert all(type(slice_) is list for slice_ in slices)


def test_an_exact_multiple_ends_with_the_last_full_slice() -> None:
    operator = created(1, 6, subtask_index=0, parallelism=1)
    slices, calls = drain(operator, 3)
    assert slices == [[1, 2, 3], [4, 5, 6]]
    assert calls == 2


def test_every_subtask_emits_its_own_part_and_together_the_whole_range() -> None:
    parts = [drain(created(-3, 7, index, 3), 2)[0] for index in range(3)]
    flat = [[n for slice_ in part for n in slice_] for part in parts]
    assert flat == [[-3, -2, -1, 0], [1, 2, 3, 4], [5, 6, 7]]


def test_a_subtask_with_an_empty_split_emits_nothing() -> None:
    operator = created(1, 2, subtask_index=3, parallelism=4)
    assert len(operator.split) == 0
    slices, calls = drain(operator, 10)
    assert slices == []
    assert calls == 1


def test_every_subtask_gets_its_own_operator() -> None:
    factory = NumberSequenceSourceFactory(1, 10)
    assert factory.create() is not factory.create()
