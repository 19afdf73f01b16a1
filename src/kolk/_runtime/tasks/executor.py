"""TaskExecutor: runs the tasks of one process on one thread, mailbox step by mailbox step.

Python threads do not run Python code in parallel, so a process runs its tasks
cooperatively: each turn gives every running task one :meth:`StreamTask.step`, then lets the
transport move buffers against credit. Timers (the output flushers of the buffer timeout)
become mails of their task when due. When nothing can move, the executor sleeps until the
next timer; when nothing can move and no timer is pending while tasks still run, that is a
deadlock and an internal error (never a hang).

The schedule is deterministic for a given job, seed and clock, which makes tests exact.
Once :meth:`TaskExecutor.run` returned, :meth:`TaskExecutor.task_metrics` gives every task's
final metrics as frozen records (what a worker process will ship to the JobMaster).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kolk._runtime.metrics import TaskMetrics, task_metrics
from kolk._runtime.network.remote import ChannelFailure
from kolk._runtime.network.transport import LocalTransport
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import FLUSH, USER, WATERMARK, ProcessingTimeService
from kolk.util.exceptions import KolkInternalError

__all__ = ["ChannelConnection", "TaskExecutor", "TaskFailure"]


@dataclass(frozen=True)
class ChannelConnection:
    """Producer subpartition → consumer input channel (indices into the executor's tasks)."""

    producer: int
    output: int
    subpartition: int
    consumer: int
    input: int
    channel: int


class TaskFailure(Exception):
    """A task raised; carries the task's name. ``__cause__`` is the error."""

    def __init__(self, task_name: str, cause: BaseException) -> None:
        super().__init__(f"{task_name} failed: {cause}")
        self.task_name = task_name
        self.cause = cause


class TaskExecutor:
    """Runs tasks to completion on the calling thread.

    Args:
        tasks: the tasks of this process (created with ``timers``).
        connections: how their partitions and gates are wired.
        timers: the processing-time service the tasks were given.
        transport: moves buffers between the tasks (a fresh LocalTransport by default).
    """

    def __init__(
        self,
        tasks: Sequence[StreamTask],
        connections: Sequence[ChannelConnection],
        timers: ProcessingTimeService | None = None,
        transport: LocalTransport | None = None,
    ) -> None:
        self.tasks = list(tasks)
        self.timers = timers or (self.tasks[0].timers if self.tasks else ProcessingTimeService())
        self.transport = transport or LocalTransport()
        for c in connections:
            producer = self.tasks[c.producer].partitions[c.output].subpartitions[c.subpartition]
            channel = self.tasks[c.consumer].gates[c.input].channels[c.channel]
            self.transport.connect(producer, channel)

    def run(self) -> None:
        """Steps the tasks until all finished. Raises TaskFailure for the first failure."""
        for task in self.tasks:
            task.start()
        transport = self.transport
        timers = self.timers
        running = [t for t in self.tasks if t.is_running()]
        pump = self._pump
        pump()
        while running or transport.busy():
            timers.fire_due()
            progressed = False
            for task in running:
                try:
                    if task.step():
                        progressed = True
                except BaseException as exc:
                    task.fail()
                    raise TaskFailure(task.name, exc) from exc
                if pump():
                    progressed = True
            if not running and pump():
                progressed = True
            if not progressed:
                running = [t for t in running if t.is_running()]
                if running or transport.busy():
                    self._wait(running)
            elif any(not t.is_running() for t in running):
                running = [t for t in running if t.is_running()]

    def task_metrics(self) -> list[TaskMetrics]:
        """Every task's metrics, in the order of the tasks given (final once :meth:`run`
        returned or raised)."""
        return [task_metrics(task.statistics()) for task in self.tasks]

    def _pump(self) -> bool:
        """Moves buffers; a record that cannot be sent fails the task that emitted it."""
        try:
            return self.transport.pump()
        except ChannelFailure as failure:
            for task in self.tasks:
                if task.name == failure.task_name:
                    task.fail()
            raise TaskFailure(failure.task_name, failure.cause) from failure.cause

    def _wait(self, running: list[StreamTask]) -> None:
        """Nothing can move: sleep until a timer or the network can change that, or report
        deadlock.

        A user timer can; an output flusher can if a buffer waits for it; a watermark
        emission can if an assigner has a new watermark (bounded sources always end, so
        waiting on periodic watermarks alone would never finish). With channels to other
        processes, buffers and credit may also arrive: wait on the network until the next
        timer.
        """
        pending = self.timers.pending()
        useful = [
            when
            for when, task, kind in pending
            if kind == USER
            or (kind == FLUSH and task.has_pending_output())
            or (kind == WATERMARK and task.has_pending_watermark())
        ]
        remote = self.transport.has_remote_channels()
        if not useful and not remote:
            raise KolkInternalError(
                "no task can make progress and no timer can change that: "
                + "; ".join(f"{t.statistics()}" for t in running)
            )
        if self.transport.networked:
            timeout = None
            if pending:
                deadline = min(when for when, _, _ in pending)
                timeout = max(0.0, (deadline - self.timers.clock.now_ms()) / 1000)
            self.transport.wait(timeout)
            return
        self.timers.sleep_until(min(when for when, _, _ in pending))
