"""Buffers between processes: one socket per pair of processes carries every channel between
them (Flink's Netty ``PartitionRequestClient`` / ``PartitionRequestQueue``), under the same
credit protocol as in process.

The sender side plugs into :class:`~kolk._runtime.network.transport.LocalTransport` unchanged:
its reader (:class:`SubpartitionView`) is connected to a :class:`RemoteChannel`, a stand-in for
the consumer's input channel that encodes each buffer once (:mod:`.serialization`) and queues a
frame on the connection. The receiver side decodes frames into buffers for its real
:class:`~kolk._runtime.network.consumer.InputChannel` and sends its ``AddCredit`` announcements
back as frames. Because the reader FIFO, the credit accounting and the consumer's buffer
management are the very same code, behaviour and metrics do not depend on placement.

Frames, little endian: a header ``kind:u8, channel:u32, number:u32, backlog:i32, length:u32``
then ``length`` payload bytes. ``kind`` 1 is a buffer (``number`` = sequence number, payload =
the encoded buffer), 2 an ``AddCredit`` (``number`` = credit, no payload). ``channel`` is the
connection's index in the job's deployment, the same in every process.

Sockets are non-blocking: :meth:`NetworkTransport.pump` reads what arrived and writes what the
socket takes, never waiting; :meth:`NetworkTransport.wait` blocks in ``select`` until a socket
is ready or a timeout. A connection whose peer goes away fails the process, unless every
channel on it is complete (a finished peer may exit before our last credit reaches it).

Threading model: one transport per process, used by the thread that runs the mailbox loop.
"""

from __future__ import annotations

import select
import socket
import struct
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer
from kolk._runtime.network.consumer import InputChannel
from kolk._runtime.network.partition import ResultSubpartition
from kolk._runtime.network.serialization import BufferCodec, RecordSerializationError
from kolk._runtime.network.transport import LocalTransport, SubpartitionView
from kolk.util.exceptions import KolkInternalError

__all__ = ["ChannelFailure", "Connection", "NetworkTransport", "PeerLost", "RemoteChannel"]

_HEADER = struct.Struct("<BIIiI")
_BUFFER = 1
_CREDIT = 2
_RECEIVE_SIZE = 1 << 20
#: Most buffers handed to one ``sendmsg`` call (below every platform's IOV_MAX).
_MAX_IOV = 512


class PeerLost(Exception):
    """The process at the other end of a connection went away while channels still needed it."""

    def __init__(self, peer: int, detail: str) -> None:
        super().__init__(f"lost the connection to worker process {peer}: {detail}")
        self.peer = peer


class ChannelFailure(Exception):
    """Sending a buffer failed because of what a task emitted; names the producing task."""

    def __init__(self, task_name: str, cause: BaseException) -> None:
        super().__init__(f"{task_name}: {cause}")
        self.task_name = task_name
        self.cause = cause


class Connection:
    """A non-blocking socket to one peer process, with a queue of outgoing frames.

    Args:
        sock: a connected stream socket (one end of a ``socketpair``).
        peer: the peer's worker index, for messages.
    """

    def __init__(self, sock: socket.socket, peer: int) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.peer = peer
        self._out: deque[bytes | memoryview] = deque()
        self._in = bytearray()
        self.eof = False
        self.bytes_sent = 0

    def send_frame(
        self, kind: int, channel: int, number: int, backlog: int, payload: bytes
    ) -> None:
        """Queues a frame; :meth:`flush` writes it."""
        self._out.append(_HEADER.pack(kind, channel, number, backlog, len(payload)))
        if payload:
            self._out.append(payload)

    def discard_output(self) -> None:
        """Drops the queued frames (the peer is gone and needs none of them)."""
        self._out.clear()

    def wants_write(self) -> bool:
        """True if frames wait to be written."""
        return bool(self._out)

    def flush(self) -> bool:
        """Writes what the socket takes now; True if anything was written.

        Raises PeerLost if the peer closed its end.
        """
        out = self._out
        wrote = False
        while out:
            chunk = [out[i] for i in range(min(len(out), _MAX_IOV))]
            try:
                sent = self.sock.sendmsg(chunk)
            except (BlockingIOError, InterruptedError):
                return wrote
            except OSError as exc:
                raise PeerLost(self.peer, str(exc)) from exc
            wrote = True
            self.bytes_sent += sent
            while sent:
                head = out[0]
                if len(head) <= sent:
                    sent -= len(head)
                    out.popleft()
                else:
                    out[0] = memoryview(head)[sent:]
                    sent = 0
        return wrote

    def receive(self) -> list[tuple[int, int, int, int, bytes]]:
        """Reads what arrived; returns the complete frames ``(kind, channel, number, backlog,
        payload)``. Sets :attr:`eof` when the peer closed its end."""
        data = self._in
        while not self.eof:
            try:
                chunk = self.sock.recv(_RECEIVE_SIZE)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.eof = True
                break
            if not chunk:
                self.eof = True
                break
            data += chunk
            if len(chunk) < _RECEIVE_SIZE:
                break
        frames = []
        offset = 0
        header_size = _HEADER.size
        end = len(data)
        while end - offset >= header_size:
            kind, channel, number, backlog, length = _HEADER.unpack_from(data, offset)
            if end - offset - header_size < length:
                break
            start = offset + header_size
            frames.append((kind, channel, number, backlog, bytes(data[start : start + length])))
            offset = start + length
        if offset:
            del data[:offset]
        return frames


