"""Fixtures for the graph tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kolk.datastream import StreamExecutionEnvironment


@pytest.fixture
def make_env() -> Callable[[int], StreamExecutionEnvironment]:
    def make(parallelism: int) -> StreamExecutionEnvironment:
        env = StreamExecutionEnvironment.get_execution_environment()
        env.set_parallelism(parallelism)
        return env

    return make
