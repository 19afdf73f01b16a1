"""Moving buffers from subpartitions to input channels, one buffer at a time, against credit.

Flink's ``CreditBasedSequenceNumberingViewReader`` (here :class:`SubpartitionView`) and
``PartitionRequestQueue`` (here :class:`LocalTransport`): a reader is *available* when its
subpartition has a buffer and either the reader has credit or the next buffer is an event.
The transport keeps a FIFO of available readers and sends exactly one buffer per turn, so
channels sharing the transport take turns and a channel without credit never blocks the others.

Credit announcements (``AddCredit``) are queued and applied by the transport, never by a
nested call, so no call chain runs from a consumer back into a producer.

Threading model: one transport per process, driven by the thread that runs the mailbox loop:
:meth:`LocalTransport.pump` is called between task steps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from kolk._runtime.network.buffer import Buffer
from kolk._runtime.network.consumer import InputChannel
from kolk._runtime.network.partition import ResultSubpartition
from kolk.util.exceptions import KolkInternalError

__all__ = ["LocalTransport", "SubpartitionView", "TraceListener"]

#: The flow tracer's hook (:mod:`.trace`), None when off: called with (event name, view,
#: buffer or None, number), in the order things happen on the view's channel:
#:
#: - ``"request"``: the partition request; the number is the initial credit (exclusive buffers);
#: - ``"credit"``: an ``AddCredit`` applied by the sender; the number is the credit added;
#: - ``"send"``: a data or event buffer sent (sequence number and backlog stamped); the number
#:   is the sender's credit left afterwards;
#: - ``"floating-request"``, ``"floating-return"``: the consumer's channel took a floating
#:   buffer from its gate's pool, or gave one back; ``"floating-wait"``: it wanted one but the
#:   pool was empty, so it waits for a recycled one. The number is the floating buffers the
#:   channel holds afterwards.
TraceListener = Callable[[str, "SubpartitionView", "Buffer | None", int], None]


class SubpartitionView:
    """The sender's reader of one subpartition for one input channel.

    Invariant: ``credit`` is never negative; a data buffer is sent only when it is > 0.
    """

    __slots__ = (
        "channel",
        "credit",
        "enqueued",
        "next_sequence_number",
        "subpartition",
        "transport",
    )

    def __init__(
        self, subpartition: ResultSubpartition, channel: InputChannel, transport: LocalTransport
    ) -> None:
        self.subpartition = subpartition
        self.channel = channel
        self.transport = transport
        self.credit = channel.initial_credit()
        self.next_sequence_number = 0
        self.enqueued = False

    def is_available(self) -> bool:
        """True if a buffer can be sent now."""
        queue = self.subpartition.queue
        return bool(queue) and (self.credit > 0 or queue[0].event is not None)

    def next_buffer(self) -> Buffer:
        """Polls the subpartition, spending one credit for a data buffer."""
        buffer = self.subpartition.poll()
        if buffer.event is None:
            if self.credit <= 0:
                raise KolkInternalError("no credit available")
            self.credit -= 1
        buffer.sequence_number = self.next_sequence_number
        self.next_sequence_number += 1
        return buffer


class LocalTransport:
    """Delivers buffers between subpartitions and input channels inside one process."""

    def __init__(self, trace: TraceListener | None = None) -> None:
        self._available: deque[SubpartitionView] = deque()
        self._credits: deque[tuple[SubpartitionView, int]] = deque()
        self._trace = trace
        self.views: list[SubpartitionView] = []

    #: True for a transport with channels to other processes (it can :meth:`wait` on them).
    networked = False

    def busy(self) -> bool:
        """True while buffers wait to leave for another process (never, in process)."""
        return False

    def has_remote_channels(self) -> bool:
        """True if some channel of this process's tasks leads to another process."""
        return False

    def wait(self, timeout: float | None) -> None:
        """Blocks until the network may have changed something (in process: nothing can)."""
        raise KolkInternalError("an in-process transport has no network to wait on")

    def connect(self, subpartition: ResultSubpartition, channel: InputChannel) -> SubpartitionView:
        """Connects a subpartition to its consumer channel (Flink's partition request).

        The request carries the channel's initial credit (its exclusive buffers).
        """
        view = SubpartitionView(subpartition, channel, self)
        subpartition.register_listener(lambda: self._notify_available(view))
        channel.announce_credit = lambda n: self._credits.append((view, n))
        self.views.append(view)
        trace = self._trace
        if trace is not None:
            trace("request", view, None, view.credit)
            channel.trace_floating = lambda event: trace(event, view, None, channel.floating)
        if view.is_available():
            self._enqueue(view)
        return view

    def _notify_available(self, view: SubpartitionView) -> None:
        if not view.enqueued and view.is_available():
            self._enqueue(view)

    def _enqueue(self, view: SubpartitionView) -> None:
        view.enqueued = True
        self._available.append(view)

    def pump(self) -> bool:
        """Applies queued credit and sends buffers until nothing can move; True if anything did."""
        moved = False
        available = self._available
        credits = self._credits
        trace = self._trace
        while credits or available:
            while credits:
                view, credit = credits.popleft()
                view.credit += credit
                moved = True
                if trace is not None:
                    trace("credit", view, None, credit)
                if not view.enqueued and view.is_available():
                    self._enqueue(view)
            while available:
                view = available.popleft()
                view.enqueued = False
                if not view.is_available():
                    continue
                buffer = view.next_buffer()
                if trace is not None:
                    trace("send", view, buffer, view.credit)
                view.channel.on_buffer(buffer)
                moved = True
                if view.is_available():
                    self._enqueue(view)
                if credits:
                    break
        return moved
