"""Builds job graphs from programs written with the public API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kolk._graph.job_graph import JobGraph, create_job_graph
from kolk._graph.stream_graph import StreamGraph, StreamGraphGenerator
from kolk.datastream import StreamExecutionEnvironment


def stream_graph_of(env: StreamExecutionEnvironment) -> StreamGraph:
    return StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()


def job_graph_of(env: StreamExecutionEnvironment) -> JobGraph:
    return create_job_graph(stream_graph_of(env))


@pytest.fixture
def make_env() -> Callable[[int], StreamExecutionEnvironment]:
    def make(parallelism: int) -> StreamExecutionEnvironment:
        env = StreamExecutionEnvironment.get_execution_environment()
        env.set_parallelism(parallelism)
        return env

    return make
