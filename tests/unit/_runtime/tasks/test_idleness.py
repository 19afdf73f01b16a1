"""An idle input (``with_idleness``) is announced downstream and stops holding event time."""

from __future__ import annotations

from typing import Any

from kolk._cluster.deployment import build_deployment
from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.time.valve import WatermarkStatus
from kolk.common import Duration, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import StreamExecutionEnvironment


class First(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value)


def source_task(idle_timeout_ms: int) -> StreamTask:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    strategy = (
        WatermarkStrategy.for_monotonous_timestamps()
        .with_timestamp_assigner(First())
        .with_idleness(Duration.of_millis(idle_timeout_ms))
    )
    env.from_collection([5, 7]).assign_timestamps_and_watermarks(strategy).rebalance().print()
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    deployment = build_deployment(create_job_graph(graph), seed=1)
    return StreamTask(deployment.tasks[0])


def events(task: StreamTask) -> list[Any]:
    return [
        buffer.event
        for sub in task.partitions[0].subpartitions
        for buffer in sub.queue
        if buffer.event is not None
    ][:4]


def test_an_idle_input_is_announced_once_then_active_again_after_records() -> None:
    task = source_task(idle_timeout_ms=0)  # idle as soon as a periodic emission finds no record
    assigner = task.chain.assigners[0]
    task.chain.emit_periodic_watermarks()
    assert assigner.idle and assigner.announced_idle
    statuses = [e for e in events(task) if isinstance(e, WatermarkStatus)]
    assert statuses == [WatermarkStatus(True), WatermarkStatus(True)]  # one per channel
    task.chain.emit_periodic_watermarks()  # still idle: nothing new announced
    assert [e for e in events(task) if isinstance(e, WatermarkStatus)] == statuses


def test_without_idleness_no_status_is_sent() -> None:
    task = source_task(idle_timeout_ms=60_000)
    task.chain.emit_periodic_watermarks()
    assert not task.chain.assigners[0].idle
    assert not [e for e in events(task) if isinstance(e, WatermarkStatus)]
