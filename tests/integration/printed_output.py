"""Reading what ``print()`` wrote: prefixes, subtasks, multisets.

Flink's ``PrintSinkOutputWriter`` prefixes a line with the sink identifier, then ``:`` and the
subtask index + 1 when the sink's parallelism is above 1, then ``"> "``; at parallelism 1 without
an identifier there is no prefix at all (flink_runtime_notes.md §9.1).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["assert_records", "by_subtask", "parse_printed", "values"]


def parse_printed(
    text: str, sink_parallelism: int, identifier: str | None = None
) -> list[tuple[int, str]]:
    """Splits printed lines into (subtask index, record text).

    Every line must carry exactly the prefix the print sink gives at ``sink_parallelism`` with
    ``identifier``; a line without it fails the test (a user ``print()`` mixed in, or a wrong
    prefix). At parallelism 1 the subtask index is 0.
    """
    lines = text.splitlines()
    if sink_parallelism == 1:
        prefix = f"{identifier}> " if identifier else ""
        for line in lines:
            assert line.startswith(prefix), f"{line!r} lacks the prefix {prefix!r}"
        return [(0, line[len(prefix) :]) for line in lines]
    head = re.escape(identifier) + ":" if identifier else ""
    pattern = re.compile(rf"{head}(\d+)> (.*)")
    parsed = []
    for line in lines:
        match = pattern.fullmatch(line)
        assert match is not None, f"{line!r} lacks a '{head}N> ' prefix"
        index = int(match.group(1)) - 1
        assert 0 <= index < sink_parallelism, f"{line!r}: no such subtask"
        parsed.append((index, match.group(2)))
    return parsed


def values(parsed: Iterable[tuple[int, str]]) -> Counter[str]:
    """The printed records as a multiset, prefixes stripped."""
    return Counter(text for _, text in parsed)


def by_subtask(parsed: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """Records per subtask index, each in the order that subtask printed them."""
    result: dict[int, list[str]] = {}
    for index, text in parsed:
        result.setdefault(index, []).append(text)
    return result


def assert_records(parsed: list[tuple[int, str]], expected: list[str], parallelism: int) -> None:
    """At parallelism 1 the records in exactly this order; above it the same multiset."""
    texts = [text for _, text in parsed]
    if parallelism == 1:
        assert texts == expected
    else:
        assert Counter(texts) == Counter(expected)
