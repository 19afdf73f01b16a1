"""The flow tracer: what it records of the credit protocol, the file it writes, loading it."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kolk._runtime.network.buffer import Buffer, FlushReason
from kolk._runtime.network.consumer import InputGate
from kolk._runtime.network.partition import ResultPartition
from kolk._runtime.network.trace import (
    BufferSent,
    ChannelInfo,
    CreditAnnounced,
    EventSent,
    FloatingBufferMoved,
    FlowTrace,
    FlowTracer,
    load_flow_traces,
    read_flow_traces,
    to_json,
)
from kolk._runtime.network.transport import LocalTransport
from kolk._runtime.time.clock import ManualClock

HEADER = '{"format":"kolk-flow-trace","version":1,"job":"job","start_ms":100.0}'
CHANNEL = (
    '{"kind":"channel","ch":0,"producer":"A (1/1)","consumer":"B (1/1)","edge":"edge 0 to B",'
    '"subpartition":0,"input_channel":0,"exclusive":2,"floating":8}'
)


@dataclass
class NamedTask:
    """A task as the tracer sees it: a name, output partitions, input gates."""

    name: str
    partitions: list[ResultPartition] = field(default_factory=list)
    gates: list[InputGate] = field(default_factory=list)


@dataclass
class Link:
    """One producer subpartition wired to one consumer channel through a traced transport."""

    partition: ResultPartition
    gate: InputGate
    transport: LocalTransport
    tracer: FlowTracer
    out: io.StringIO
    clock: ManualClock

    def add_data(self, *records: int, reason: FlushReason = FlushReason.FULL) -> None:
        self.partition.request_buffer(0)
        self.partition.add(0, Buffer(list(records), flush_reason=reason))

    def consume_one(self) -> None:
        """The consumer task takes the next buffer and, for data, recycles it."""
        polled = self.gate.poll_next()
        assert polled is not None
        channel, buffer = polled
        if buffer.event is None:
            channel.recycle()

    def trace(self) -> FlowTrace:
        self.tracer.close()
        (trace,) = read_flow_traces(self.out.getvalue().splitlines())
        return trace


def make_link(floating: int, *, named: bool = True) -> Link:
    clock = ManualClock(100.0)
    partition = ResultPartition("Source (1/1) -> edge 1 to Map", 1)
    gate = InputGate("Map (1/1) <- edge 1 from Source", 1, floating_buffers=floating)
    tasks = [
        NamedTask("Source (1/1)", partitions=[partition]),
        NamedTask("Map (1/1)", gates=[gate]),
    ]
    out = io.StringIO()
    tracer = FlowTracer(out, "job", tasks if named else [], clock.now_ms)
    transport = LocalTransport(trace=tracer)
    transport.connect(partition.subpartitions[0], gate.channels[0])
    return Link(partition, gate, transport, tracer, out, clock)


def test_a_channel_is_declared_with_its_subtasks_at_its_partition_request() -> None:
    link = make_link(floating=8)

    trace = link.trace()

    assert trace.job == "job"
    assert trace.start_ms == 100.0
    assert trace.version == 1
    assert trace.channels == (
        ChannelInfo(0, "Source (1/1)", "Map (1/1)", "edge 1 to Map", 0, 0, 2, 8),
    )
    assert trace.channels[0].name == "Source (1/1) -> Map (1/1)"
    assert trace.records == (CreditAnnounced(0, 0.0, 0, 2, 2, True),)


def test_channels_of_unknown_tasks_are_named_after_their_gate() -> None:
    link = make_link(floating=8, named=False)

    (channel,) = link.trace().channels

    assert channel.producer == "subpartition 0"
    assert channel.consumer == "Map (1/1) <- edge 1 from Source [0]"
    assert channel.edge == ""


def test_credit_backlog_floating_buffers_and_events_in_the_order_they_happen() -> None:
    link = make_link(floating=1)
    for i in range(3):
        link.add_data(i)
    link.partition.finish()
    link.clock.advance(1.5)

    link.transport.pump()
    link.clock.advance(1)
    for _ in range(4):
        link.consume_one()
        link.transport.pump()

    assert link.trace().records == (
        # The partition request: one credit per exclusive buffer.
        CreditAnnounced(0, 0.0, 0, 2, 2, True),
        # Three buffers queued: the first leaves with backlog 2, so the channel wants 2 + 2
        # free buffers; it has 1, takes the gate's only floating buffer, then must wait.
        BufferSent(1, 1.5, 0, 0, 1, 2, "full", 1),
        FloatingBufferMoved(2, 1.5, 0, "request", 1, 2, 0),
        FloatingBufferMoved(3, 1.5, 0, "wait", 1, 2, 0),
        CreditAnnounced(4, 1.5, 0, 1, 2, False),
        BufferSent(5, 1.5, 0, 1, 1, 1, "full", 1),
        BufferSent(6, 1.5, 0, 2, 1, 0, "full", 0),
        # Out of credit, yet the end of the partition goes: events need no credit.
        EventSent(7, 1.5, 0, 3, "EndOfPartition", 0),
        # The consumer recycles: two exclusive buffers come back as credit, then the channel
        # has more free buffers than backlog 0 + 2 and returns the floating one.
        CreditAnnounced(8, 2.5, 0, 1, 1, False),
        CreditAnnounced(9, 2.5, 0, 1, 2, False),
        FloatingBufferMoved(10, 2.5, 0, "return", 0, 0, None),
    )
    assert link.gate.statistics().floating_available == 1


def test_a_waiting_channel_takes_the_floating_buffer_another_channel_returns() -> None:
    clock = ManualClock()
    partition = ResultPartition("P (1/1) -> edge 0 to C", 2)
    gate = InputGate("C (1/1) <- edge 0 from P", 2, floating_buffers=1)
    out = io.StringIO()
    tasks = [NamedTask("P (1/1)", partitions=[partition]), NamedTask("C (1/1)", gates=[gate])]
    tracer = FlowTracer(out, "job", tasks, clock.now_ms)
    transport = LocalTransport(trace=tracer)
    for i in range(2):
        transport.connect(partition.subpartitions[i], gate.channels[i])
    for sub in (0, 1, 1):
        partition.request_buffer(sub)
        partition.add(sub, Buffer([sub]))
    transport.pump()
    # Channel 0 took the only floating buffer; channel 1 (backlog 1) waits for one.
    while (polled := gate.poll_next()) is not None:
        polled[0].recycle()
        transport.pump()
    tracer.close()

    (trace,) = read_flow_traces(out.getvalue().splitlines())
    floating = [
        (r.channel, r.action, r.floating, r.available)
        for r in trace.records
        if isinstance(r, FloatingBufferMoved)
    ]
    assert floating == [
        (0, "request", 1, 0),
        (1, "wait", 0, 0),
        (0, "return", 0, None),
        (1, "request", 1, 0),
        (1, "return", 0, None),
    ]


def test_watermarks_and_statuses_are_named_with_their_values() -> None:
    link = make_link(floating=8)

    class Watermark:
        def __init__(self, timestamp: int) -> None:
            self.timestamp = timestamp

    class WatermarkStatus:
        def __init__(self, idle: bool) -> None:
            self.idle = idle

    link.partition.broadcast_event(Watermark(1000))
    link.partition.broadcast_event(WatermarkStatus(True))
    link.transport.pump()

    assert link.trace().records[1:] == (
        EventSent(1, 0.0, 0, 0, "Watermark", 2, timestamp=1000),
        EventSent(2, 0.0, 0, 1, "WatermarkStatus", 2, idle=True),
    )


def test_the_file_is_one_compact_json_object_per_line() -> None:
    link = make_link(floating=8)
    link.add_data(1, 2, 3, reason=FlushReason.END_OF_INPUT)
    link.partition.finish()
    link.transport.pump()
    link.tracer.close()

    assert link.out.getvalue().splitlines() == [
        HEADER,
        '{"kind":"channel","ch":0,"producer":"Source (1/1)","consumer":"Map (1/1)",'
        '"edge":"edge 1 to Map","subpartition":0,"input_channel":0,"exclusive":2,"floating":8}',
        '{"kind":"credit","n":0,"t":0.0,"ch":0,"delta":2,"credit":2,"initial":true}',
        '{"kind":"send","n":1,"t":0.0,"ch":0,"seq":0,"records":3,"backlog":0,'
        '"reason":"end-of-input","credit":1}',
        '{"kind":"floating","n":2,"t":0.0,"ch":0,"action":"request","floating":1,"backlog":0,'
        '"available":7}',
        '{"kind":"credit","n":3,"t":0.0,"ch":0,"delta":1,"credit":2,"initial":false}',
        '{"kind":"event","n":4,"t":0.0,"ch":0,"seq":1,"event":"EndOfPartition","credit":2}',
    ]


def test_to_json_leaves_out_absent_values() -> None:
    assert to_json(FloatingBufferMoved(3, 1.0, 2, "return", 0, 1)) == {
        "kind": "floating",
        "n": 3,
        "t": 1.0,
        "ch": 2,
        "action": "return",
        "floating": 0,
        "backlog": 1,
    }


def test_open_appends_so_that_several_jobs_share_a_file(tmp_path: Path) -> None:
    path = tmp_path / "flow.jsonl"
    for job in ("first", "second"):
        tracer = FlowTracer.open(str(path), job, [], ManualClock().now_ms)
        tracer.close()
        tracer.close()  # idempotent

    assert [t.job for t in load_flow_traces(str(path))] == ["first", "second"]


def test_records_belong_to_the_job_whose_header_precedes_them() -> None:
    second_header = {"format": "kolk-flow-trace", "version": 1, "job": "second", "start_ms": 7.0}
    lines = [
        HEADER,
        CHANNEL,
        '{"kind":"credit","n":0,"t":0.0,"ch":0,"delta":2,"credit":2,"initial":true}',
        "",
        json.dumps(second_header),
        CHANNEL,
        '{"kind":"credit","n":0,"t":0.5,"ch":0,"delta":2,"credit":2,"initial":true}',
    ]

    first, second = read_flow_traces(lines)

    assert (first.job, first.records) == ("job", (CreditAnnounced(0, 0.0, 0, 2, 2, True),))
    assert (
        first.channels
        == second.channels
        == (ChannelInfo(0, "A (1/1)", "B (1/1)", "edge 0 to B", 0, 0, 2, 8),)
    )
    assert (second.job, second.start_ms) == ("second", 7.0)
    assert second.records == (CreditAnnounced(0, 0.5, 0, 2, 2, True),)


def test_kinds_a_reader_does_not_know_are_skipped() -> None:
    (trace,) = read_flow_traces([HEADER, '{"kind":"barrier","n":0,"t":0.0,"ch":0}'])

    assert trace.records == ()


def test_an_empty_file_holds_no_trace() -> None:
    assert read_flow_traces([]) == []


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["{not json"], "f.jsonl, line 1: not JSON (Expecting property name enclosed in double"),
        (["[1, 2]"], "f.jsonl, line 1: expected a JSON object"),
        (
            ['{"kind":"credit","n":0,"t":0.0,"ch":0,"delta":2,"credit":2,"initial":true}'],
            "f.jsonl, line 1: not a kolk flow trace (no header line first)",
        ),
        (['{"format":"other","version":1}'], "f.jsonl, line 1: not a kolk flow trace (format"),
        (
            ["", '{"format":"kolk-flow-trace","version":2,"job":"j","start_ms":0}'],
            "f.jsonl, line 2: flow trace version 2; this kolk reads version 1",
        ),
        (
            [HEADER, CHANNEL, '{"kind":"send","n":0,"t":0.0,"ch":0}'],
            "f.jsonl, line 3: a 'send' record with missing or unknown fields",
        ),
        (
            [HEADER, '{"kind":"credit","n":0,"t":0.0,"ch":0,"delta":2,"credit":2,"initial":true}'],
            "f.jsonl, line 2: a 'credit' record of channel 0, not declared before",
        ),
    ],
)
def test_what_is_not_a_flow_trace_is_reported_with_its_line(lines: list[str], message: str) -> None:
    with pytest.raises(ValueError) as info:
        read_flow_traces(lines, "f.jsonl")

    assert str(info.value).startswith(message)
