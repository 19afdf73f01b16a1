"""The programs in ``examples/`` run as users run them and print what their docstrings promise.

Each example is a PyFlink program (it imports ``pyflink``); it runs in a child process as
``kolk run -p P examples/<file>``. At ``-p 1`` stdout must be exactly the expected output below,
which was worked out from Flink's semantics and checked against real PyFlink 2.3 (``flink run
-t local -p 1 -py ...``, which printed the same lines). At ``-p 2`` the same lines must come out
as a multiset once the print sink's subtask prefixes (``2> ``, ``big:1> ``) are stripped: which
subtask prints a line, and how the subtasks' lines interleave, is up to the schedule. Each
example's docstring quotes its expected output; a test keeps the two in step.
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

#: What each example prints at ``-p 1``, line by line.
EXPECTED: dict[str, str] = {
    "state_list_map_shopping_cart.py": """\
alice added 2 apple -> ['apple'] {'apple': 2}
bob added 1 bread -> ['bread'] {'bread': 1}
alice added 1 milk -> ['apple', 'milk'] {'apple': 2, 'milk': 1}
alice added 3 apple -> ['apple', 'milk'] {'apple': 5, 'milk': 1}
bob added 6 eggs -> ['bread', 'eggs'] {'bread': 1, 'eggs': 6}
alice removed milk -> ['apple'] {'apple': 5}
bob checked out 7 items: bread x1, eggs x6
alice added 1 tea -> ['apple', 'tea'] {'apple': 5, 'tea': 1}
bob added 2 bread -> ['bread'] {'bread': 2}
alice checked out 6 items: apple x5, tea x1
carol checked out an empty cart
""",
    "state_reducing_aggregating_scores.py": """\
alice scored 40: best 40, average 40.00 over 1 games
bob scored 75: best 75, average 75.00 over 1 games
alice scored 90: best 90, average 65.00 over 2 games
carol scored 60: best 60, average 60.00 over 1 games
bob scored 55: best 75, average 65.00 over 2 games
alice scored 71: best 90, average 67.00 over 3 games
bob scored 80: best 80, average 70.00 over 3 games
""",
    "state_ttl_sessions.py": """\
ttl 30 min, OnReadAndWrite, NeverReturnExpired
alice: new session, pages ['home']
bob: new session, pages ['search']
alice: pages ['home', 'shoes']
bob: pages ['search', 'hats']
alice: pages ['home', 'shoes', 'cart']
alice: logged out after 3 pages
alice: new session, pages ['home']
""",
    # Only timers print, in timestamp order; each user's last event is reported at the final
    # watermark.
    "event_time_timers_inactivity.py": """\
alice inactive after 3000 ms (timer at 8000 ms)
bob inactive after 4000 ms (timer at 9000 ms)
alice inactive after 11000 ms (timer at 16000 ms)
carol inactive after 12000 ms (timer at 17000 ms)
bob inactive after 13000 ms (timer at 18000 ms)
""",
    # Big orders as they pass, then the windows at the final watermark; nothing is late.
    "late_orders_side_output.py": """\
big> o2 paris 800
big> o4 berlin 650
big> o8 paris 900
totals> berlin [0, 10000): 3 orders, 810
totals> paris [0, 10000): 2 orders, 830
totals> paris [10000, 20000): 2 orders, 970
totals> berlin [10000, 20000): 2 orders, 75
""",
    # carol's 12500 merges her sessions [10000, 13000) and [14000, 17000).
    "sessionized_clicks.py": """\
(bob,2000,5000,1)
(alice,1000,7000,3)
(bob,5500,11000,2)
(alice,9000,12000,1)
(carol,10000,17000,3)
""",
    "sliding_window_averages.py": """\
greenhouse [-5000, 5000): avg 21.0, n=2
greenhouse [0, 10000): avg 22.5, n=4
greenhouse [5000, 15000): avg 26.5, n=4
greenhouse [10000, 20000): avg 29.0, n=2
""",
    # Windows that never fill never fire, not even at the end of the input.
    "count_windows.py": """\
anna trip p1+p3+p4: 7 kg
ben trip p2+p5+p7: 9 kg
ben trip p9+p10+p11: 12 kg
""",
    # Each transaction checked against the rules in force at its event time.
    "fraud_rule_broadcast.py": """\
ok acc1 250 DE at 1000
ok acc2 900 FR at 2000
ok acc3 40 XX at 2500
ALERT acc1 1200 DE at 4000: over 1000
ALERT acc3 60 XX at 4500: blocked country XX
ok acc2 280 FR at 6000
ALERT acc1 400 DE at 7000: over 300
""",
    # Verdicts at each order's deadline (event time + 10 s), in deadline order.
    "connected_orders_payments.py": """\
o1 book: paid 12 at 9000
o2 pen: paid 3 at 2500
o3 lamp: underpaid, 25 of 40
o4 ink: not paid by 16000
o5: payment of 8 at 8000 without an order
""",
    "collect_results.py": """\
received 8 running levels
final stock: bolts=0, nuts=140, screws=75
sold out: bolts
""",
    # sum/min/max keep the other fields of the key's first record; min_by/max_by return the
    # record with the extreme value, the first one on a tie.
    "keyed_aggregations.py": """\
sum of rainfall, sum(3)
(oslo,mon,3,5)
(rome,mon,18,0)
(oslo,mon,3,17)
(rome,mon,18,3)
(oslo,mon,3,29)
(rome,mon,18,11)
lowest temperature, min(2)
(oslo,mon,3,5)
(rome,mon,18,0)
(oslo,mon,-2,5)
(rome,mon,18,0)
(oslo,mon,-2,5)
(rome,mon,16,0)
highest temperature, max(2)
(oslo,mon,3,5)
(rome,mon,18,0)
(oslo,mon,3,5)
(rome,mon,21,0)
(oslo,mon,3,5)
(rome,mon,21,0)
coldest day, min_by(2)
(oslo,mon,3,5)
(rome,mon,18,0)
(oslo,tue,-2,12)
(rome,mon,18,0)
(oslo,tue,-2,12)
(rome,wed,16,8)
rainiest day, max_by(3)
(oslo,mon,3,5)
(rome,mon,18,0)
(oslo,tue,-2,12)
(rome,tue,21,3)
(oslo,tue,-2,12)
(rome,wed,16,8)
""",
}

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


def test_every_example_is_tested() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_docstring_quotes_the_expected_output(name: str) -> None:
    assert documented_output(EXAMPLES / name) == EXPECTED[name]


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
