"""Task and vertex metrics of whole jobs: exact counters, and time accounting on a manual clock.

Counters go through ``execute()`` (the JobMaster) and the result's kolk additions
``get_vertex_metrics()`` / ``get_task_metrics()``. Time accounting runs jobs on a tiny executor
(the seam ``JobMaster`` uses, as ``test_flow_control.py`` does) whose ``ManualClock`` moves only
inside user functions, so every millisecond is accounted for exactly
(``kolk._runtime.metrics`` states the rule: a step's own time is busy when it did anything; the
time until the task's next step goes to the state the step left it in).

Buffers hold 4 records (128-byte segments) and the buffer timeout is -1, so a buffer leaves
only when full or at end of input and the buffer counts follow from the record counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kolk._cluster.deployment import build_deployment
from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._runtime.metrics import TaskMetrics, VertexMetrics, vertex_metrics
from kolk._runtime.tasks.executor import TaskExecutor
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import ProcessingTimeService
from kolk._runtime.time.clock import ManualClock
from kolk._runtime.time.watermark import MAX_WATERMARK, MIN_WATERMARK
from kolk.common import Configuration, Time, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream.window import TumblingEventTimeWindows

CAPACITY = 4


def make_env(parallelism: int) -> StreamExecutionEnvironment:
    configuration = Configuration()
    configuration.set_string("taskmanager.memory.segment-size", "128b")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    env.set_buffer_timeout(-1)
    return env


def counts(vertex: VertexMetrics) -> tuple[str, int, int, int, int, int]:
    return (
        vertex.vertex_name,
        vertex.parallelism,
        vertex.num_records_in,
        vertex.num_records_out,
        vertex.num_buffers_in,
        vertex.num_buffers_out,
    )


# -- counters through execute() ---------------------------------------------------------------

#: Per parallelism: buffers on the edge source -> Map, and on Map -> Map. One buffer per 4
#: records per channel (the last one partial, at end of input). Source -> Map: 10 records round
#: robin over p channels (5 + 5 at p = 2: 2 + 2 buffers; 3 + 3 + 2 + 2 at p = 4: 4 buffers).
#: Map -> Map: each Map subtask spreads its share round robin over p channels (at p = 2, 5
#: records as 3 + 2: 2 buffers per producer; at p = 4, at most 3 records: one buffer per record).
BUFFERS = {1: (3, 3), 2: (4, 4), 4: (4, 10)}


@pytest.mark.parametrize("parallelism", [1, 2, 4])
def test_records_and_buffers_per_vertex_are_exact(
    parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env = make_env(parallelism)
    env.from_collection(list(range(10))).rebalance().map(lambda x: x * 2).rebalance().map(
        lambda x: x + 1
    ).print()

    result = env.execute("metrics")

    assert len(capsys.readouterr().out.splitlines()) == 10
    first_edge, second_edge = BUFFERS[parallelism]
    vertices = result.get_vertex_metrics()
    # The source reads no network input; the print sink is chained, and sinks write nothing
    # to the network (Flink's numRecordsOut of a sink task is 0).
    assert [counts(v) for v in vertices] == [
        ("Source: Collection Source", 1, 0, 10, 0, first_edge),
        ("Map", parallelism, 10, 10, first_edge, second_edge),
        ("Map -> Sink: Print to Std. Out", parallelism, 10, 0, second_edge, 0),
    ]
    tasks = result.get_task_metrics()
    assert [t.task_name for t in tasks] == [
        "Source: Collection Source (1/1)",
        *(f"Map ({i}/{parallelism})" for i in range(1, parallelism + 1)),
        *(f"Map -> Sink: Print to Std. Out ({i}/{parallelism})" for i in range(1, parallelism + 1)),
    ]
    assert tuple(tasks[1 : 1 + parallelism]) == vertices[1].subtasks
    # Round robin shares the records out evenly, whatever channel it starts at.
    shares = {1: [10], 2: [5, 5], 4: [2, 2, 3, 3]}[parallelism]
    assert sorted(t.num_records_in for t in vertices[1].subtasks) == shares
    assert vertex_metrics(tasks) == tuple(vertices)
    for task in tasks:
        assert task.status.value == "FINISHED"
        assert (task.in_pool_usage, task.out_pool_usage, task.is_back_pressured) == (
            0.0,
            0.0,
            False,
        ), "all buffers returned, nothing back-pressured once the job ended"
    assert vertices[0].has_network_output
    assert not vertices[2].has_network_output


def test_a_job_chained_into_one_vertex_counts_no_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = make_env(1)
    env.from_collection([1, 2, 3]).map(lambda x: x).print()

    result = env.execute()

    assert capsys.readouterr().out == "1\n2\n3\n"
    (vertex,) = result.get_vertex_metrics()
    assert counts(vertex) == (
        "Source: Collection Source -> Map -> Sink: Print to Std. Out",
        1,
        0,
        0,
        0,
        0,
    )


# -- time accounting on a manual clock --------------------------------------------------------


def run_on_manual_clock(env: StreamExecutionEnvironment, clock: ManualClock) -> list[TaskMetrics]:
    """Runs the program on one executor driven by ``clock``; returns the final task metrics."""
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    deployment = build_deployment(create_job_graph(graph), seed=7)
    timers = ProcessingTimeService(clock)
    tasks = [StreamTask(config, timers=timers) for config in deployment.tasks]
    assert {task.config.buffer_capacity for task in tasks} == {CAPACITY}
    executor = TaskExecutor(tasks, deployment.connections, timers)
    executor.run()
    return executor.task_metrics()


def taking(clock: ManualClock, ms: int) -> Callable[[Any], Any]:
    """A map function that takes ``ms`` of processing time per record."""

    def slow(value: Any) -> Any:
        clock.advance(ms)
        return value

    return slow


def times(task: TaskMetrics) -> tuple[float, float, float, float]:
    return (
        task.lifetime_ms,
        task.accumulated_busy_time,
        task.accumulated_idle_time,
        task.accumulated_back_pressured_time,
    )


def rates(task: TaskMetrics) -> tuple[float, float, float]:
    return (
        task.busy_time_ms_per_second,
        task.idle_time_ms_per_second,
        task.back_pressured_time_ms_per_second,
    )


def test_a_source_faster_than_its_consumer_is_back_pressured_and_the_consumer_busy() -> None:
    clock = ManualClock()
    env = make_env(1)
    # Each source record becomes 20: one source step (4 records) fills 20 buffers, the consumer
    # takes one buffer (4 records, 4 ms) per step.
    env.from_collection(list(range(10))).flat_map(lambda x: [x] * 20).rebalance().map(
        taking(clock, 1)
    )

    source, consumer = run_on_manual_clock(env, clock)

    assert (source.task_name, consumer.task_name) == (
        "Source: Collection Source -> FlatMap (1/1)",
        "Map (1/1)",
    )
    # The source's first step (t = 0) fills 20 buffers of its 10-buffer pool: unavailable
    # from then on. Credit (2 exclusive + 8 floating) lets 10 leave, one more per buffer the
    # consumer processes; once fewer than 10 are in use (t = 4) the source's next step adds 20
    # (29 in use: peak outPoolUsage 2.9) and waits until 20 more left (t = 4 + 20 * 4 = 84),
    # when its last step emits the rest and ends. Between its steps it was always left
    # back-pressured; its steps took no time.
    assert times(source) == (84.0, 0.0, 0.0, 84.0)
    assert rates(source) == (0.0, 0.0, 1000.0)
    assert source.back_pressure_level == "high"
    assert source.peak_out_pool_usage == 2.9
    # The consumer processed 200 records at 1 ms each and never ran out of input.
    assert times(consumer) == (200.0, 200.0, 0.0, 0.0)
    assert rates(consumer) == (1000.0, 0.0, 0.0)
    assert consumer.back_pressure_level == "ok"
    assert consumer.peak_in_pool_usage == 1.0, "2 exclusive + 8 floating buffers, all holding data"
    assert (source.num_records_out, source.num_buffers_out) == (200, 50)
    assert (consumer.num_records_in, consumer.num_buffers_in) == (200, 50)
    (source_vertex, consumer_vertex) = vertex_metrics([source, consumer])
    assert (source_vertex.back_pressure_level, consumer_vertex.back_pressure_level) == (
        "high",
        "ok",
    )


def test_a_consumer_of_a_slow_source_is_idle_and_the_source_busy() -> None:
    clock = ManualClock()
    env = make_env(1)
    # The source's chain takes 10 ms per record: 40 ms per step (one 4-record buffer).
    env.from_collection(list(range(10))).map(taking(clock, 10)).rebalance().map(lambda x: x)

    source, consumer = run_on_manual_clock(env, clock)

    assert times(source) == (100.0, 100.0, 0.0, 0.0)
    assert rates(source) == (1000.0, 0.0, 0.0)
    # Every buffer arrives while the consumer waits with nothing to do, and it takes no time.
    assert times(consumer) == (100.0, 0.0, 100.0, 0.0)
    assert rates(consumer) == (0.0, 1000.0, 0.0)
    assert (source.num_buffers_out, consumer.num_buffers_in) == (3, 3)
    assert (source.peak_out_pool_usage, consumer.peak_in_pool_usage) == (0.1, 0.1)


def test_time_between_steps_goes_to_the_state_the_task_was_left_in() -> None:
    clock = ManualClock()
    env = make_env(1)
    env.from_collection(list(range(8))).rebalance().map(lambda x: x)
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(None)).generate()
    deployment = build_deployment(create_job_graph(graph), seed=7)
    timers = ProcessingTimeService(clock)
    source, consumer = (StreamTask(config, timers=timers) for config in deployment.tasks)
    executor = TaskExecutor([source, consumer], deployment.connections, timers)
    source.start()
    consumer.start()  # no input yet: idle

    clock.advance(5)
    assert consumer.statistics().accumulated_idle_ms == 5.0, "a snapshot counts up to now"
    source.step()  # the first 4 records: one full buffer, handed over at once
    executor.transport.pump()
    clock.advance(7)
    # The buffer arrived at t = 5, but the consumer's state is seen only at its own steps: the
    # whole gap since it was left idle counts as idle (the documented approximation).
    consumer.step()
    stats = consumer.statistics()
    assert (stats.accumulated_idle_ms, stats.accumulated_back_pressured_ms) == (12.0, 0.0)
    assert stats.num_records_in == 4
    clock.advance(3)  # left idle again: its input is empty
    assert consumer.statistics().accumulated_idle_ms == 15.0
    metrics = vertex_metrics(executor.task_metrics())
    assert [v.subtasks[0].status.value for v in metrics] == ["RUNNING", "RUNNING"]
    assert metrics[1].subtasks[0].lifetime_ms == 15.0


class Identity(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value)


def test_late_records_dropped_fired_timers_and_the_input_watermark() -> None:
    clock = ManualClock()
    env = make_env(1)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Identity())
    # The first source step (4 records, 100 ms each) passes the 200 ms watermark interval, so
    # watermark 9000 - 1 goes out before the second step: window [0, 5000) fires, and the
    # second step's 100, 200 and 300 are late for it (allowed lateness 0) and dropped.
    env.from_collection([1000, 2000, 3000, 9000, 100, 200, 300, 9500]).map(
        taking(clock, 100)
    ).assign_timestamps_and_watermarks(strategy).key_by(lambda x: "one key").window(
        TumblingEventTimeWindows.of(Time.seconds(5))
    ).reduce(lambda a, b: a + b)

    source, window = run_on_manual_clock(env, clock)

    assert window.task_name == "TumblingEventTimeWindows (1/1)"
    assert window.num_late_records_dropped == 3
    # One event-time timer per window of the key: [0, 5000) at 8999, [5000, 10000) at the end.
    assert window.num_fired_timers == 2
    assert window.current_input_watermark == MAX_WATERMARK
    assert window.flink_metrics()["numLateRecordsDropped"] == 3
    assert source.num_late_records_dropped is None, "no operator of the source's chain counts it"
    assert "numLateRecordsDropped" not in source.flink_metrics()
    assert source.current_input_watermark == MIN_WATERMARK, "a source has no input watermark"
    (_, window_vertex) = vertex_metrics([source, window])
    assert (window_vertex.num_late_records_dropped, window_vertex.num_fired_timers) == (3, 2)
