"""Whole-job tests run at parallelism 1, 2 and 4 through one fixture (STYLE.md, Tests).

At p = 1 a job's printed output is compared exactly; at p > 1 as a multiset once the print
sink's ``N> `` prefixes are stripped, plus the per-subtask facts that are deterministic (where a
key lands, how many records each subtask of a broadcast sees, ...). The helpers that parse
printed lines live in ``printed_output.py`` next to this file.
"""

from __future__ import annotations

import pytest

from kolk.datastream import StreamExecutionEnvironment

PARALLELISMS = (1, 2, 4)


@pytest.fixture(params=PARALLELISMS, ids=lambda p: f"p{p}")
def parallelism(request: pytest.FixtureRequest) -> int:
    """The default parallelism a job test runs at: 1, 2 and 4."""
    return int(request.param)


@pytest.fixture
def env(parallelism: int) -> StreamExecutionEnvironment:
    """A fresh environment whose default parallelism is the ``parallelism`` fixture's."""
    environment = StreamExecutionEnvironment.get_execution_environment()
    environment.set_parallelism(parallelism)
    return environment
