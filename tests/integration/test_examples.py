"""The programs in ``examples/`` run as users run them and print what their docstrings promise.

Each example is a PyFlink program (it imports ``pyflink``); it runs in a child process as
``kolk run -p P examples/<file>``. At ``-p 1`` stdout must be exactly the expected output the
example's docstring quotes, worked out from Flink's semantics and checked against real PyFlink
2.3 (``flink run -t local -p 1 -py ...``, which printed the same lines). At ``-p 2`` the same
lines must come out as a multiset once the print sink's subtask prefixes (``2> ``,
``big:1> ``) are stripped: which subtask prints a line, and how the subtasks' lines
interleave, is up to the schedule.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
TIMEOUT_S = 60

#: A print sink's prefix above parallelism 1: ``N> `` or ``identifier:N> ``.
SUBTASK_PREFIX = re.compile(r"^(?:(?P<identifier>[\w-]+):)?\d+> ")


def run_example(name: str, parallelism: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kolk._cli.main", "run", "-p", str(parallelism), f"examples/{name}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def without_subtasks(line: str) -> str:
    """``big:2> x`` -> ``big> x`` and ``2> x`` -> ``x``: a line as the sink prints it at p = 1."""
    match = SUBTASK_PREFIX.match(line)
    if match is None:
        return line
    identifier = match.group("identifier")
    return (f"{identifier}> " if identifier else "") + line[match.end() :]


def documented_output(path: Path) -> str:
    """The indented block after the docstring's "Expected output at ``-p 1``" paragraph."""
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring is not None, f"{path.name} has no docstring"
    paragraphs = docstring.split("\n\n")
    for index, paragraph in enumerate(paragraphs):
        if "Expected output at ``-p 1``" in paragraph:
            block = paragraphs[index + 1].splitlines()
            assert all(line.startswith("    ") for line in block), block
            return "".join(line[4:] + "\n" for line in block)
    raise AssertionError(f"{path.name}: no 'Expected output at ``-p 1``' in the docstring")


#: What each example prints at ``-p 1``: the block its docstring quotes (one copy, in the
#: example, where a reader sees it next to the code).
EXPECTED: dict[str, str] = {
    path.name: documented_output(path) for path in sorted(EXAMPLES.glob("*.py"))
}


def test_every_example_documents_its_expected_output() -> None:
    assert sorted(EXPECTED) == sorted(path.name for path in EXAMPLES.glob("*.py"))
    assert all(EXPECTED.values()), "an example quotes an empty expected output"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_the_expected_output_at_p1(name: str) -> None:
    completed = run_example(name, 1)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == EXPECTED[name]
    assert completed.stderr == ""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_the_same_lines_at_p2(name: str) -> None:
    completed = run_example(name, 2)
    assert completed.returncode == 0, completed.stderr
    printed = Counter(without_subtasks(line) for line in completed.stdout.splitlines())
    assert printed == Counter(EXPECTED[name].splitlines())
    assert completed.stderr == ""
