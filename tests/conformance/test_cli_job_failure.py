"""A job whose user function raises: ``kolk run`` reports it as the user needs it."""

from __future__ import annotations

from pathlib import Path

from kolk_process import run_kolk

import kolk

FAILING_PROGRAM = """\
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1, 2, 3]).map(lambda x: 1 // 0).print()
env.execute("failing map")
"""


def test_failing_map_exits_1_naming_operator_subtask_and_user_line(tmp_path: Path) -> None:
    program = tmp_path / "failing_map.py"
    program.write_text(FAILING_PROGRAM)

    result = run_kolk("run", "-p", "1", program)

    assert result.returncode == 1
    assert result.stdout == ""
    stderr = result.stderr
    assert "Map" in stderr
    assert "(1/1)" in stderr
    assert "ZeroDivisionError" in stderr
    assert "lambda x: 1 // 0" in stderr
    assert str(program) in stderr
    # No frames of kolk's own code: neither the runtime nor anything else in the package.
    assert "kolk/_runtime" not in stderr
    assert str(Path(kolk.__file__).parent) not in stderr
