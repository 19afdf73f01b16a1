"""The consumer side: input gates, input channels and their credit (Flink's
``SingleInputGate``, ``RemoteInputChannel`` and ``BufferManager`` rules, as counts).

Each channel owns ``initial_credit`` (2) *exclusive* buffers; its gate shares a pool of
*floating* buffers (8). A channel announces one credit for every free buffer it can receive
into: the sender sends a data buffer only against credit. Each received buffer carries the
sender's backlog; the channel then asks for floating buffers until its free buffers cover
``backlog + initial_credit`` and announces the new credit. When the task has processed a buffer
it recycles it: either a surplus floating buffer goes back to the gate's pool, or the channel
announces one more credit.

Invariant, per channel: credit announced to the sender but not yet used, plus buffers the
channel holds with data, never exceeds the buffers the channel owns (exclusive + floating).
Events take no buffer and no credit.

Threading model: a gate belongs to one task; all calls happen on the thread that runs the
task's mailbox loop and the transport (one thread per process).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer
from kolk.util.exceptions import KolkInternalError

__all__ = ["FloatingBufferPool", "InputChannel", "InputGate", "InputGateStatistics"]

DEFAULT_INITIAL_CREDIT = 2
DEFAULT_FLOATING_BUFFERS_PER_GATE = 8


class FloatingBufferPool:
    """A gate's floating buffers, lent to channels whose sender has backlog."""

    __slots__ = ("available", "size", "waiting")

    def __init__(self, size: int) -> None:
        self.size = size
        self.available = size
        self.waiting: deque[InputChannel] = deque()

    def request(self) -> bool:
        """Takes one buffer if any is free."""
        if self.available > 0:
            self.available -= 1
            return True
        return False

    def recycle(self) -> None:
        """Returns a buffer; a channel waiting for floating buffers gets it first."""
        while self.waiting:
            channel = self.waiting.popleft()
            channel.waiting_for_floating = False
            if channel.notify_floating_buffer_available():
                return
        self.available += 1


class InputChannel:
    """One producer subpartition's buffers as seen by the consumer, with credit accounting.

    Args:
        gate: the owning gate.
        index: channel index within the gate.
        initial_credit: exclusive buffers (Flink's ``buffersPerChannel``, 2).
    """

    __slots__ = (
        "announce_credit",
        "exclusive",
        "expected_sequence_number",
        "finished",
        "floating",
        "gate",
        "index",
        "num_buffers_received",
        "num_required",
        "occupied",
        "received",
        "trace_floating",
        "unannounced_credit",
        "waiting_for_floating",
    )

    def __init__(self, gate: InputGate, index: int, initial_credit: int) -> None:
        self.gate = gate
        self.index = index
        self.exclusive = initial_credit
        self.floating = 0
        self.occupied = 0
        self.num_required = initial_credit
        self.unannounced_credit = 0
        self.expected_sequence_number = 0
        self.received: deque[Buffer] = deque()
        self.finished = False
        self.waiting_for_floating = False
        self.num_buffers_received = 0
        #: Set by the transport: sends an AddCredit(n) to the sender's reader.
        self.announce_credit: Callable[[int], None] | None = None
        #: Set by the transport only when a flow tracer listens: told ``"floating-request"``
        #: when the channel takes a floating buffer, ``"floating-return"`` when it gives one
        #: back, ``"floating-wait"`` when it starts waiting for one. Checked only where a
        #: floating buffer changes hands, never per record or per plain buffer.
        self.trace_floating: Callable[[str], None] | None = None

    @property
    def owned(self) -> int:
        """Buffers this channel owns (exclusive + floating)."""
        return self.exclusive + self.floating

    @property
    def free(self) -> int:
        """Owned buffers not holding data."""
        return self.exclusive + self.floating - self.occupied

    def initial_credit(self) -> int:
        """The credit carried by the partition request: every exclusive buffer."""
        return self.exclusive

    def on_buffer(self, buffer: Buffer) -> None:
        """Receives a buffer from the sender (data against credit, or an event)."""
        if buffer.sequence_number != self.expected_sequence_number:
            raise KolkInternalError(
                f"buffer reordering on {self.gate.name} channel {self.index}: expected "
                f"sequence number {self.expected_sequence_number}, got {buffer.sequence_number}"
            )
        self.expected_sequence_number += 1
        if buffer.event is None:
            if self.free <= 0:
                raise KolkInternalError(
                    f"{self.gate.name} channel {self.index} received a buffer without credit"
                )
            self.occupied += 1
            self.num_buffers_received += 1
        was_empty = not self.received
        self.received.append(buffer)
        if was_empty:
            self.gate.notify_channel_non_empty(self)
        if buffer.event is None and buffer.backlog >= 0:
            self.on_sender_backlog(buffer.backlog)

    def on_sender_backlog(self, backlog: int) -> None:
        """Requests floating buffers so free buffers cover ``backlog + initial credit``."""
        self.num_required = backlog + self.exclusive
        pool = self.gate.floating_pool
        while self.free < self.num_required:
            if not pool.request():
                if not self.waiting_for_floating:
                    self.waiting_for_floating = True
                    pool.waiting.append(self)
                    if self.trace_floating is not None:
                        self.trace_floating("floating-wait")
                break
            self.floating += 1
            self.unannounced_credit += 1
            if self.trace_floating is not None:
                self.trace_floating("floating-request")
        self._announce()

    def notify_floating_buffer_available(self) -> bool:
        """The pool offers a recycled buffer; returns True if this channel took it."""
        if self.free >= self.num_required:
            return False
        self.floating += 1
        self.unannounced_credit += 1
        if self.trace_floating is not None:
            self.trace_floating("floating-request")
        if self.free < self.num_required:
            self.waiting_for_floating = True
            self.gate.floating_pool.waiting.append(self)
        self._announce()
        return True

    def poll(self) -> Buffer | None:
        """Takes the next received buffer, or None."""
        if not self.received:
            return None
        buffer = self.received.popleft()
        if buffer.event is END_OF_PARTITION:
            self.finished = True
        return buffer

    def recycle(self) -> None:
        """The task finished with a data buffer: free it, then release or re-announce it."""
        self.occupied -= 1
        if self.floating > 0 and self.free > self.num_required:
            self.floating -= 1
            if self.trace_floating is not None:
                self.trace_floating("floating-return")
            self.gate.floating_pool.recycle()
        else:
            self.unannounced_credit += 1
            self._announce()

    def _announce(self) -> None:
        if self.unannounced_credit > 0 and self.announce_credit is not None:
            credit, self.unannounced_credit = self.unannounced_credit, 0
            self.announce_credit(credit)


