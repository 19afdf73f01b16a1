"""The cross-process transport over a real socketpair, driven by hand in one process.

Both ends live in this test: a producer partition behind one NetworkTransport, a consumer
gate behind another, joined by ``socket.socketpair()``. Pumping the two transports in turn
moves frames exactly as two processes would, so the credit protocol can be checked buffer by
buffer: nothing is sent without credit, backlog and sequence numbers arrive intact, and
``AddCredit`` travels back.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer, FlushReason
from kolk._runtime.network.consumer import InputGate
from kolk._runtime.network.partition import ResultPartition
from kolk._runtime.network.remote import (
    ChannelFailure,
    Connection,
    NetworkTransport,
    PeerLost,
    RemoteChannel,
)
from kolk._runtime.network.serialization import BufferCodec


class Pair:
    """A producer with one subpartition and a consumer with one channel, in two transports."""

    def __init__(self) -> None:
        a, b = socket.socketpair()
        self.sender = NetworkTransport()
        self.receiver = NetworkTransport()
        sender_connection = self.sender.add_connection(1, a)
        self.receiver.add_connection(0, b)
        self.partition = ResultPartition("Source (1/1) -> edge", 1)
        self.gate = InputGate("Map (1/1) <- edge", 1)
        self.channel = self.gate.channels[0]
        codec = BufferCodec(None, "Source")
        self.remote = RemoteChannel(7, sender_connection, codec, 2, "Source (1/1)", self.count)
        self.sender.connect_sender(self.partition.subpartitions[0], 7, self.remote)
        self.receiver.connect_receiver(self.channel, 7, 0, codec)
        self.bytes = 0

    def count(self, n: int) -> None:
        self.bytes += n

    def add(self, records: list[object]) -> None:
        self.partition.request_buffer(0)
        self.partition.add(0, Buffer(list(records), flush_reason=FlushReason.FULL))

    def settle(self) -> None:
        """Pumps both sides until nothing moves (all frames written and read)."""
        for _ in range(100):
            moved = self.sender.pump()
            moved = self.receiver.pump() or moved
            if not moved:
                return
        raise AssertionError("the transports never settled")

    def close(self) -> None:
        for transport in (self.sender, self.receiver):
            for connection in transport.connections.values():
                connection.sock.close()

    def received(self) -> list[Buffer]:
        out = []
        while (item := self.gate.poll_next()) is not None:
            out.append(item[1])
        return out


@pytest.fixture
def pair() -> Iterator[Pair]:
    made = Pair()
    yield made
    made.close()


def test_buffers_cross_with_their_sequence_number_backlog_and_records(pair: Pair) -> None:
    for i in range(3):
        pair.add([("a", i), ("b", i)])
    pair.settle()
    buffers = pair.received()
    # Two exclusive buffers of credit, but the backlog of the first buffers makes the
    # consumer borrow floating buffers and announce more credit: all three arrive.
    assert [b.sequence_number for b in buffers] == [0, 1, 2]
    assert [b.records for b in buffers] == [[("a", i), ("b", i)] for i in range(3)]
    assert [b.backlog for b in buffers] == [2, 1, 0]
    assert all(b.keys is None for b in buffers)
    assert pair.bytes > 0


def test_nothing_is_sent_without_credit_and_credit_travels_back(pair: Pair) -> None:
    pair.gate.floating_pool.available = 0  # only the 2 exclusive buffers
    pair.gate.floating_pool.size = 0
    for i in range(5):
        pair.add([i])
    pair.settle()
    view = pair.sender._senders[7]
    assert view.credit == 0
    assert len(pair.channel.received) == 2
    assert len(pair.partition.subpartitions[0].queue) == 3
    # The consumer processes one buffer: one AddCredit goes back, one more buffer comes.
    _, buffer = pair.gate.poll_next()  # type: ignore[misc]
    pair.channel.recycle()
    pair.settle()
    assert buffer.records == [0]
    assert len(pair.channel.received) == 2
    assert len(pair.partition.subpartitions[0].queue) == 2


def test_events_need_no_credit_and_end_of_partition_stays_the_singleton(pair: Pair) -> None:
    pair.gate.floating_pool.available = pair.gate.floating_pool.size = 0
    for i in range(3):
        pair.add([i])
    pair.partition.finish()
    pair.settle()
    # Credit for 2 data buffers; the third and the end-of-partition event wait behind it.
    assert [b.records for b in pair.channel.received] == [[0], [1]]
    while pair.gate.poll_next() is not None:
        pair.channel.recycle()
    pair.settle()
    last = pair.received()
    assert last[0].records == [2]
    assert last[1].event is END_OF_PARTITION
    assert pair.sender.busy() is False


def test_an_unpicklable_record_fails_naming_the_producing_task(pair: Pair) -> None:
    pair.add([("fine", 1), (x for x in ())])
    with pytest.raises(ChannelFailure) as info:
        pair.sender.pump()
    assert info.value.task_name == "Source (1/1)"
    assert "operator 'Source'" in str(info.value.cause)
    assert "generator" in str(info.value.cause)


def test_a_peer_that_goes_away_mid_stream_is_lost(pair: Pair) -> None:
    pair.add([1])
    pair.settle()
    pair.sender.connections[1].sock.close()
    with pytest.raises(PeerLost, match="lost the connection to worker process 0"):
        pair.receiver.pump()


def test_a_finished_peer_may_go_away(pair: Pair) -> None:
    pair.add([1])
    pair.partition.finish()
    pair.settle()
    assert [b.records for b in pair.received()[:1]] == [[1]]
    pair.sender.connections[1].sock.close()
    pair.receiver.pump()  # the channel got its END_OF_PARTITION: no error
    pair.channel.recycle()
    pair.receiver.pump()  # the credit for a finished producer is dropped quietly


def test_frames_survive_partial_writes() -> None:
    a, b = socket.socketpair()
    sender, receiver = Connection(a, 1), Connection(b, 0)
    with a, b:
        _exchange(sender, receiver)


def _exchange(sender: Connection, receiver: Connection) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB: more than the socket buffer takes at once
    for channel in range(3):
        sender.send_frame(1, channel, channel, -1, payload)
    frames = []
    while sender.wants_write() or len(frames) < 3:
        sender.flush()
        frames += receiver.receive()
    assert [(kind, ch, n, backlog) for kind, ch, n, backlog, _ in frames] == [
        (1, 0, 0, -1),
        (1, 1, 1, -1),
        (1, 2, 2, -1),
    ]
    assert all(p == payload for *_, p in frames)
