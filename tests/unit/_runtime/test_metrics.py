"""Task and vertex metrics computed from frozen statistics: Flink's formulas and names.

flink_runtime_notes.md §1.7: ``busyTimeMsPerSecond = 1000 - min(idle + backPressured, 1000)``,
``accumulated-busy-time = now - start - idle - backPressured``, ``outPoolUsage`` = used / pool
size (above 1 with overdraft), ``inPoolUsage`` = buffers holding data / (exclusive + floating),
back-pressure levels ok <= 0.10 < low <= 0.5 < high, a vertex's level its worst subtask's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from kolk._runtime.metrics import (
    TaskMetrics,
    VertexMetrics,
    back_pressure_level,
    task_metrics,
    vertex_metrics,
)
from kolk._runtime.network.consumer import InputGateStatistics
from kolk._runtime.network.partition import ResultPartitionStatistics
from kolk._runtime.tasks.stream_task import TaskStatistics, TaskStatus, TimeState
from kolk.util.exceptions import KolkInternalError


def partition(buffers_in_use: int = 0, num_buffers_out: int = 0) -> ResultPartitionStatistics:
    """A partition with two subpartitions: a pool of 2 * 2 + 8 = 12 buffers."""
    return ResultPartitionStatistics(
        num_subpartitions=2,
        pool_size=12,
        buffers_in_use=buffers_in_use,
        queued_buffers=(0, 0),
        backlogs=(0, 0),
        num_buffers_out=num_buffers_out,
        num_records_out=0,
        finished=False,
    )


def gate(occupied: tuple[int, int] = (0, 0), num_buffers_in: int = 0) -> InputGateStatistics:
    """A gate with two channels: 2 * 2 exclusive + 8 floating = 12 buffers."""
    return InputGateStatistics(
        num_channels=2,
        queued_buffers=(0, 0),
        owned_buffers=(2, 2),
        occupied_buffers=occupied,
        floating_available=8,
        floating_total=8,
        total_buffers=12,
        num_buffers_in=num_buffers_in,
        finished=False,
    )


def statistics(**changes: Any) -> TaskStatistics:
    """A finished one-input, one-output subtask that lived 2,000 ms; ``changes`` override."""
    base = TaskStatistics(
        name="Map (1/1)",
        vertex_name="Map",
        subtask_index=0,
        parallelism=1,
        status=TaskStatus.FINISHED,
        num_records_in=100,
        num_records_out=40,
        num_buffers_in=25,
        num_back_pressured_steps=3,
        num_idle_steps=4,
        mailbox_size=0,
        partitions=(partition(num_buffers_out=10),),
        gates=(gate(num_buffers_in=25),),
        peak_out_pool_used=15,
        peak_in_pool_used=6,
        start_time_ms=1_000.0,
        end_time_ms=3_000.0,
        now_ms=5_000.0,
        accumulated_idle_ms=500.0,
        accumulated_back_pressured_ms=300.0,
        time_state=TimeState.IDLE,
        current_input_watermark=1_234,
        num_fired_timers=2,
        num_late_records_dropped=None,
    )
    return dataclasses.replace(base, **changes)


def metrics_of(name: str, index: int, parallelism: int, **changes: Any) -> TaskMetrics:
    return task_metrics(
        statistics(
            name=f"{name} ({index + 1}/{parallelism})",
            vertex_name=name,
            subtask_index=index,
            parallelism=parallelism,
            **changes,
        )
    )


# -- one subtask ------------------------------------------------------------------------------


def test_time_metrics_follow_flinks_formulas_over_the_lifetime() -> None:
    metrics = task_metrics(statistics())
    # Lifetime 3,000 - 1,000 = 2,000 ms (the end, not "now", for a finished task).
    assert metrics.lifetime_ms == 2_000.0
    assert metrics.accumulated_idle_time == 500.0
    assert metrics.accumulated_back_pressured_time == 300.0
    assert metrics.accumulated_busy_time == 2_000.0 - 500.0 - 300.0
    assert metrics.idle_time_ms_per_second == 250.0
    assert metrics.back_pressured_time_ms_per_second == 150.0
    assert metrics.busy_time_ms_per_second == 1_000.0 - (250.0 + 150.0)


def test_counters_and_pool_usage() -> None:
    metrics = task_metrics(
        statistics(
            partitions=(partition(buffers_in_use=3, num_buffers_out=10),), gates=(gate((1, 2)),)
        )
    )
    assert (
        metrics.num_records_in,
        metrics.num_records_out,
        metrics.num_buffers_in,
        metrics.num_buffers_out,
    ) == (100, 40, 25, 10)
    assert (metrics.out_pool_size, metrics.in_pool_size) == (12, 12)
    assert metrics.out_pool_usage == 3 / 12
    assert metrics.in_pool_usage == 3 / 12
    assert metrics.peak_out_pool_usage == 15 / 12, "overdraft buffers: above 1"
    assert metrics.peak_in_pool_usage == 6 / 12
    assert (metrics.current_input_watermark, metrics.num_fired_timers) == (1_234, 2)
    assert metrics.num_late_records_dropped is None


def test_pools_are_summed_over_partitions_and_gates_and_are_zero_without_any() -> None:
    two = task_metrics(
        statistics(
            partitions=(partition(buffers_in_use=6), partition(buffers_in_use=0)),
            gates=(gate((2, 2)), gate((0, 2))),
            peak_out_pool_used=12,
        )
    )
    assert two.out_pool_usage == 6 / 24
    assert two.in_pool_usage == 6 / 24
    assert two.peak_out_pool_usage == 12 / 24
    none = task_metrics(statistics(partitions=(), gates=(), peak_out_pool_used=0))
    assert (none.out_pool_usage, none.peak_out_pool_usage, none.in_pool_usage) == (0.0, 0.0, 0.0)
    assert (none.out_pool_size, none.in_pool_size, none.num_buffers_out) == (0, 0, 0)


def test_a_running_task_is_measured_up_to_now() -> None:
    running = task_metrics(
        statistics(status=TaskStatus.RUNNING, end_time_ms=None, time_state=TimeState.BACK_PRESSURED)
    )
    assert running.lifetime_ms == 4_000.0
    assert running.back_pressured_time_ms_per_second == 75.0
    assert running.is_back_pressured
    assert not task_metrics(statistics(time_state=TimeState.BACK_PRESSURED)).is_back_pressured, (
        "an ended task is not back-pressured"
    )
    assert not task_metrics(
        statistics(status=TaskStatus.RUNNING, end_time_ms=None, time_state=TimeState.IDLE)
    ).is_back_pressured


def test_a_task_that_lived_no_time_is_busy_by_the_formula() -> None:
    metrics = task_metrics(
        statistics(
            start_time_ms=7.0,
            end_time_ms=7.0,
            accumulated_idle_ms=0.0,
            accumulated_back_pressured_ms=0.0,
        )
    )
    assert metrics.lifetime_ms == 0.0
    assert (
        metrics.busy_time_ms_per_second,
        metrics.idle_time_ms_per_second,
        metrics.back_pressured_time_ms_per_second,
    ) == (1_000.0, 0.0, 0.0)
    assert metrics.accumulated_busy_time == 0.0


def test_flink_names() -> None:
    metrics = task_metrics(statistics())
    assert metrics.flink_metrics() == {
        "numRecordsIn": 100,
        "numRecordsOut": 40,
        "numBuffersIn": 25,
        "numBuffersOut": 10,
        "numBytesOut": 0,
        "inPoolUsage": 0.0,
        "outPoolUsage": 0.0,
        "busyTimeMsPerSecond": 600.0,
        "idleTimeMsPerSecond": 250.0,
        "backPressuredTimeMsPerSecond": 150.0,
        "accumulatedBusyTime": 1_200.0,
        "accumulatedIdleTime": 500.0,
        "accumulatedBackPressuredTime": 300.0,
        "isBackPressured": False,
        "currentInputWatermark": 1_234,
        "numFiredTimers": 2,
    }
    late = task_metrics(statistics(num_late_records_dropped=3)).flink_metrics()
    assert late["numLateRecordsDropped"] == 3


@pytest.mark.parametrize(
    ("ms_per_second", "level"),
    [(0.0, "ok"), (100.0, "ok"), (100.5, "low"), (500.0, "low"), (500.5, "high"), (1000.0, "high")],
)
def test_back_pressure_levels_are_the_rest_handlers(ms_per_second: float, level: str) -> None:
    assert back_pressure_level(ms_per_second) == level


def test_task_metrics_are_frozen() -> None:
    metrics = task_metrics(statistics())
    with pytest.raises(dataclasses.FrozenInstanceError):
        metrics.num_records_in = 0  # type: ignore[misc]


# -- vertices ---------------------------------------------------------------------------------


def test_vertices_sum_counters_average_rates_and_keep_the_worst_subtask() -> None:
    source = metrics_of("Source: Collection Source", 0, 1, gates=(), num_records_in=0)
    first = metrics_of(
        "Map",
        0,
        2,
        accumulated_idle_ms=0.0,
        accumulated_back_pressured_ms=1_200.0,
        peak_out_pool_used=18,
        num_late_records_dropped=1,
    )
    second = metrics_of(
        "Map",
        1,
        2,
        accumulated_idle_ms=200.0,
        accumulated_back_pressured_ms=0.0,
        peak_out_pool_used=6,
        num_records_in=50,
        num_fired_timers=5,
    )
    vertices = vertex_metrics([source, first, second])
    assert [(v.vertex_name, v.parallelism) for v in vertices] == [
        ("Source: Collection Source", 1),
        ("Map", 2),
    ]
    assert vertices[1] == VertexMetrics(
        vertex_name="Map",
        parallelism=2,
        num_records_in=150,
        num_records_out=80,
        num_buffers_in=50,
        num_buffers_out=20,
        # first: back-pressured 600 ms/s, busy 400; second: idle 100, busy 900.
        busy_time_ms_per_second=650.0,
        idle_time_ms_per_second=50.0,
        back_pressured_time_ms_per_second=300.0,
        max_busy_time_ms_per_second=900.0,
        max_back_pressured_time_ms_per_second=600.0,
        back_pressure_level="high",
        peak_in_pool_usage=0.5,
        peak_out_pool_usage=1.5,
        has_network_output=True,
        num_fired_timers=7,
        num_late_records_dropped=1,
        subtasks=(first, second),
    )
    assert vertices[0].num_late_records_dropped is None
    assert vertices[0].num_records_in == 0


def test_vertices_with_the_same_name_stay_apart() -> None:
    tasks = [metrics_of("Map", 0, 1), metrics_of("Map", 0, 2), metrics_of("Map", 1, 2)]
    assert [v.parallelism for v in vertex_metrics(tasks)] == [1, 2]


def test_a_sink_vertex_has_no_network_output() -> None:
    sink = metrics_of(
        "Sink: Print to Std. Out", 0, 1, partitions=(), peak_out_pool_used=0, num_records_out=0
    )
    (vertex,) = vertex_metrics([sink])
    assert not vertex.has_network_output
    assert (vertex.num_records_out, vertex.num_buffers_out, vertex.peak_out_pool_usage) == (
        0,
        0,
        0.0,
    )


@pytest.mark.parametrize(
    "order",
    [
        [("Map", 1, 2), ("Map", 0, 2)],
        [("Map", 0, 2)],
        [("Map", 0, 2), ("Filter", 1, 2)],
    ],
)
def test_tasks_out_of_deployment_order_are_an_internal_error(
    order: list[tuple[str, int, int]],
) -> None:
    with pytest.raises(KolkInternalError, match="deployment order"):
        vertex_metrics([metrics_of(name, index, p) for name, index, p in order])


def test_no_tasks_no_vertices() -> None:
    assert vertex_metrics([]) == ()