@dataclass(frozen=True, slots=True)
class InputGateStatistics:
    """A snapshot of a gate's counters."""

    num_channels: int
    queued_buffers: tuple[int, ...]
    owned_buffers: tuple[int, ...]
    occupied_buffers: tuple[int, ...]
    floating_available: int
    floating_total: int
    total_buffers: int
    num_buffers_in: int
    finished: bool

    @property
    def in_pool_usage(self) -> float:
        """Flink's ``inPoolUsage``: occupied / (exclusive + floating) buffers of the gate."""
        return sum(self.occupied_buffers) / self.total_buffers if self.total_buffers else 0.0


class InputGate:
    """A consumer subtask's input for one edge: one channel per producer subtask.

    :meth:`poll_next` returns buffers round-robin over the channels that have data
    (Flink's ``inputChannelsWithData``). Data buffers must be given back with
    :meth:`recycle` once processed; that returns credit to the sender.
    """

    def __init__(
        self,
        name: str,
        num_channels: int,
        *,
        initial_credit: int = DEFAULT_INITIAL_CREDIT,
        floating_buffers: int = DEFAULT_FLOATING_BUFFERS_PER_GATE,
    ) -> None:
        self.name = name
        self.floating_pool = FloatingBufferPool(floating_buffers)
        self.channels = [InputChannel(self, i, initial_credit) for i in range(num_channels)]
        self._with_data: deque[InputChannel] = deque()
        self._queued: set[int] = set()
        self.num_finished = 0
        self.num_buffers_in = 0
        self._data_listener: Callable[[], None] | None = None

    def set_data_listener(self, listener: Callable[[], None]) -> None:
        """Sets the callback told when a channel gets data (wakes the task)."""
        self._data_listener = listener

    @property
    def finished(self) -> bool:
        """True once every channel delivered END_OF_PARTITION."""
        return self.num_finished == len(self.channels)

    def has_data(self) -> bool:
        """True if :meth:`poll_next` would return a buffer."""
        return bool(self._with_data)

    def notify_channel_non_empty(self, channel: InputChannel) -> None:
        if channel.index not in self._queued:
            self._queued.add(channel.index)
            self._with_data.append(channel)
            if self._data_listener is not None:
                self._data_listener()

    def poll_next(self) -> tuple[InputChannel, Buffer] | None:
        """The next buffer and its channel, round-robin over channels with data; or None."""
        while self._with_data:
            channel = self._with_data.popleft()
            buffer = channel.poll()
            if buffer is None:
                self._queued.discard(channel.index)
                continue
            if channel.received:
                self._with_data.append(channel)
            else:
                self._queued.discard(channel.index)
            if buffer.event is END_OF_PARTITION:
                self.num_finished += 1
            elif buffer.event is None:
                self.num_buffers_in += 1
            return channel, buffer
        return None

    def statistics(self) -> InputGateStatistics:
        """A frozen snapshot of the counters."""
        return InputGateStatistics(
            num_channels=len(self.channels),
            queued_buffers=tuple(len(c.received) for c in self.channels),
            owned_buffers=tuple(c.owned for c in self.channels),
            occupied_buffers=tuple(c.occupied for c in self.channels),
            floating_available=self.floating_pool.available,
            floating_total=self.floating_pool.size,
            total_buffers=sum(c.exclusive for c in self.channels) + self.floating_pool.size,
            num_buffers_in=self.num_buffers_in,
            finished=self.finished,
        )
