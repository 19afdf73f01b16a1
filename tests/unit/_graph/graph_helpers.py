"""Builds job graphs from programs written with the public API."""

from __future__ import annotations

from kolk._graph.job_graph import JobGraph, create_job_graph
from kolk._graph.stream_graph import StreamGraph, StreamGraphGenerator
from kolk.datastream import StreamExecutionEnvironment


def stream_graph_of(env: StreamExecutionEnvironment) -> StreamGraph:
    return StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()


def job_graph_of(env: StreamExecutionEnvironment) -> JobGraph:
    return create_job_graph(stream_graph_of(env))
