"""The seed programs run by ``kolk run`` print what real PyFlink printed.

The programs are the examples in ``examples/seed/`` (the seed document's programs, verbatim;
checked against the shared reference copies when they are beside the checkout). References:
``reference/NAME.p1.out`` (PyFlink at parallelism 1) and ``NAME.default.out`` (PyFlink's
default parallelism on the 2-core machine they were recorded on, i.e. 2).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kolk_process import REFERENCE_DIR, run_kolk
from seed_output_compare import compare_exact, compare_parallel, normalize

SEEDS = sorted(path.name.removesuffix(".p1.out") for path in REFERENCE_DIR.glob("s*.p1.out"))
EXAMPLES_DIR = Path(__file__).parents[2] / "examples" / "seed"
SHARED_PROGRAMS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "seed_programs"


def program(seed: str) -> Path:
    """The example that is the seed program ``seed`` (``s04_keyed_state`` → 04_keyed_state.py)."""
    return EXAMPLES_DIR / f"{seed.removeprefix('s')}.py"


def test_all_eight_seed_programs_are_here() -> None:
    assert SEEDS == [
        "s01_credit_based_flow_control",
        "s02_task_chaining_disabled",
        "s03_task_chaining_enabled",
        "s04_keyed_state",
        "s07a_word_count",
        "s07b_session_tracking",
        "s08a_consecutive_failures",
        "s08b_cumulative_sum",
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_example_is_the_seed_program_verbatim(seed: str) -> None:
    shared = SHARED_PROGRAMS / f"{seed}.py"
    if not shared.exists():
        pytest.skip(f"the shared reference programs are not beside this checkout ({shared})")
    assert program(seed).read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_at_parallelism_1_prints_exactly_what_pyflink_prints(seed: str) -> None:
    result = run_kolk("run", "-p", "1", program(seed))
    assert (result.returncode, result.stderr) == (0, "")
    expected = (REFERENCE_DIR / f"{seed}.p1.out").read_text()
    assert compare_exact(expected, result.stdout) == [], result.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_at_parallelism_2_prints_what_pyflink_prints_per_subtask(seed: str) -> None:
    # Two worker processes whatever the machine's core count: slot 2 runs in a forked worker.
    result = run_kolk("run", "--processes", "2", "-p", "2", program(seed))
    assert (result.returncode, result.stderr) == (0, "")
    expected = (REFERENCE_DIR / f"{seed}.default.out").read_text()
    assert compare_parallel(expected, result.stdout) == [], result.stdout


KEYED_STREAM_P1 = "(user1,1)\n(user2,2)\n(user1,4)\n(user3,4)\n(user2,7)\n"


def test_keyed_stream_example_at_parallelism_1() -> None:
    result = run_kolk("run", "-p", "1", EXAMPLES_DIR / "09_creating_a_keyed_stream.py")
    assert (result.returncode, result.stderr, result.stdout) == (0, "", KEYED_STREAM_P1)


def test_keyed_stream_example_at_parallelism_2() -> None:
    # user1, user2 and user3 all hash to subtask 1 (pyflink_behaviour.md §2.2), so the
    # reduce's subtask prints every running total, in input order, with prefix "2> ".
    result = run_kolk("run", "-p", "2", EXAMPLES_DIR / "09_creating_a_keyed_stream.py")
    assert (result.returncode, result.stderr) == (0, "")
    expected = "".join(f"2> {line}\n" for line in KEYED_STREAM_P1.splitlines())
    assert compare_parallel(expected, result.stdout) == [], result.stdout


_PRINT_PREFIX = re.compile(r"^(?:[^\s:>]+:)?[1-9][0-9]*> ")
#: What the session-tracking seed's close() prints.
_CLOSE_LINE = "Stream processing completed!"


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_at_parallelism_4_in_two_processes_prints_the_same_records(seed: str) -> None:
    # Four subtasks per vertex over two worker processes: which subtask prints a record may
    # differ from PyFlink's (PyFlink has no 4-way reference), the records may not.
    result = run_kolk("run", "--processes", "2", "-p", "4", program(seed))
    assert (result.returncode, result.stderr) == (0, "")
    expected = normalize((REFERENCE_DIR / f"{seed}.p1.out").read_text())
    actual = [_PRINT_PREFIX.sub("", line) for line in normalize(result.stdout)]
    # close() prints once per subtask that received records: once at p=1, up to 4 times here.
    closing = [line for line in actual if line == _CLOSE_LINE]
    if closing:
        assert 1 <= len(closing) <= 4 and expected.count(_CLOSE_LINE) == 1
        actual = [line for line in actual if line != _CLOSE_LINE]
        expected = [line for line in expected if line != _CLOSE_LINE]
    assert sorted(actual) == sorted(expected), result.stdout
