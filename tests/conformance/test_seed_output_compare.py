"""The comparison rules of the conformance tests, on crafted outputs."""

from __future__ import annotations

from seed_output_compare import compare_exact, compare_parallel, normalize


def test_normalize_replaces_only_time_taken_values() -> None:
    text = "6\nTime taken: 13.737727642059326\nTime taken: soon\nTime taken: 1e-05\n"
    assert normalize(text) == [
        "6",
        "Time taken: <float>",
        "Time taken: soon",
        "Time taken: <float>",
    ]


def test_exact_match_ignores_the_time_value() -> None:
    assert compare_exact("6\n8\nTime taken: 13.7\n", "6\n8\nTime taken: 0.02\n") == []


def test_exact_detects_reordering() -> None:
    assert compare_exact("6\n8\n10\n", "6\n10\n8\n") == [
        "line 2: expected '8', got '10'",
        "line 3: expected '10', got '8'",
    ]


def test_exact_detects_missing_and_extra_lines() -> None:
    assert compare_exact("a\nb\n", "a\n") == ["expected 2 lines, got 1"]
    assert compare_exact("a\n", "a\nb\n") == ["expected 1 lines, got 2"]


def test_parallel_accepts_renumbered_subtasks_and_any_interleaving() -> None:
    reference = "2> EVENT2\n1> EVENT1\n1> EVENT3\n"
    assert compare_parallel(reference, "1> EVENT2\n2> EVENT1\n2> EVENT3\n") == []
    assert compare_parallel(reference, "2> EVENT1\n1> EVENT2\n2> EVENT3\n") == []


def test_parallel_detects_records_on_the_wrong_subtask() -> None:
    reference = "2> EVENT2\n1> EVENT1\n1> EVENT3\n"
    assert compare_parallel(reference, "1> EVENT1\n2> EVENT3\n1> EVENT2\n") == [
        "print sink: per-subtask sequences differ: expected [('EVENT1', 'EVENT3'), "
        "('EVENT2',)], got [('EVENT1', 'EVENT2'), ('EVENT3',)]"
    ]


def test_parallel_detects_order_within_a_subtask() -> None:
    problems = compare_parallel("1> 6\n1> 10\n2> 8\n", "1> 10\n1> 6\n2> 8\n")
    assert problems == [
        "print sink: per-subtask sequences differ: expected [('6', '10'), ('8',)], "
        "got [('10', '6'), ('8',)]"
    ]


def test_parallel_compares_unprefixed_lines_as_a_multiset() -> None:
    reference = "Word: hello, Count: 1\nWord: world, Count: 1\nWord: hello, Count: 2\n"
    shuffled = "Word: world, Count: 1\nWord: hello, Count: 1\nWord: hello, Count: 2\n"
    assert compare_parallel(reference, shuffled) == []
    assert compare_parallel(reference, shuffled.replace("Count: 2", "Count: 3")) == [
        "unprefixed lines: missing ['Word: hello, Count: 2'], unexpected ['Word: hello, Count: 3']"
    ]


def test_parallel_requires_time_taken_last_when_the_reference_has_it() -> None:
    reference = "1> 6\n1> 10\n2> 8\nTime taken: 16.6\n"
    assert compare_parallel(reference, "2> 8\n1> 6\n1> 10\nTime taken: 0.1\n") == []
    assert compare_parallel(reference, "2> 8\nTime taken: 0.1\n1> 6\n1> 10\n") == [
        "expected 'Time taken: <float>' as the last line, got '1> 10'",
        "unprefixed lines: missing [], unexpected ['Time taken: <float>']",
    ]
    assert compare_parallel(reference, "2> 8\n1> 6\n1> 10\n") == [
        "expected 'Time taken: <float>' as the last line, got '1> 10'"
    ]


def test_parallel_groups_identified_sinks_separately() -> None:
    reference = "ids:1> a\nids:2> b\n1> c\n"
    assert compare_parallel(reference, "2> c\nids:2> a\nids:1> b\n") == []
    assert compare_parallel(reference, "ids:1> c\nids:2> b\n1> a\n") == [
        "print sink: per-subtask sequences differ: expected [('c',)], got [('a',)]",
        "sink 'ids': per-subtask sequences differ: expected [('a',), ('b',)], got [('b',), ('c',)]",
    ]
