"""StreamTask: runs one subtask's operator chain, one mailbox step at a time.

Threading model: a task never blocks and never owns a thread. The process's
:class:`~kolk._runtime.tasks.executor.TaskExecutor` calls :meth:`StreamTask.step`
repeatedly from its single thread. Each step first runs the mails (timer actions such as the
output flusher), then the *default action*: a source emits one slice of records, any other
task processes one input buffer. The default action does not run while an output partition is
unavailable (soft back-pressure, Flink's ``StreamTask.processInput``): the task waits for
credit instead of taking more input, so memory in flight stays bounded by the buffer counts.

Life cycle: RUNNING → FINISHED when every input channel delivered END_OF_PARTITION (or the
source is exhausted): the chain finishes, closes (if it opened), and every output partition
ends with END_OF_PARTITION. A step that raises leaves the task FAILED.

Time accounting (Flink's ``busyTimeMsPerSecond`` / ``idleTimeMsPerSecond`` /
``backPressuredTimeMsPerSecond``; the rule and its approximation are explained in
:mod:`kolk._runtime.metrics`): two clock reads per step, none per record. A step's own time
is busy when it did anything; the time between the end of one step and the start of the next
is charged to the state the step left the task in: back-pressured (an output partition is
unavailable), idle (no input) or busy (runnable, waiting for the thread). The task also keeps
the peak pool usage seen at step boundaries, where pools only grow (see :meth:`step`).
"""

from __future__ import annotations

import enum
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from kolk._runtime.key_groups import KeyGroupAssigner
from kolk._runtime.network.buffer import Buffer, FlushReason
from kolk._runtime.network.consumer import InputGate, InputGateStatistics
from kolk._runtime.network.partition import ResultPartition, ResultPartitionStatistics
from kolk._runtime.network.writer import (
    BroadcastRecordWriter,
    CustomPartitionRecordWriter,
    ForwardRecordWriter,
    GlobalRecordWriter,
    HashRecordWriter,
    RebalanceRecordWriter,
    RecordWriter,
    RescaleRecordWriter,
    ShuffleRecordWriter,
)
from kolk._runtime.operators.base import StreamOperator
from kolk._runtime.operators.contexts import TaskTime
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.tasks.deployment import OutputConfig, TaskConfig
from kolk._runtime.tasks.operator_chain import OperatorChain
from kolk._runtime.tasks.timers import FLUSH, USER, WATERMARK, ProcessingTimeService
from kolk._runtime.time.timer_service import InternalTimerService, Triggerable
from kolk._runtime.time.valve import StatusWatermarkValve, WatermarkStatus
from kolk._runtime.time.watermark import MAX_WATERMARK, MIN_WATERMARK, Watermark
from kolk.util.exceptions import KolkInternalError

__all__ = ["StreamTask", "TaskStatistics", "TaskStatus", "TimeState"]


class TaskStatus(enum.Enum):
    """Execution state of a task."""

    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"


class TimeState(enum.IntEnum):
    """What a task is doing for time accounting (Flink's busy / idle / back-pressured timers).

    The values index the task's accumulators: kept small ints so that charging an interval is
    one list update per step.
    """

    BUSY = 0
    IDLE = 1
    BACK_PRESSURED = 2


