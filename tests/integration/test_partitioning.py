"""Explicit partitionings through whole jobs: rebalance, shuffle, rescale, forward, broadcast.

``from_collection`` is one source subtask (parallelism 1), so every consumer subtask has exactly
one input channel: what a subtask receives, and in which order, is decided by the partitioner
alone. Those are the per-subtask facts checked here; only rebalance's start channel (random, as
Flink's ``RebalancePartitioner``) and shuffle's choices are left open.
"""

from __future__ import annotations

from collections import Counter

import pytest
from printed_output import assert_records, by_subtask, parse_printed

from kolk.datastream import StreamExecutionEnvironment

N = 11


def test_rebalance_is_round_robin_over_all_subtasks(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(list(range(N))).rebalance().map(lambda x: x).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, [str(i) for i in range(N)], parallelism)
    per_subtask = by_subtask(printed)
    # Round robin: counts differ by at most one, and consecutive records go to consecutive
    # subtasks, so a subtask's records are congruent modulo p and arrive in order.
    assert sorted(len(v) for v in per_subtask.values()) == sorted(
        N // parallelism + (1 if i < N % parallelism else 0) for i in range(parallelism)
    )
    residues = {}
    for index, records in per_subtask.items():
        numbers = [int(r) for r in records]
        assert numbers == sorted(numbers)
        assert {n % parallelism for n in numbers} == {numbers[0] % parallelism}
        residues[index] = numbers[0] % parallelism
    starts = {(index - residue) % parallelism for index, residue in residues.items()}
    assert len(starts) == 1, "one start channel, then +1 per record"


def test_default_edge_into_a_wider_operator_is_rebalance(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(list(range(N))).map(lambda x: x).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, [str(i) for i in range(N)], parallelism)
    assert sorted(len(v) for v in by_subtask(printed).values()) == sorted(
        N // parallelism + (1 if i < N % parallelism else 0) for i in range(parallelism)
    )


def test_shuffle_loses_and_duplicates_nothing(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(list(range(50))).shuffle().map(lambda x: x).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, [str(i) for i in range(50)], parallelism)
    for records in by_subtask(printed).values():
        numbers = [int(r) for r in records]
        assert numbers == sorted(numbers), "one channel per subtask keeps the source's order"


def test_rescale_from_one_subtask_is_round_robin_from_channel_zero(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # Flink's RescalePartitioner starts at channel 0 (unlike rebalance): record i -> i mod p.
    env.from_collection(list(range(N))).rescale().map(lambda x: x).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == {
        s: [str(i) for i in range(N) if i % parallelism == s] for s in range(min(N, parallelism))
    }


def split_by_identifier(text: str, identifiers: list[str]) -> dict[str, str]:
    """Lines of several ``print(id)`` sinks, grouped by identifier (prefixes kept)."""
    groups: dict[str, list[str]] = {i: [] for i in identifiers}
    for line in text.splitlines(keepends=True):
        owner = [i for i in identifiers if line.startswith((f"{i}:", f"{i}>"))]
        assert len(owner) == 1, f"{line!r} belongs to no single sink"
        groups[owner[0]].append(line)
    return {i: "".join(lines) for i, lines in groups.items()}


@pytest.mark.parametrize("chaining", [True, False], ids=["chained", "unchained"])
def test_forward_keeps_each_record_on_its_subtask_index(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    chaining: bool,
) -> None:
    if not chaining:
        env.disable_operator_chaining()  # the forward edges then cross the network
    mapped = env.from_collection(list(range(N))).map(lambda x: x)
    mapped.print("before")
    mapped.forward().map(lambda x: x).forward().filter(lambda x: True).print("after")

    env.execute()

    sinks = split_by_identifier(capsys.readouterr().out, ["before", "after"])
    before = parse_printed(sinks["before"], parallelism, "before")
    after = parse_printed(sinks["after"], parallelism, "after")
    assert_records(after, [str(i) for i in range(N)], parallelism)
    # Both sinks are forward-connected at the same parallelism: same subtask, same order.
    assert by_subtask(after) == by_subtask(before)


def test_broadcast_sends_every_record_to_every_subtask(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(list(range(5))).broadcast().map(lambda x: x * 10).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert by_subtask(printed) == {s: [str(i * 10) for i in range(5)] for s in range(parallelism)}
    assert Counter(text for _, text in printed) == Counter(
        {str(i * 10): parallelism for i in range(5)}
    )
