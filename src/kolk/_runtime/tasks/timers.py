"""Processing-time timers of the tasks of one executor (Flink's ``ProcessingTimeService``).

Every timer is an action of one task, run as a mail of that task when it is due: the buffer
timeout's output flusher (kind ``flush``), the periodic watermark emission (``watermark``) and
the timers of user functions (``user``). Timers of a task that is no longer running are
dropped, as Flink quiesces the timer service when a task ends.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any

from kolk._runtime.time.clock import Clock, SystemClock

__all__ = ["ProcessingTimeService"]

#: Timer kinds; only ``user`` timers are worth waiting for when nothing else can move.
FLUSH, WATERMARK, USER = "flush", "watermark", "user"


class ProcessingTimeService:
    """A heap of (deadline, task, action) on one clock.

    Args:
        clock: the processing-time clock (milliseconds since the epoch).
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._heap: list[tuple[float, int, Any, Callable[[], None], float, str]] = []
        self._sequence = itertools.count()

    def now(self) -> int:
        """The current processing time in whole milliseconds."""
        return int(self.clock.now_ms())

    def schedule(
        self, task: Any, when_ms: float, action: Callable[[], None], kind: str = USER
    ) -> None:
        """Runs ``action`` as a mail of ``task`` once the clock reaches ``when_ms``."""
        heapq.heappush(self._heap, (when_ms, next(self._sequence), task, action, 0.0, kind))

    def schedule_periodic(
        self, task: Any, period_ms: float, action: Callable[[], None], kind: str
    ) -> None:
        """Runs ``action`` as a mail of ``task`` every ``period_ms`` while the task runs."""
        when = self.clock.now_ms() + period_ms
        heapq.heappush(self._heap, (when, next(self._sequence), task, action, period_ms, kind))

    def fire_due(self) -> None:
        """Moves the actions that are due into their tasks' mailboxes."""
        heap = self._heap
        now = self.clock.now_ms()
        while heap and heap[0][0] <= now:
            _, _, task, action, period, kind = heapq.heappop(heap)
            if not task.is_running():
                continue
            task.mailbox.append(action)
            if period > 0:
                heapq.heappush(
                    heap, (now + period, next(self._sequence), task, action, period, kind)
                )

    def pending(self) -> list[tuple[float, Any, str]]:
        """(deadline, task, kind) of the timers of running tasks."""
        return [(when, task, kind) for when, _, task, _, _, kind in self._heap if task.is_running()]

    def sleep_until(self, deadline_ms: float) -> None:
        """Waits (or, on a manual clock, jumps) until the deadline."""
        self.clock.sleep_until(deadline_ms)
