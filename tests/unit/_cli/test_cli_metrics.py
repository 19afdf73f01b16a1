"""``kolk run --metrics``: parsing, the per-vertex table, and the table after a real program."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kolk._cli.main import main, parse_command
from kolk._cli.metrics_table import format_vertex_table
from kolk._cluster.client_options import ClientOptions, get_client_options
from kolk._compat import uninstall_pyflink_alias
from kolk._runtime.metrics import VertexMetrics

HEADER = (
    "Vertex                          Parallelism  Records in  Records out  Busy %"
    "  Back-pressured %  Idle %  Peak outPoolUsage\n"
)


@pytest.fixture(autouse=True)
def _no_alias_left_behind() -> Iterator[None]:
    yield
    uninstall_pyflink_alias()


Script = Callable[[str], str]


@pytest.fixture
def script(tmp_path: Path) -> Script:
    """``script(source)`` writes a program file and returns its path."""

    def write(source: str) -> str:
        path = tmp_path / "job.py"
        path.write_text(source)
        return str(path)

    return write


def vertex(name: str, parallelism: int, **changes: object) -> VertexMetrics:
    values: dict[str, object] = {
        "vertex_name": name,
        "parallelism": parallelism,
        "num_records_in": 0,
        "num_records_out": 0,
        "num_buffers_in": 0,
        "num_buffers_out": 0,
        "busy_time_ms_per_second": 1000.0,
        "idle_time_ms_per_second": 0.0,
        "back_pressured_time_ms_per_second": 0.0,
        "max_busy_time_ms_per_second": 1000.0,
        "max_back_pressured_time_ms_per_second": 0.0,
        "back_pressure_level": "ok",
        "peak_in_pool_usage": 0.0,
        "peak_out_pool_usage": 0.0,
        "has_network_output": True,
        "num_fired_timers": 0,
        "num_late_records_dropped": None,
        "subtasks": (),
    }
    values.update(changes)
    return VertexMetrics(**values)  # type: ignore[arg-type]


# --- parsing ---------------------------------------------------------------------------------


def test_metrics_is_a_run_option_before_the_program() -> None:
    assert parse_command(["run", "--metrics", "-p", "2", "job.py", "x"]).metrics
    assert not parse_command(["run", "job.py"]).metrics
    after = parse_command(["run", "job.py", "--metrics"])
    assert (after.metrics, after.args) == (False, ("--metrics",)), "after the program: its own"


def test_plan_has_no_metrics_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--metrics", "job.py"]) == 2
    assert "unrecognized arguments: --metrics" in capsys.readouterr().err


# --- the table -------------------------------------------------------------------------------


def test_the_table_aligns_names_left_and_numbers_right() -> None:
    table = format_vertex_table(
        "word count",
        "0123456789abcdef0123456789abcdef",
        [
            vertex(
                "Source: Collection Source",
                1,
                num_records_out=10,
                busy_time_ms_per_second=12.0,
                back_pressured_time_ms_per_second=988.0,
                peak_out_pool_usage=2.9,
            ),
            vertex(
                "Map -> Sink: Print to Std. Out",
                2,
                num_records_in=10,
                busy_time_ms_per_second=333.3,
                idle_time_ms_per_second=666.7,
                has_network_output=False,
            ),
        ],
    )
    assert table == (
        "Job 'word count' (0123456789abcdef0123456789abcdef): metrics per vertex\n"
        + HEADER
        + "Source: Collection Source                 1           0           10"
        "     1.2              98.8     0.0               2.90\n"
        "Map -> Sink: Print to Std. Out            2          10            0"
        "    33.3               0.0    66.7                  -\n"
    )


def test_columns_widen_for_long_values() -> None:
    table = format_vertex_table("j", "id", [vertex("S", 1, num_records_out=123_456_789_012)])
    assert table.splitlines()[1:] == [
        "Vertex  Parallelism  Records in   Records out  Busy %  Back-pressured %  Idle %"
        "  Peak outPoolUsage",
        "S                 1           0  123456789012   100.0               0.0     0.0"
        "               0.00",
    ]


# --- a real program --------------------------------------------------------------------------

PROGRAM = """\
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection(list(range(10))).rebalance().map(lambda x: x * 2).print()
env.execute("first")
env.from_collection([1, 2, 3]).map(lambda x: x).print()
env.execute("second")
print("done")
"""

ROW = re.compile(
    r"(?P<name>.{30})  +(?P<p>\d+) +(?P<in>\d+) +(?P<out>\d+) +[\d.]+ +[\d.]+ +[\d.]+ +\S+"
)


def test_run_with_metrics_prints_a_table_per_job_after_the_program(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--metrics", "-p", "2", script(PROGRAM)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "done", "the tables come after the program's output"
    assert len(out.splitlines()) == 10 + 3 + 1
    first, second = err.split("\n\n")
    first_lines = first.splitlines()
    assert re.fullmatch(r"Job 'first' \([0-9a-f]{32}\): metrics per vertex", first_lines[0])
    assert first_lines[1] + "\n" == HEADER
    rows = [ROW.fullmatch(line) for line in first_lines[2:]]
    assert [(m["name"].rstrip(), m["p"], m["in"], m["out"]) for m in rows if m] == [
        ("Source: Collection Source", "1", "0", "10"),
        ("Map -> Sink: Print to Std. Out", "2", "10", "0"),
    ]
    assert first_lines[3].endswith("  -"), "a chained sink has no network output"
    second_lines = second.splitlines()
    assert re.fullmatch(r"Job 'second' \([0-9a-f]{32}\): metrics per vertex", second_lines[0])
    assert second_lines[2].startswith("Source: Collection Source  ")
    assert len(second_lines) == 4, "two vertices: the source, then map and print (p = 2)"
    assert get_client_options() == ClientOptions(), "the listener is gone after the run"


def test_without_the_flag_nothing_is_printed_to_stderr(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "-p", "1", script(PROGRAM)]) == 0
    assert capsys.readouterr().err == ""


def test_a_failed_job_has_no_table(script: Script, capsys: pytest.CaptureFixture[str]) -> None:
    failing = """\
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1]).map(lambda x: x).print()
env.execute("fine")
env.from_collection([0]).map(lambda x: 1 // x).print()
env.execute("broken")
"""
    assert main(["run", "--metrics", "-p", "1", script(failing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("JobExecutionException: Job 'broken' failed")
    assert re.findall(r"^Job '(\w+)' \(", err, re.MULTILINE) == ["fine"]