#: The TimeState values as plain ints for the per-step accounting (an enum member lookup costs
#: 4x a global int: measured with timeit, 250 ns against 65 ns per accumulator update).
_BUSY, _IDLE, _BACK_PRESSURED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class TaskStatistics:
    """A snapshot of a task's counters, pools and time accounting.

    Everything the task-level metrics (:mod:`kolk._runtime.metrics`) are computed from: a
    frozen, picklable record, so a worker process can ship it as it is.

    Attributes:
        name: ``"Map (1/2)"``.
        vertex_name: the chained vertex name (``"Map -> Filter"``).
        subtask_index: 0-based.
        parallelism: subtasks of the vertex.
        status: RUNNING, FINISHED or FAILED.
        num_records_in: records taken from the input gates (a source task takes none).
        num_records_out: records written to the network outputs (Flink counts a broadcast
            record once; chained operators and sinks write nothing).
        num_buffers_in: data buffers taken from the input gates.
        num_back_pressured_steps: steps that found an output unavailable.
        num_idle_steps: steps that found no input.
        mailbox_size: mails waiting.
        partitions: the output partitions' statistics, one per output edge.
        gates: the input gates' statistics, one per input edge.
        peak_out_pool_used: the most output-pool buffers in use at once (overdraft included).
        peak_in_pool_used: the most input buffers holding data at once.
        start_time_ms: the clock when the task started.
        end_time_ms: the clock when it finished or failed; None while running.
        now_ms: the clock when the snapshot was taken.
        accumulated_idle_ms: time idle, up to ``now_ms`` (or the end).
        accumulated_back_pressured_ms: time back-pressured, up to ``now_ms`` (or the end).
        time_state: the state the task is in now (the last step left it in).
        current_input_watermark: the combined watermark of the inputs (``Long.MIN_VALUE``
            when none arrived, and for sources).
        num_fired_timers: event- and processing-time timers of the chain's operators fired.
        num_late_records_dropped: summed over the chain's operators that count them (window
            operators); None when none does.
    """

    name: str
    vertex_name: str
    subtask_index: int
    parallelism: int
    status: TaskStatus
    num_records_in: int
    num_records_out: int
    num_buffers_in: int
    num_back_pressured_steps: int
    num_idle_steps: int
    mailbox_size: int
    partitions: tuple[ResultPartitionStatistics, ...]
    gates: tuple[InputGateStatistics, ...]
    peak_out_pool_used: int
    peak_in_pool_used: int
    start_time_ms: float
    end_time_ms: float | None
    now_ms: float
    accumulated_idle_ms: float
    accumulated_back_pressured_ms: float
    time_state: TimeState
    current_input_watermark: int
    num_fired_timers: int
    num_late_records_dropped: int | None


def _make_writer(
    out: OutputConfig, partition: ResultPartition, capacity: int, task_name: str, rng: random.Random
) -> RecordWriter:
    flush_always = out.buffer_timeout == 0
    strategy = out.ship_strategy
    if strategy == "HASH" and len(partition.subpartitions) == 1:
        # One consumer channel: no routing needed, so the records travel without their keys
        # and the keyed consumer extracts them (measured: 1.3x on benchmarks W2).
        return ForwardRecordWriter(partition, capacity, flush_always, task_name)
    if strategy == "HASH":
        assigner = KeyGroupAssigner(out.max_parallelism, out.key_type)
        return HashRecordWriter(
            partition, capacity, flush_always, task_name, out.key_selector, assigner
        )
    if strategy == "CUSTOM":
        return CustomPartitionRecordWriter(
            partition, capacity, flush_always, task_name, out.key_selector, out.partitioner
        )
    if strategy == "REBALANCE":
        return RebalanceRecordWriter(partition, capacity, flush_always, task_name, rng)
    if strategy == "SHUFFLE":
        return ShuffleRecordWriter(partition, capacity, flush_always, task_name, rng)
    if strategy == "BROADCAST":
        return BroadcastRecordWriter(partition, capacity, flush_always, task_name)
    if strategy == "GLOBAL":
        return GlobalRecordWriter(partition, capacity, flush_always, task_name)
    if strategy == "RESCALE" and len(partition.subpartitions) > 1:
        return RescaleRecordWriter(partition, capacity, flush_always, task_name)
    if strategy in ("FORWARD", "RESCALE"):
        return ForwardRecordWriter(partition, capacity, flush_always, task_name)
    raise KolkInternalError(f"unknown ship strategy {strategy!r}")