class RemoteChannel:
    """The sender's stand-in for an input channel in another process.

    It offers what :class:`~kolk._runtime.network.transport.LocalTransport` uses of a channel:
    the initial credit and :meth:`on_buffer`, which encodes the buffer and queues the frame.

    Args:
        channel_id: the connection's index in the deployment.
        connection: the socket to the consumer's process.
        codec: encodes the producer's records.
        initial_credit: the consumer channel's exclusive buffers.
        task_name: the producing task, named when a record cannot be encoded.
        on_bytes: told the size of every encoded buffer (the partition's ``numBytesOut``).
    """

    __slots__ = (
        "announce_credit",
        "channel_id",
        "codec",
        "connection",
        "exclusive",
        "on_bytes",
        "task_name",
        "trace_floating",
    )

    def __init__(
        self,
        channel_id: int,
        connection: Connection,
        codec: BufferCodec,
        initial_credit: int,
        task_name: str,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self.channel_id = channel_id
        self.connection = connection
        self.codec = codec
        self.exclusive = initial_credit
        self.task_name = task_name
        self.on_bytes = on_bytes
        self.announce_credit: Callable[[int], None] | None = None
        self.trace_floating: Callable[[str], None] | None = None

    def initial_credit(self) -> int:
        """The credit carried by the partition request: the consumer's exclusive buffers."""
        return self.exclusive

    def on_buffer(self, buffer: Buffer) -> None:
        """Encodes the buffer and queues it for the consumer's process."""
        try:
            payload = self.codec.encode(buffer)
        except RecordSerializationError as exc:
            raise ChannelFailure(self.task_name, exc) from exc
        if self.on_bytes is not None:
            self.on_bytes(len(payload))
        self.connection.send_frame(
            _BUFFER, self.channel_id, buffer.sequence_number, buffer.backlog, payload
        )


class _Receiver:
    __slots__ = ("channel", "codec", "connection")

    def __init__(self, channel: InputChannel, codec: BufferCodec, connection: Connection) -> None:
        self.channel = channel
        self.codec = codec
        self.connection = connection


class NetworkTransport(LocalTransport):
    """A process's transport: local channels in memory, remote ones over connections.

    Args:
        trace: the flow tracer's hook (local channels only), or None.
    """

    networked = True

    def __init__(self, trace: Any = None) -> None:
        super().__init__(trace)
        self.connections: dict[int, Connection] = {}
        self._receivers: dict[int, _Receiver] = {}
        self._senders: dict[int, SubpartitionView] = {}
        self._watches: list[tuple[socket.socket, Callable[[], None]]] = []
        self._busy_watches: list[socket.socket] = []
        #: Called before the transport blocks in :meth:`wait` (e.g. to flush forwarded output).
        self.before_wait: Callable[[], None] | None = None

    def add_connection(self, peer: int, sock: socket.socket) -> Connection:
        """Registers the socket to worker ``peer``."""
        connection = self.connections[peer] = Connection(sock, peer)
        return connection

    def watch(
        self, sock: socket.socket, on_readable: Callable[[], None], while_busy: bool = False
    ) -> None:
        """Calls ``on_readable`` when ``sock`` is readable: checked in :meth:`wait`, and with
        ``while_busy`` also at every :meth:`pump` (one ``select`` call with no timeout)."""
        self._watches.append((sock, on_readable))
        if while_busy:
            self._busy_watches.append(sock)

    def connect_sender(
        self, subpartition: ResultSubpartition, channel_id: int, peer: RemoteChannel
    ) -> SubpartitionView:
        """Connects a local subpartition to a consumer channel in another process."""
        view = self.connect(subpartition, peer)  # type: ignore[arg-type]
        self._senders[channel_id] = view
        return view

    def connect_receiver(
        self, channel: InputChannel, channel_id: int, peer: int, codec: BufferCodec
    ) -> None:
        """Connects a local input channel to a producer subpartition in process ``peer``."""
        connection = self.connections[peer]
        self._receivers[channel_id] = _Receiver(channel, codec, connection)

        def announce(credit: int) -> None:
            connection.send_frame(_CREDIT, channel_id, credit, 0, b"")

        channel.announce_credit = announce

    def pump(self) -> bool:
        """Reads arrived frames, moves buffers against credit, writes frames; True if anything
        moved."""
        if self._busy_watches:
            self._check_watches(self._busy_watches, 0)
        moved = self._receive()
        if super().pump():
            moved = True
        for connection in self.connections.values():
            if connection.wants_write():
                try:
                    if connection.flush():
                        moved = True
                except PeerLost:
                    if not self._connection_done(connection):
                        raise
                    connection.discard_output()
        return moved

    def has_remote_channels(self) -> bool:
        """True if some channel of this process's tasks leads to another process."""
        return bool(self._senders or self._receivers)

    def busy(self) -> bool:
        """True while a buffer for another process is queued or not yet written."""
        for view in self._senders.values():
            if view.subpartition.queue:
                return True
        return any(c.wants_write() for c in self.connections.values())

    def wait(self, timeout: float | None) -> None:
        """Blocks until a connection or watched socket is readable, a pending write can
        proceed, or ``timeout`` seconds passed (None: no limit)."""
        if self.before_wait is not None:
            self.before_wait()
        readers: list[Any] = [c.sock for c in self.connections.values() if not c.eof]
        readers += [sock for sock, _ in self._watches]
        writers = [c.sock for c in self.connections.values() if c.wants_write()]
        if not readers and not writers:
            raise KolkInternalError("the transport waits with nothing to wait for")
        readable, _, _ = select.select(readers, writers, [], timeout)
        self._call_watches(readable)

    def _check_watches(self, socks: list[socket.socket], timeout: float) -> None:
        readable, _, _ = select.select(socks, [], [], timeout)
        if readable:
            self._call_watches(readable)

    def _call_watches(self, readable: list[Any]) -> None:
        for sock, on_readable in list(self._watches):
            if sock in readable:
                on_readable()

    def unwatch(self, sock: socket.socket) -> None:
        """Stops watching ``sock``."""
        self._watches = [(s, cb) for s, cb in self._watches if s is not sock]
        self._busy_watches = [s for s in self._busy_watches if s is not sock]

    def shut_down(self) -> None:
        """Ends this process's side of every connection once its tasks finished: tells each
        peer there is nothing more (``shutdown(SHUT_WR)``) but keeps reading.

        Closing a Unix socket whose receive queue holds unread bytes resets the connection
        and can cost the peer data it has not read yet; so a process closes a connection only
        after :meth:`drain` saw the peer's end.
        """
        for connection in self.connections.values():
            try:
                connection.sock.shutdown(socket.SHUT_WR)
            except OSError:
                connection.eof = True

    def drain(self, timeout: float | None = None) -> None:
        """Reads and drops what peers still send (late credit) until each has ended its side
        or ``timeout`` seconds passed; then closes the connections."""
        deadline = None if timeout is None else time.monotonic() + timeout
        open_ = [c for c in self.connections.values() if not c.eof]
        while open_:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            readable, _, _ = select.select([c.sock for c in open_], [], [], left)
            if not readable:
                break
            for connection in open_:
                if connection.sock in readable:
                    connection.receive()
            open_ = [c for c in open_ if not c.eof]
        for connection in self.connections.values():
            connection.sock.close()

    def _receive(self) -> bool:
        moved = False
        receivers = self._receivers
        senders = self._senders
        for connection in self.connections.values():
            if connection.eof:
                continue
            for kind, channel_id, number, backlog, payload in connection.receive():
                moved = True
                if kind == _BUFFER:
                    receiver = receivers[channel_id]
                    buffer = receiver.codec.decode(payload)
                    buffer.sequence_number = number
                    buffer.backlog = backlog
                    receiver.channel.on_buffer(buffer)
                elif kind == _CREDIT:
                    view = senders.get(channel_id)
                    if view is not None:
                        self._credits.append((view, number))
                else:
                    raise KolkInternalError(f"unknown frame kind {kind} from {connection.peer}")
            if connection.eof and not self._connection_done(connection):
                raise PeerLost(connection.peer, "it closed the connection")
        return moved

    def _connection_done(self, connection: Connection) -> bool:
        """True once every channel on the connection is complete in this process: each input
        channel fed through it received END_OF_PARTITION, and each subpartition sent through
        it sent its last buffer."""
        for receiver in self._receivers.values():
            if receiver.connection is connection and not _received_end(receiver.channel):
                return False
        for view in self._senders.values():
            channel = view.channel
            if (
                isinstance(channel, RemoteChannel)
                and channel.connection is connection
                and (view.subpartition.queue or not view.subpartition.finished)
            ):
                return False
        return True


def _received_end(channel: InputChannel) -> bool:
    if channel.finished:
        return True
    return any(buffer.event is END_OF_PARTITION for buffer in channel.received)
