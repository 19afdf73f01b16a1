"""The credit-based protocol between a subpartition and its input channel."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer, FlushReason
from kolk._runtime.network.consumer import InputGate
from kolk._runtime.network.partition import ResultPartition
from kolk._runtime.network.transport import LocalTransport


def make_link(floating: int = 8, subpartitions: int = 1, channels: int = 1):
    partition = ResultPartition("p", subpartitions)
    gate = InputGate("g", channels, floating_buffers=floating)
    transport = LocalTransport()
    views = [
        transport.connect(partition.subpartitions[i], gate.channels[i])
        for i in range(min(subpartitions, channels))
    ]
    return partition, gate, transport, views


def add_data(partition: ResultPartition, subpartition: int, *records: int) -> None:
    partition.request_buffer(subpartition)
    partition.add(subpartition, Buffer(list(records)))


def test_nothing_is_sent_without_credit() -> None:
    partition, gate, transport, (view,) = make_link(floating=0)
    for i in range(5):
        add_data(partition, 0, i)
    transport.pump()
    channel = gate.channels[0]
    assert len(channel.received) == 2  # the two exclusive buffers = the initial credit
    assert view.credit == 0
    assert len(partition.subpartitions[0].queue) == 3
    # The consumer processes one buffer and recycles it: exactly one more may come.
    gate.poll_next()
    channel.recycle()
    transport.pump()
    assert len(channel.received) == 2
    assert [b.records for b in channel.received] == [[1], [2]]
    assert len(partition.subpartitions[0].queue) == 2


def test_each_buffer_carries_the_backlog_left_behind() -> None:
    partition, gate, transport, _ = make_link(floating=0)
    for i in range(3):
        add_data(partition, 0, i)
    transport.pump()
    backlogs = [b.backlog for b in gate.channels[0].received]
    assert backlogs == [2, 1]
    assert [b.sequence_number for b in gate.channels[0].received] == [0, 1]


def test_backlog_makes_the_channel_ask_for_floating_buffers() -> None:
    partition, gate, transport, (view,) = make_link(floating=8)
    for i in range(6):
        add_data(partition, 0, i)
    transport.pump()
    channel = gate.channels[0]
    # The first buffer announced a backlog of 5: the channel wants 5 + 2 free buffers and
    # takes floating buffers until it has them, announcing each as credit.
    assert len(channel.received) == 6
    assert channel.floating >= 4
    assert gate.floating_pool.available == 8 - channel.floating
    assert view.credit + channel.occupied <= channel.owned


def test_surplus_floating_buffers_return_to_the_gate() -> None:
    partition, gate, transport, _ = make_link(floating=8)
    for i in range(6):
        add_data(partition, 0, i)
    transport.pump()
    channel = gate.channels[0]
    while (polled := gate.poll_next()) is not None:
        polled[0].recycle()
        transport.pump()
    assert channel.floating == 0
    assert gate.floating_pool.available == 8
    assert channel.occupied == 0


def test_events_travel_without_credit() -> None:
    partition, gate, transport, (view,) = make_link(floating=0)
    add_data(partition, 0, 1)
    add_data(partition, 0, 2)
    transport.pump()
    assert view.credit == 0
    partition.finish()  # END_OF_PARTITION behind the data
    transport.pump()
    # Data still waiting for credit blocks nothing else; here the queue holds only the event.
    events = [b for b in gate.channels[0].received if b.is_event]
    assert [b.event for b in events] == [END_OF_PARTITION]


def test_event_waits_behind_data_without_credit() -> None:
    partition, gate, transport, _ = make_link(floating=0)
    for i in range(3):
        add_data(partition, 0, i)
    partition.finish()
    transport.pump()
    # Order is kept: the event cannot overtake the data buffer that lacks credit.
    assert [b.records for b in gate.channels[0].received] == [[0], [1]]
    gate.poll_next()[0].recycle()  # type: ignore[index]
    transport.pump()
    received = list(gate.channels[0].received)
    assert received[-1].event is END_OF_PARTITION


def test_blocked_channel_does_not_stall_the_others() -> None:
    partition = ResultPartition("p", 2)
    gate_a = InputGate("a", 1, floating_buffers=0)
    gate_b = InputGate("b", 1, floating_buffers=0)
    transport = LocalTransport()
    transport.connect(partition.subpartitions[0], gate_a.channels[0])
    transport.connect(partition.subpartitions[1], gate_b.channels[0])
    for i in range(4):
        add_data(partition, 0, i)  # channel a never recycles: it runs out of credit
    transport.pump()
    for i in range(4):
        add_data(partition, 1, 10 + i)
        transport.pump()
        polled = gate_b.poll_next()
        assert polled is not None and polled[1].records == [10 + i]
        polled[0].recycle()
    assert len(gate_a.channels[0].received) == 2


def test_partition_is_unavailable_when_a_subpartition_holds_ten_buffers() -> None:
    partition, _gate, transport, _ = make_link(floating=0)
    for i in range(10):
        assert partition.is_available()
        add_data(partition, 0, i)
    assert not partition.is_available()
    transport.pump()  # two leave against the initial credit
    assert partition.is_available()
    assert partition.statistics().buffers_in_use == 8


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["produce", "pump", "consume", "event"]), max_size=120),
    st.integers(min_value=0, max_value=8),
)
def test_credit_invariants_hold_under_any_schedule(ops: list[str], floating: int) -> None:
    partition, gate, transport, (view,) = make_link(floating=floating)
    channel = gate.channels[0]
    produced: list[int] = []
    consumed: list[int] = []
    next_value = 0
    for op in ops:
        if op == "produce" and partition.subpartitions[0].num_buffers < 30:
            add_data(partition, 0, next_value)
            produced.append(next_value)
            next_value += 1
        elif op == "pump":
            transport.pump()
        elif op == "consume":
            polled = gate.poll_next()
            if polled is not None and not polled[1].is_event:
                consumed.extend(polled[1].records or [])
                polled[0].recycle()
        assert view.credit >= 0
        assert channel.occupied <= channel.owned
        assert view.credit + channel.occupied <= channel.owned
        assert gate.floating_pool.available + channel.floating == floating
    # Drain: everything produced arrives, in order, exactly once.
    partition.finish()
    for _ in range(200):
        transport.pump()
        polled = gate.poll_next()
        if polled is None:
            continue
        if polled[1].is_event:
            break
        consumed.extend(polled[1].records or [])
        polled[0].recycle()
    assert consumed == produced
    assert partition.statistics().buffers_in_use == 0
    assert FlushReason.FULL.value == "full"