class StreamTask:
    """One subtask: its partitions, gates, operator chain and mailbox.

    Args:
        config: what to run.
        rng: seeded randomness for partitioners.
        timers: the executor's processing-time service (a private one by default).
    """

    def __init__(
        self,
        config: TaskConfig,
        rng: random.Random | None = None,
        timers: ProcessingTimeService | None = None,
    ) -> None:
        self.config = config
        self.timers = timers or ProcessingTimeService()
        self.task_time = TaskTime()
        self.name = config.task_name_with_subtasks
        rng = rng or random.Random(config.seed)
        capacity = config.buffer_capacity
        self.partitions = [
            ResultPartition(f"{self.name} -> {out.name}", out.num_subpartitions)
            for out in config.outputs
        ]
        self.writers = [
            _make_writer(out, partition, capacity, self.name, rng)
            for out, partition in zip(config.outputs, self.partitions, strict=True)
        ]
        self.gates = [
            InputGate(f"{self.name} <- {inp.name}", inp.num_channels) for inp in config.inputs
        ]
        self._valves = [StatusWatermarkValve(inp.num_channels) for inp in config.inputs]
        self._input_watermark = MIN_WATERMARK
        self._input_idle = False
        #: Every timer service the chain created (numFiredTimers).
        self._timer_services: list[InternalTimerService] = []
        self.chain = OperatorChain(
            config, self.writers, self._create_timer_service, self.task_time, self.timers.now
        )
        self.mailbox: deque[Callable[[], None]] = deque()
        self.status = TaskStatus.RUNNING
        self._next_gate = 0
        flush_always = any(w.flush_always for w in self.writers)
        #: Records a source emits per step: one buffer's worth, or one record when the
        #: buffer timeout is 0 so each record leaves before the next is produced.
        self.source_batch = 1 if flush_always else capacity
        self.num_records_in = 0
        self.num_back_pressured_steps = 0
        self.num_idle_steps = 0
        # Time accounting (module docstring): the clock is read twice per step, never per
        # record. Busy time is not accumulated: it is what idle and back-pressure leave of
        # the lifetime (Flink's accumulated-busy-time = now - start - idle - backPressured).
        self._now_ms = self.timers.clock.now_ms
        self._start_ms = self._mark_ms = self._now_ms()
        self._end_ms: float | None = None
        self._time_state = _BUSY if self.is_source else _IDLE
        #: Milliseconds charged per TimeState; the BUSY slot is written but never read.
        self._accumulated = [0.0, 0.0, 0.0]
        self._peak_out_pool_used = 0
        self._peak_in_pool_used = 0

    @property
    def is_source(self) -> bool:
        """True if the chain head is a source."""
        return self.chain.source is not None

    def is_running(self) -> bool:
        """True until the task finished or failed."""
        return self.status is TaskStatus.RUNNING

    def start(self) -> None:
        """Starts the task's lifetime (time accounting) and schedules its periodic actions:
        output flushers and watermark emission."""
        self._start_ms = self._mark_ms = self._now_ms()
        self._time_state = self._state_left_in()
        for timeout, writers in self.flush_timeouts().items():
            self.timers.schedule_periodic(
                self, timeout, partial(self.flush_outputs, writers), FLUSH
            )
        interval = self.config.auto_watermark_interval
        if self.chain.assigners and interval > 0:
            self.timers.schedule_periodic(
                self, interval, self.chain.emit_periodic_watermarks, WATERMARK
            )

    def _create_timer_service(
        self, key_context: KeyContext, triggerable: Triggerable
    ) -> InternalTimerService:
        timers = self.timers

        def schedule(when: int) -> None:
            timers.schedule(self, when, lambda: service.on_processing_time(timers.now()), USER)

        service = InternalTimerService(key_context, triggerable, timers.now, schedule)
        self._timer_services.append(service)
        return service

    def flush_timeouts(self) -> dict[int, list[RecordWriter]]:
        """Writers by buffer timeout, for the timeouts > 0 that need a periodic flusher."""
        by_timeout: dict[int, list[RecordWriter]] = {}
        for out, writer in zip(self.config.outputs, self.writers, strict=True):
            if out.buffer_timeout > 0:
                by_timeout.setdefault(out.buffer_timeout, []).append(writer)
        return by_timeout

    def has_pending_watermark(self) -> bool:
        """True if an assigner of the chain would emit a new watermark now."""
        return any(assigner.has_new_watermark() for assigner in self.chain.assigners)

    def has_pending_output(self) -> bool:
        """True if a partially filled buffer waits for a periodic flush."""
        return any(
            w.has_pending() and out.buffer_timeout > 0
            for out, w in zip(self.config.outputs, self.writers, strict=True)
        )

    def outputs_available(self) -> bool:
        """True if every output partition can take more (no back-pressure)."""
        return all(partition.is_available() for partition in self.partitions)

    def step(self) -> bool:
        """Runs pending mails, or else at most one unit of input; True if anything happened.

        Time accounting: the time since the previous step ended is charged to the state that
        step left the task in; this step's own time is busy if it did anything, else it is
        charged to what it found (an unavailable output, or no input). Pool peaks are sampled
        where the pools are fullest: the output pools at the end of a step that did something
        (only this task's steps take output buffers; only the transport, between steps, frees
        them), the input buffers when a data buffer is taken (only the transport fills them;
        only this task's steps free them).
        """
        mailbox = self.mailbox
        if self.status is not TaskStatus.RUNNING:
            progressed = bool(mailbox)
            while mailbox:
                mailbox.popleft()()
            return progressed
        now_ms = self._now_ms
        accumulated = self._accumulated
        started = now_ms()
        if started > self._mark_ms:
            accumulated[self._time_state] += started - self._mark_ms
        progressed = False
        while mailbox:
            mailbox.popleft()()
            progressed = True
        if progressed:
            # Mails (an output flusher, timers) ran: let the transport move what they flushed
            # before more input is taken, as Flink's network threads would meanwhile.
            left = self._state_left_in()
        elif not self.outputs_available():
            self.num_back_pressured_steps += 1
            left = _BACK_PRESSURED
        elif self.chain.source is not None:
            progressed = self._step_source()
            left = self._state_left_in()
        elif self._step_input():
            progressed = True
            left = self._state_left_in()
        else:
            left = _IDLE
        ended = now_ms()
        if ended > started:
            accumulated[_BUSY if progressed else left] += ended - started
        self._mark_ms = ended
        self._time_state = left
        if progressed and self.partitions:
            used = 0
            for partition in self.partitions:
                used += partition.buffers_in_use
            if used > self._peak_out_pool_used:
                self._peak_out_pool_used = used
        if self.status is not TaskStatus.RUNNING:
            self._end_ms = ended
        return progressed

    def _state_left_in(self) -> int:
        """Back-pressured while an output is unavailable; else busy while input waits (a
        running source always has input), else idle."""
        for partition in self.partitions:
            if not partition.is_available():
                return _BACK_PRESSURED
        if self.chain.source is not None:
            return _BUSY
        for gate in self.gates:
            if gate.has_data():
                return _BUSY
        return _IDLE

    def _open_and_process(self, records: list[Any], *timestamps: Any) -> None:
        """A source's first emission: the chain opens with its first records (a subtask that
        never emits one, e.g. with an empty split, never opens its functions)."""
        chain = self.chain
        if records and not chain.opened:
            chain.open()
        if chain.opened:
            chain.process(records, *timestamps)

    def _step_source(self) -> bool:
        chain = self.chain
        assert chain.source is not None
        more = chain.source.emit_next(
            self.source_batch, chain.process if chain.opened else self._open_and_process
        )
        if not more:
            # A bounded source ends with the final watermark (Flink: MAX_WATERMARK), which
            # fires every pending event-time timer downstream; its data goes out first.
            for writer in self.writers:
                writer.flush_all(FlushReason.END_OF_INPUT)
            chain.process_watermark(MAX_WATERMARK)
            self._end_of_input()
        return True

    def _step_input(self) -> bool:
        gates = self.gates
        count = len(gates)
        for offset in range(count):
            index = (self._next_gate + offset) % count
            polled = gates[index].poll_next()
            if polled is None:
                continue
            self._next_gate = (index + 1) % count
            channel, buffer = polled
            event = buffer.event
            if event is None:
                occupied = 0
                for gate in gates:
                    for input_channel in gate.channels:
                        occupied += input_channel.occupied
                if occupied > self._peak_in_pool_used:
                    self._peak_in_pool_used = occupied
                self._process_buffer(buffer, self.config.inputs[index].input_number)
                channel.recycle()
            elif isinstance(event, Watermark):
                self._on_watermark(
                    index, self._valves[index].input_watermark(channel.index, event.timestamp)
                )
            elif isinstance(event, WatermarkStatus):
                self._on_watermark(
                    index, self._valves[index].input_status(channel.index, event.idle)
                )
            elif all(gate.finished for gate in gates):
                self._end_of_input()
            return True
        self.num_idle_steps += 1
        return False

    def _on_watermark(self, gate: int, advanced: int | None) -> None:
        """A gate's valve may have advanced or changed status: combine the inputs (the
        minimum over active inputs; the maximum when all are idle) and pass it on."""
        valves = self._valves
        active = [v.output for v in valves if not v.idle]
        idle = not active
        if idle != self._input_idle:
            self._input_idle = idle
            for writer in self.writers:
                writer.broadcast_event(WatermarkStatus(idle))
        combined = min(active) if active else max(v.output for v in valves)
        if combined > self._input_watermark:
            self._input_watermark = combined
            self.chain.process_watermark(combined)

    def _process_buffer(self, buffer: Buffer, input_number: int = 0) -> None:
        records = buffer.records
        assert records is not None
        chain = self.chain
        if not chain.opened:
            chain.open()
        self.num_records_in += len(records)
        if input_number and chain.process_input is not None:
            chain.process_input[input_number - 1](
                records, buffer.keys, buffer.key_groups, buffer.timestamps
            )
        elif buffer.keys is not None:
            chain.process_keyed(records, buffer.keys, buffer.key_groups, buffer.timestamps)
        elif buffer.timestamps is not None:
            chain.process(records, buffer.timestamps)
        else:
            chain.process(records)

    def _end_of_input(self) -> None:
        chain = self.chain
        if chain.opened:
            chain.finish()
        for writer in self.writers:
            writer.flush_all(FlushReason.END_OF_INPUT)
        if chain.opened:
            chain.close()
        for writer in self.writers:
            writer.finish()
        self.status = TaskStatus.FINISHED

    def flush_outputs(self, writers: list[RecordWriter]) -> None:
        """The output flusher's action: hand partially filled buffers on (buffer timeout)."""
        for writer in writers:
            writer.flush_all(FlushReason.TIMEOUT)

    def fail(self) -> None:
        """Marks the task failed (after a step raised); its lifetime ends now (the failed
        step's time counts as busy)."""
        self.status = TaskStatus.FAILED
        if self._end_ms is None:
            self._end_ms = self._mark_ms = max(self._now_ms(), self._mark_ms)

    def statistics(self) -> TaskStatistics:
        """A frozen snapshot of the task's counters, pools and time accounting.

        While the task runs, the time since its last step is charged (in the snapshot only)
        to the state that step left it in, so the accumulated times cover the lifetime up to
        now.
        """
        now = self._now_ms()
        idle = self._accumulated[_IDLE]
        back_pressured = self._accumulated[_BACK_PRESSURED]
        if self._end_ms is None and now > self._mark_ms:
            pending = now - self._mark_ms
            if self._time_state == _IDLE:
                idle += pending
            elif self._time_state == _BACK_PRESSURED:
                back_pressured += pending
        config = self.config
        return TaskStatistics(
            name=self.name,
            vertex_name=config.vertex_name,
            subtask_index=config.subtask_index,
            parallelism=config.parallelism,
            status=self.status,
            num_records_in=self.num_records_in,
            num_records_out=sum(w.num_records_written for w in self.writers),
            num_buffers_in=sum(g.num_buffers_in for g in self.gates),
            num_back_pressured_steps=self.num_back_pressured_steps,
            num_idle_steps=self.num_idle_steps,
            mailbox_size=len(self.mailbox),
            partitions=tuple(p.statistics() for p in self.partitions),
            gates=tuple(g.statistics() for g in self.gates),
            peak_out_pool_used=self._peak_out_pool_used,
            peak_in_pool_used=self._peak_in_pool_used,
            start_time_ms=self._start_ms,
            end_time_ms=self._end_ms,
            now_ms=now,
            accumulated_idle_ms=idle,
            accumulated_back_pressured_ms=back_pressured,
            time_state=TimeState(self._time_state),
            current_input_watermark=self._input_watermark,
            num_fired_timers=sum(s.num_fired_timers for s in self._timer_services),
            num_late_records_dropped=_late_records_dropped(self.chain.operators),
        )


def _late_records_dropped(operators: list[StreamOperator]) -> int | None:
    """Flink's ``numLateRecordsDropped`` summed over the operators whose statistics count it
    (window operators); None when no operator of the chain counts it."""
    total: int | None = None
    for operator in operators:
        statistics = getattr(operator, "statistics", None)
        if statistics is None:
            continue
        dropped = getattr(statistics(), "num_late_records_dropped", None)
        if isinstance(dropped, int):
            total = dropped if total is None else total + dropped
    return total
