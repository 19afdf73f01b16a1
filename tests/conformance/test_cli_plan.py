"""``kolk plan`` prints each job's graph instead of running it, and the program goes on."""

from __future__ import annotations

from pathlib import Path

from kolk_process import run_kolk
from seed_output_compare import TIME_TAKEN_LINE, normalize

EXAMPLES = Path(__file__).parents[2] / "examples" / "seed"


def test_plan_of_the_chained_seed_shows_one_chain_and_runs_nothing() -> None:
    result = run_kolk("plan", "-p", "2", EXAMPLES / "03_task_chaining_enabled.py")

    assert (result.returncode, result.stderr) == (0, "")
    assert "Source: Collection Source" in result.stdout
    assert "Map -> Filter -> Sink: Print to Std. Out" in result.stdout
    lines = normalize(result.stdout)
    assert lines[-1] == TIME_TAKEN_LINE
    assert not {"1> 6", "2> 6", "1> 8", "2> 8", "6", "8", "10"} & set(lines)


def test_plan_of_the_unchained_seed_shows_no_chain() -> None:
    result = run_kolk("plan", "-p", "2", EXAMPLES / "02_task_chaining_disabled.py")

    assert (result.returncode, result.stderr) == (0, "")
    assert "Source: Collection Source" in result.stdout
    assert "Map -> Filter" not in result.stdout
    assert normalize(result.stdout)[-1] == TIME_TAKEN_LINE
