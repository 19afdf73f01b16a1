"""TaskExecutor: runs the tasks of one process on one thread, mailbox step by mailbox step.

Python threads do not run Python code in parallel, so a process runs its tasks
cooperatively: each turn gives every running task one :meth:`StreamTask.step`, then lets the
transport move buffers against credit. Timers (the output flushers of the buffer timeout)
become mails of their task when due. When nothing can move, the executor sleeps until the
next timer; when nothing can move and no timer is pending while tasks still run, that is a
deadlock and an internal error (never a hang).

The schedule is deterministic for a given job, seed and clock, which makes tests exact.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from kolk._runtime.network.transport import LocalTransport
from kolk._runtime.tasks.stream_task import StreamTask, TaskStatus
from kolk._runtime.time.clock import Clock, SystemClock
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
        tasks: the tasks of this process.
        connections: how their partitions and gates are wired.
        clock: processing time (SystemClock unless a test drives time).
        transport: moves buffers between the tasks (a fresh LocalTransport by default).
    """

    def __init__(
        self,
        tasks: Sequence[StreamTask],
        connections: Sequence[ChannelConnection],
        clock: Clock | None = None,
        transport: LocalTransport | None = None,
    ) -> None:
        self.tasks = list(tasks)
        self.clock = clock or SystemClock()
        self.transport = transport or LocalTransport()
        self._timers: list[tuple[float, int, StreamTask, Callable[[], None], float]] = []
        self._sequence = itertools.count()
        for c in connections:
            producer = self.tasks[c.producer].partitions[c.output].subpartitions[c.subpartition]
            channel = self.tasks[c.consumer].gates[c.input].channels[c.channel]
            self.transport.connect(producer, channel)

    def schedule_periodic(
        self, task: StreamTask, period_ms: float, action: Callable[[], None]
    ) -> None:
        """Runs ``action`` as a mail of ``task`` every ``period_ms`` while it runs."""
        deadline = self.clock.now_ms() + period_ms
        heapq.heappush(self._timers, (deadline, next(self._sequence), task, action, period_ms))

    def _start_flushers(self) -> None:
        for task in self.tasks:
            for timeout, writers in task.flush_timeouts().items():
                self.schedule_periodic(task, timeout, partial(task.flush_outputs, writers))

    def _fire_due_timers(self) -> None:
        timers = self._timers
        now = self.clock.now_ms()
        while timers and timers[0][0] <= now:
            _, _, task, action, period = heapq.heappop(timers)
            if task.status is not TaskStatus.RUNNING:
                continue
            task.mailbox.append(action)
            if period > 0:
                heapq.heappush(timers, (now + period, next(self._sequence), task, action, period))

    def run(self) -> None:
        """Steps the tasks until all finished. Raises TaskFailure for the first failure."""
        self._start_flushers()
        transport = self.transport
        running = [t for t in self.tasks if t.status is TaskStatus.RUNNING]
        transport.pump()
        while running:
            if self._timers:
                self._fire_due_timers()
            progressed = False
            for task in running:
                try:
                    if task.step():
                        progressed = True
                except BaseException as exc:
                    task.fail()
                    raise TaskFailure(task.name, exc) from exc
                if transport.pump():
                    progressed = True
            if not progressed:
                running = [t for t in running if t.status is TaskStatus.RUNNING]
                if not running:
                    break
                # Only the output flushers are timers today: waiting helps only if some
                # partially filled buffer is waiting for its buffer timeout.
                live = [t for t in self._timers if t[2].status is TaskStatus.RUNNING]
                if not live or not any(t.has_pending_output() for t in running):
                    raise KolkInternalError(
                        "no task can make progress and no timer can change that: "
                        + "; ".join(f"{t.statistics()}" for t in running)
                    )
                self.clock.sleep_until(min(t[0] for t in live))
            elif any(t.status is not TaskStatus.RUNNING for t in running):
                running = [t for t in running if t.status is TaskStatus.RUNNING]
