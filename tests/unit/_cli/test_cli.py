"""``kolk`` command line, in-process: parsing, program environment, exit statuses."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kolk
from kolk._cli.main import ProgramCommand, main, parse_command
from kolk._cluster.client_options import ClientOptions, get_client_options
from kolk._compat import is_pyflink_alias_installed, uninstall_pyflink_alias


@pytest.fixture(autouse=True)
def _no_alias_left_behind() -> Iterator[None]:
    yield
    uninstall_pyflink_alias()


Script = Callable[..., str]


@pytest.fixture
def script(tmp_path: Path) -> Script:
    """``script(source, name="job.py")`` writes a program file and returns its path."""

    def write(source: str, name: str = "job.py") -> str:
        path = tmp_path / name
        path.write_text(source)
        return str(path)

    return write


# --- parsing ---------------------------------------------------------------------------------


def test_run_with_parallelism_before_the_program() -> None:
    assert parse_command(["run", "-p", "2", "job.py", "a", "--flag"]) == ProgramCommand(
        target="local", program="job.py", args=("a", "--flag"), parallelism=2
    )


def test_parallelism_right_after_the_program_is_kolks() -> None:
    assert parse_command(["run", "job.py", "-p", "3", "x"]) == ProgramCommand(
        target="local", program="job.py", args=("x",), parallelism=3
    )
    assert parse_command(["run", "job.py", "--parallelism", "4"]) == ProgramCommand(
        target="local", program="job.py", args=(), parallelism=4
    )


def test_later_options_and_options_after_double_dash_are_the_programs() -> None:
    assert parse_command(["run", "job.py", "x", "-p", "3"]).args == ("x", "-p", "3")
    assert parse_command(["run", "job.py", "--", "-p", "3"]) == ProgramCommand(
        target="local", program="job.py", args=("-p", "3"), parallelism=None
    )


def test_a_parallelism_after_the_program_wins_and_may_be_followed_by_double_dash() -> None:
    assert parse_command(["run", "-p", "2", "job.py", "-p", "5", "--", "-x"]) == ProgramCommand(
        target="local", program="job.py", args=("-x",), parallelism=5
    )
    assert parse_command(["run", "job.py", "--parallelism=7", "a"]) == ProgramCommand(
        target="local", program="job.py", args=("a",), parallelism=7
    )


def test_plan_targets_the_plan_printer() -> None:
    assert parse_command(["plan", "job.py"]) == ProgramCommand(
        target="plan", program="job.py", args=(), parallelism=None
    )


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run"],
        ["walk", "job.py"],
        ["run", "-p", "0", "job.py"],
        ["run", "-p", "x", "job.py"],
        ["run", "job.py", "-p"],
        ["run", "job.py", "-p", "0"],
        ["run", "--verbose", "job.py"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: kolk" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"kolk {kolk.__version__}\n"


# --- the program's environment -----------------------------------------------------------


REPORT_OPTIONS = """\
from kolk._cluster.client_options import get_client_options
options = get_client_options()
print(options.parallelism, options.target)
"""


def test_p_sets_the_client_default_parallelism(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "-p", "3", script(REPORT_OPTIONS)]) == 0
    assert capsys.readouterr().out == "3 local\n"


def test_plan_sets_the_plan_target(script: Script, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", script(REPORT_OPTIONS)]) == 0
    assert capsys.readouterr().out == "None plan\n"


def test_client_options_argv_and_path_are_restored_after_the_run(script: Script) -> None:
    argv, path = list(sys.argv), list(sys.path)
    assert main(["run", "-p", "5", script("")]) == 0
    assert get_client_options() == ClientOptions()
    assert (sys.argv, sys.path) == (argv, path)


def test_args_reach_sys_argv_and_the_script_runs_as_main(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script("import sys\nprint(__name__, sys.argv)\n")
    assert main(["run", path, "a", "--flag", "-p", "9"]) == 0
    assert capsys.readouterr().out == f"__main__ {[path, 'a', '--flag', '-p', '9']}\n"


def test_the_scripts_directory_comes_first_on_sys_path(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    script("VALUE = 42\n", name="helper_module_for_kolk_cli_test.py")
    path = script("import helper_module_for_kolk_cli_test as h\nprint(h.VALUE)\n")
    try:
        assert main(["run", path]) == 0
    finally:
        sys.modules.pop("helper_module_for_kolk_cli_test", None)
    assert capsys.readouterr().out == "42\n"


def test_the_alias_makes_pyflink_imports_work(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script(
        "from pyflink.datastream import StreamExecutionEnvironment\n"
        "import kolk.datastream\n"
        "print(StreamExecutionEnvironment is kolk.datastream.StreamExecutionEnvironment)\n"
    )
    assert main(["run", path]) == 0
    assert capsys.readouterr().out == "True\n"
    assert is_pyflink_alias_installed()


# --- exit statuses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "status", "stderr"),
    [
        ("raise SystemExit(3)\n", 3, ""),
        ("import sys\nsys.exit()\n", 0, ""),
        ("import sys\nsys.exit('bad input')\n", 1, "bad input\n"),
    ],
)
def test_system_exit_is_passed_through(
    script: Script,
    capsys: pytest.CaptureFixture[str],
    source: str,
    status: int,
    stderr: str,
) -> None:
    assert main(["run", script(source)]) == status
    assert capsys.readouterr().err == stderr


def test_an_exception_prints_the_programs_traceback_only(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script("print('before')\ndef f():\n    raise ValueError('boom')\nf()\n")
    assert main(["run", path]) == 1
    out, err = capsys.readouterr()
    assert out == "before\n"
    assert err == (
        "Traceback (most recent call last):\n"
        f'  File "{path}", line 4, in <module>\n'
        "    f()\n"
        f'  File "{path}", line 3, in f\n'
        "    raise ValueError('boom')\n"
        "ValueError: boom\n"
    )


def test_a_missing_pyflink_module_reads_like_a_plain_import_error(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script("import pyflink.table\n")
    assert main(["run", path]) == 1
    assert capsys.readouterr().err == (
        "Traceback (most recent call last):\n"
        f'  File "{path}", line 1, in <module>\n'
        "    import pyflink.table\n"
        "ModuleNotFoundError: No module named 'pyflink.table': kolk does not provide "
        "'kolk.table' yet (kolk runs 'pyflink.*' imports as 'kolk.*')\n"
    )


def test_a_syntax_error_shows_no_launcher_frames(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script("x = (\n")
    assert main(["run", path]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f'  File "{path}", line 1\n')
    assert err.endswith("SyntaxError: '(' was never closed\n")


def test_a_failed_job_prints_its_message_without_a_traceback(
    script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    path = script(
        "from kolk.util.exceptions import JobExecutionException\n"
        "raise JobExecutionException('Map (1/1) failed: ZeroDivisionError')\n"
    )
    assert main(["run", path]) == 1
    assert capsys.readouterr().err == (
        "JobExecutionException: Map (1/1) failed: ZeroDivisionError\n"
    )


def test_a_missing_program_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.py"
    assert main(["run", str(missing)]) == 2
    assert capsys.readouterr().err == f"kolk: can't open file '{missing}': no such file\n"


def test_processes_option_before_the_program() -> None:
    command = parse_command(["run", "--processes", "1", "-p", "4", "job.py", "--processes", "9"])
    assert command.processes == 1
    assert command.parallelism == 4
    assert command.args == ("--processes", "9")  # after the program: the program's own


def test_processes_must_be_a_positive_integer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--processes", "0", "job.py"]) == 2
    assert "the number of processes must be a positive integer, got '0'" in capsys.readouterr().err
