"""Comparing a program's stdout with real PyFlink's recorded stdout.

The rules (pyflink_behaviour.md §2 and §7):

* ``Time taken: <float>`` lines carry a wall time; the value is replaced before comparing.
* At parallelism 1 the output is deterministic: compared line by line.
* At parallelism > 1 subtasks interleave freely, and which subtask gets which records after a
  rebalance depends on a random start channel. So lines with a print-sink prefix (``N> `` or
  ``id:N> ``) are grouped by subtask, and the per-subtask sequences must match the
  reference's up to a renumbering of the subtasks (per sink identifier). Lines without a
  prefix (``print()`` inside user functions) are compared as a multiset. When the reference
  ends with its ``Time taken`` line, the output must end with it too.

Each function returns a list of human-readable problems; an empty list means a match.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

__all__ = ["TIME_TAKEN_LINE", "compare_exact", "compare_parallel", "normalize"]

_TIME_TAKEN = re.compile(r"^Time taken: [0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")
TIME_TAKEN_LINE = "Time taken: <float>"
_PREFIX = re.compile(r"^(?:(?P<id>[^\s:>]+):)?(?P<subtask>[1-9][0-9]*)> (?P<record>.*)$")


def normalize(text: str) -> list[str]:
    """Splits output into lines and replaces the value of ``Time taken: <float>`` lines."""
    return [TIME_TAKEN_LINE if _TIME_TAKEN.match(line) else line for line in text.splitlines()]


def compare_exact(expected: str, actual: str) -> list[str]:
    """Compares two outputs line by line (after :func:`normalize`)."""
    want, got = normalize(expected), normalize(actual)
    problems = [
        f"line {i + 1}: expected {w!r}, got {g!r}"
        for i, (w, g) in enumerate(zip(want, got, strict=False))
        if w != g
    ]
    if len(want) != len(got):
        problems.append(f"expected {len(want)} lines, got {len(got)}")
    return problems


def _split(lines: list[str]) -> tuple[dict[str, Counter[tuple[str, ...]]], Counter[str]]:
    """Returns (per sink id: multiset of per-subtask sequences, multiset of other lines)."""
    sequences: dict[tuple[str, str], list[str]] = defaultdict(list)
    others: Counter[str] = Counter()
    for line in lines:
        match = _PREFIX.match(line)
        if match is None:
            others[line] += 1
        else:
            sequences[(match["id"] or "", match["subtask"])].append(match["record"])
    by_sink: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for (sink_id, _subtask), records in sequences.items():
        by_sink[sink_id][tuple(records)] += 1
    return dict(by_sink), others


def compare_parallel(expected: str, actual: str) -> list[str]:
    """Compares two outputs of a run at parallelism > 1 (see the module docstring)."""
    want, got = normalize(expected), normalize(actual)
    problems = []
    if want and want[-1] == TIME_TAKEN_LINE:
        if not got or got[-1] != TIME_TAKEN_LINE:
            last = got[-1] if got else None
            problems.append(f"expected {TIME_TAKEN_LINE!r} as the last line, got {last!r}")
        want = want[:-1]
        got = got[:-1] if got and got[-1] == TIME_TAKEN_LINE else got
    want_sinks, want_others = _split(want)
    got_sinks, got_others = _split(got)
    for sink_id in sorted(want_sinks.keys() | got_sinks.keys()):
        w, g = want_sinks.get(sink_id, Counter()), got_sinks.get(sink_id, Counter())
        if w != g:
            label = f"sink {sink_id!r}" if sink_id else "print sink"
            problems.append(
                f"{label}: per-subtask sequences differ: expected {sorted(w.elements())}, "
                f"got {sorted(g.elements())}"
            )
    if want_others != got_others:
        problems.append(
            f"unprefixed lines: missing {sorted((want_others - got_others).elements())}, "
            f"unexpected {sorted((got_others - want_others).elements())}"
        )
    return problems
