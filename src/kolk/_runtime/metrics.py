"""Task and vertex metrics: Flink's names and formulas, computed from frozen statistics.

A task's metrics are computed from one :class:`~kolk._runtime.tasks.stream_task.TaskStatistics`
snapshot (which holds its partitions' and gates' own statistics), never from live objects:
the snapshot is a frozen, picklable record, so a worker process can later ship it (or the
:class:`TaskMetrics` made from it) to the JobMaster unchanged. Vertex metrics aggregate the
metrics of a vertex's subtasks.

Names (flink_runtime_notes.md §1.7; :meth:`TaskMetrics.flink_metrics` gives Flink's spelling):

- ``numRecordsIn`` — records taken from the input gates. A source task reads no network input,
  so it counts none. ``numRecordsOut`` — records written to the network outputs: chained
  operators and sinks write none, as in Flink (a job chained into one vertex counts nothing);
  a broadcast record counts once. ``numBuffersIn`` / ``numBuffersOut`` — data buffers taken from
  the gates / sent from the partitions (events are not counted).
- ``inPoolUsage`` = buffers holding data / (exclusive + floating buffers) over every input
  channel (Flink counts remote channels only; kolk keeps credit on local channels too, so all
  count). ``outPoolUsage`` = buffers in use / pool size over every output partition; above 1
  with overdraft buffers. The *current* values are those of the snapshot (0 once a job has
  ended); the *peak* values are the largest the task saw (see below).
- ``accumulatedIdleTime``, ``accumulatedBackPressuredTime``, ``accumulatedBusyTime`` = lifetime
  - idle - back-pressured (Flink's formula), in milliseconds of the task executor's clock.
- ``idleTimeMsPerSecond``, ``backPressuredTimeMsPerSecond``: the accumulated times per second
  of the task's lifetime (Flink's gauges average over the last second; kolk reports the whole
  lifetime, which is what a finished job needs); ``busyTimeMsPerSecond = 1000 - min(idle +
  backPressured, 1000)``. A task that lived 0 ms reports 0 idle and 0 back-pressured, so busy
  1000 (what the formula gives with no measurements).
- ``isBackPressured``: the task is back-pressured now (always False once it has ended).
  The back-pressure *level* is the REST handler's: ratio = back-pressured ms per second / 1000;
  ``ok`` ≤ 0.10 < ``low`` ≤ 0.5 < ``high``; a vertex's level is its worst subtask's.
- ``currentInputWatermark``, ``numFiredTimers``, ``numLateRecordsDropped`` (only where an
  operator of the chain counts it: window operators; None elsewhere).

Time accounting on one thread. Flink runs each task on its own thread and measures how long
the thread waits for input (idle) and for output buffers (back-pressured); all the rest is
busy. kolk runs every task of a process on one thread, one mailbox step at a time, so a task
cannot measure its own waiting. Instead the task reads the clock at the start and the end of
each step (never per record) and charges:

- the step's own time to *busy* if the step did anything (mails, input, a source slice), else
  to what it found: *back-pressured* (an output partition unavailable) or *idle* (no input);
- the time between the end of one step and the start of its next — while the other tasks of
  the process run and the transport moves buffers — to the state the step *left the task in*:
  back-pressured if an output is unavailable; otherwise busy if input is waiting (a running
  source always has input); otherwise idle.

A task with input and credit that waits for the thread is therefore busy, which is what
Flink's formula says for a runnable thread waiting for a CPU. The approximation: a state that
changes between two steps (credit or input arriving while other tasks run) is seen only at the
next step, so the whole gap goes to the state the task was left in. With a manual clock that
only moves inside user functions (tests) the accounting is exact.

Pool peaks are exact at step granularity: only a task's own steps take output buffers and only
the transport (between steps) frees them, so the output pools are sampled at the end of each
step that did something; only the transport fills input buffers and only the task's steps free
them, so the input buffers are sampled whenever a data buffer is taken.

``numBytesOut`` counts the encoded bytes of buffers sent to another process; in process a
buffer holds record references and is never serialized, so it adds nothing.

Not measured: ``numBytesIn``, the ``…PerSecond`` meters, soft/hard back-pressure, mailbox latency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kolk._runtime.tasks.stream_task import TaskStatistics, TaskStatus, TimeState
from kolk.util.exceptions import KolkInternalError

__all__ = [
    "BACK_PRESSURE_LEVELS",
    "TaskMetrics",
    "VertexMetrics",
    "back_pressure_level",
    "task_metrics",
    "vertex_metrics",
]

#: The REST handler's levels, lowest first (JobVertexBackPressureHandler).
BACK_PRESSURE_LEVELS = ("ok", "low", "high")


def back_pressure_level(back_pressured_time_ms_per_second: float) -> str:
    """Flink's back-pressure level for ``backPressuredTimeMsPerSecond``.

    Returns:
        ``"ok"`` for a ratio (ms per second / 1000) ≤ 0.10, ``"low"`` for ≤ 0.5, else
        ``"high"``.
    """
    ratio = back_pressured_time_ms_per_second / 1000.0
    if ratio <= 0.10:
        return "ok"
    if ratio <= 0.5:
        return "low"
    return "high"


@dataclass(frozen=True, slots=True)
class TaskMetrics:
    """The metrics of one subtask (Flink's task-level metrics, in snake case).

    Times are milliseconds of the task executor's clock. Invariant: the three accumulated
    times add up to :attr:`lifetime_ms`, and the three per-second rates to 1000.

    Attributes:
        task_name: ``"Map (1/2)"``.
        vertex_name: the job vertex (``"Map -> Filter"``).
        subtask_index: 0-based.
        parallelism: subtasks of the vertex.
        status: the task's status when measured.
        num_records_in: ``numRecordsIn``.
        num_records_out: ``numRecordsOut``.
        num_buffers_in: ``numBuffersIn``.
        num_buffers_out: ``numBuffersOut``.
        num_bytes_out: ``numBytesOut`` (encoded bytes sent to other processes).
        in_pool_usage: ``inPoolUsage`` when measured.
        peak_in_pool_usage: the largest ``inPoolUsage`` seen.
        out_pool_usage: ``outPoolUsage`` when measured.
        peak_out_pool_usage: the largest ``outPoolUsage`` seen (> 1 with overdraft buffers).
        in_pool_size: input buffers (exclusive + floating) over every gate; 0 for a source.
        out_pool_size: output pool buffers over every partition; 0 without network output.
        lifetime_ms: from start to end (or to the measurement while running).
        accumulated_busy_time: ``accumulatedBusyTime``.
        accumulated_idle_time: ``accumulatedIdleTime``.
        accumulated_back_pressured_time: ``accumulatedBackPressuredTime``.
        busy_time_ms_per_second: ``busyTimeMsPerSecond`` over the lifetime.
        idle_time_ms_per_second: ``idleTimeMsPerSecond`` over the lifetime.
        back_pressured_time_ms_per_second: ``backPressuredTimeMsPerSecond`` over the lifetime.
        is_back_pressured: ``isBackPressured``.
        current_input_watermark: ``currentInputWatermark`` (``Long.MIN_VALUE`` when none).
        num_fired_timers: ``numFiredTimers``.
        num_late_records_dropped: ``numLateRecordsDropped``; None when no operator counts it.
    """

    task_name: str
    vertex_name: str
    subtask_index: int
    parallelism: int
    status: TaskStatus
    num_records_in: int
    num_records_out: int
    num_buffers_in: int
    num_buffers_out: int
    in_pool_usage: float
    peak_in_pool_usage: float
    out_pool_usage: float
    peak_out_pool_usage: float
    in_pool_size: int
    out_pool_size: int
    lifetime_ms: float
    accumulated_busy_time: float
    accumulated_idle_time: float
    accumulated_back_pressured_time: float
    busy_time_ms_per_second: float
    idle_time_ms_per_second: float
    back_pressured_time_ms_per_second: float
    is_back_pressured: bool
    current_input_watermark: int
    num_fired_timers: int
    num_late_records_dropped: int | None
    num_bytes_out: int = 0

    @property
    def back_pressure_level(self) -> str:
        """``"ok"``, ``"low"`` or ``"high"`` (see :func:`back_pressure_level`)."""
        return back_pressure_level(self.back_pressured_time_ms_per_second)

    def flink_metrics(self) -> dict[str, float | int | bool]:
        """The metrics under Flink's names (``numRecordsIn``, ...), as the REST API lists them.

        ``numLateRecordsDropped`` is present only when an operator counts it.
        """
        metrics: dict[str, float | int | bool] = {
            "numRecordsIn": self.num_records_in,
            "numRecordsOut": self.num_records_out,
            "numBuffersIn": self.num_buffers_in,
            "numBuffersOut": self.num_buffers_out,
            "numBytesOut": self.num_bytes_out,
            "inPoolUsage": self.in_pool_usage,
            "outPoolUsage": self.out_pool_usage,
            "busyTimeMsPerSecond": self.busy_time_ms_per_second,
            "idleTimeMsPerSecond": self.idle_time_ms_per_second,
            "backPressuredTimeMsPerSecond": self.back_pressured_time_ms_per_second,
            "accumulatedBusyTime": self.accumulated_busy_time,
            "accumulatedIdleTime": self.accumulated_idle_time,
            "accumulatedBackPressuredTime": self.accumulated_back_pressured_time,
            "isBackPressured": self.is_back_pressured,
            "currentInputWatermark": self.current_input_watermark,
            "numFiredTimers": self.num_fired_timers,
        }
        if self.num_late_records_dropped is not None:
            metrics["numLateRecordsDropped"] = self.num_late_records_dropped
        return metrics


def _per_second(accumulated_ms: float, lifetime_ms: float) -> float:
    return 1000.0 * accumulated_ms / lifetime_ms if lifetime_ms > 0 else 0.0


def task_metrics(statistics: TaskStatistics) -> TaskMetrics:
    """Computes a subtask's metrics from its statistics snapshot (see the module docstring)."""
    end = statistics.end_time_ms if statistics.end_time_ms is not None else statistics.now_ms
    lifetime = max(end - statistics.start_time_ms, 0.0)
    idle = statistics.accumulated_idle_ms
    back_pressured = statistics.accumulated_back_pressured_ms
    idle_rate = _per_second(idle, lifetime)
    back_pressured_rate = _per_second(back_pressured, lifetime)
    in_pool_size = sum(g.total_buffers for g in statistics.gates)
    out_pool_size = sum(p.pool_size for p in statistics.partitions)
    in_used = sum(sum(g.occupied_buffers) for g in statistics.gates)
    out_used = sum(p.buffers_in_use for p in statistics.partitions)
    return TaskMetrics(
        task_name=statistics.name,
        vertex_name=statistics.vertex_name,
        subtask_index=statistics.subtask_index,
        parallelism=statistics.parallelism,
        status=statistics.status,
        num_records_in=statistics.num_records_in,
        num_records_out=statistics.num_records_out,
        num_buffers_in=statistics.num_buffers_in,
        num_buffers_out=sum(p.num_buffers_out for p in statistics.partitions),
        num_bytes_out=sum(p.num_bytes_out for p in statistics.partitions),
        in_pool_usage=in_used / in_pool_size if in_pool_size else 0.0,
        peak_in_pool_usage=statistics.peak_in_pool_used / in_pool_size if in_pool_size else 0.0,
        out_pool_usage=out_used / out_pool_size if out_pool_size else 0.0,
        peak_out_pool_usage=(
            statistics.peak_out_pool_used / out_pool_size if out_pool_size else 0.0
        ),
        in_pool_size=in_pool_size,
        out_pool_size=out_pool_size,
        lifetime_ms=lifetime,
        accumulated_busy_time=max(lifetime - idle - back_pressured, 0.0),
        accumulated_idle_time=idle,
        accumulated_back_pressured_time=back_pressured,
        busy_time_ms_per_second=1000.0 - min(idle_rate + back_pressured_rate, 1000.0),
        idle_time_ms_per_second=idle_rate,
        back_pressured_time_ms_per_second=back_pressured_rate,
        is_back_pressured=(
            statistics.status is TaskStatus.RUNNING
            and statistics.time_state is TimeState.BACK_PRESSURED
        ),
        current_input_watermark=statistics.current_input_watermark,
        num_fired_timers=statistics.num_fired_timers,
        num_late_records_dropped=statistics.num_late_records_dropped,
    )


@dataclass(frozen=True, slots=True)
class VertexMetrics:
    """The metrics of one job vertex: its subtasks' metrics, aggregated.

    Counters are summed; the time rates are given as the mean over the subtasks (so busy,
    idle and back-pressured still add up to 1000) and, for busy and back-pressured, as the
    maximum too (what Flink's dashboard shows); pool peaks and the back-pressure level are
    the worst subtask's.

    Attributes:
        vertex_name: the job vertex (``"Source: Collection Source -> Map"``).
        parallelism: its subtasks.
        num_records_in: summed ``numRecordsIn``.
        num_records_out: summed ``numRecordsOut``.
        num_buffers_in: summed ``numBuffersIn``.
        num_buffers_out: summed ``numBuffersOut``.
        num_bytes_out: summed ``numBytesOut``.
        busy_time_ms_per_second: mean ``busyTimeMsPerSecond``.
        idle_time_ms_per_second: mean ``idleTimeMsPerSecond``.
        back_pressured_time_ms_per_second: mean ``backPressuredTimeMsPerSecond``.
        max_busy_time_ms_per_second: the busiest subtask's ``busyTimeMsPerSecond``.
        max_back_pressured_time_ms_per_second: the most back-pressured subtask's.
        back_pressure_level: the REST level of the most back-pressured subtask.
        peak_in_pool_usage: the largest ``inPoolUsage`` any subtask saw.
        peak_out_pool_usage: the largest ``outPoolUsage`` any subtask saw.
        has_network_output: the vertex writes to the network (else ``outPoolUsage`` is 0 by
            definition).
        num_fired_timers: summed ``numFiredTimers``.
        num_late_records_dropped: summed ``numLateRecordsDropped``; None if no subtask counts it.
        subtasks: the subtasks' metrics, by subtask index.
    """

    vertex_name: str
    parallelism: int
    num_records_in: int
    num_records_out: int
    num_buffers_in: int
    num_buffers_out: int
    busy_time_ms_per_second: float
    idle_time_ms_per_second: float
    back_pressured_time_ms_per_second: float
    max_busy_time_ms_per_second: float
    max_back_pressured_time_ms_per_second: float
    back_pressure_level: str
    peak_in_pool_usage: float
    peak_out_pool_usage: float
    has_network_output: bool
    num_fired_timers: int
    num_late_records_dropped: int | None
    subtasks: tuple[TaskMetrics, ...]
    num_bytes_out: int = 0


def _aggregate(subtasks: tuple[TaskMetrics, ...]) -> VertexMetrics:
    first = subtasks[0]
    n = len(subtasks)
    late = [t.num_late_records_dropped for t in subtasks if t.num_late_records_dropped is not None]
    max_back_pressured = max(t.back_pressured_time_ms_per_second for t in subtasks)
    return VertexMetrics(
        vertex_name=first.vertex_name,
        parallelism=first.parallelism,
        num_records_in=sum(t.num_records_in for t in subtasks),
        num_records_out=sum(t.num_records_out for t in subtasks),
        num_buffers_in=sum(t.num_buffers_in for t in subtasks),
        num_buffers_out=sum(t.num_buffers_out for t in subtasks),
        num_bytes_out=sum(t.num_bytes_out for t in subtasks),
        busy_time_ms_per_second=sum(t.busy_time_ms_per_second for t in subtasks) / n,
        idle_time_ms_per_second=sum(t.idle_time_ms_per_second for t in subtasks) / n,
        back_pressured_time_ms_per_second=(
            sum(t.back_pressured_time_ms_per_second for t in subtasks) / n
        ),
        max_busy_time_ms_per_second=max(t.busy_time_ms_per_second for t in subtasks),
        max_back_pressured_time_ms_per_second=max_back_pressured,
        back_pressure_level=back_pressure_level(max_back_pressured),
        peak_in_pool_usage=max(t.peak_in_pool_usage for t in subtasks),
        peak_out_pool_usage=max(t.peak_out_pool_usage for t in subtasks),
        has_network_output=any(t.out_pool_size for t in subtasks),
        num_fired_timers=sum(t.num_fired_timers for t in subtasks),
        num_late_records_dropped=sum(late) if late else None,
        subtasks=subtasks,
    )


def vertex_metrics(tasks: Sequence[TaskMetrics]) -> tuple[VertexMetrics, ...]:
    """Aggregates subtask metrics per job vertex.

    Args:
        tasks: every subtask's metrics in deployment order: vertex by vertex, each vertex's
            subtasks by index (the order of ``Deployment.tasks``). Vertices are told apart by
            position, so two vertices may share a name.

    Returns:
        one record per vertex, in the order of ``tasks``.

    Raises:
        KolkInternalError: ``tasks`` is not in deployment order.
    """
    vertices: list[VertexMetrics] = []
    position = 0
    while position < len(tasks):
        first = tasks[position]
        group = tuple(tasks[position : position + first.parallelism])
        expected = [(first.vertex_name, first.parallelism, i) for i in range(first.parallelism)]
        if [(t.vertex_name, t.parallelism, t.subtask_index) for t in group] != expected:
            raise KolkInternalError(
                f"task metrics out of deployment order at {first.task_name!r}: "
                f"{[t.task_name for t in group]}"
            )
        vertices.append(_aggregate(group))
        position += first.parallelism
    return tuple(vertices)
