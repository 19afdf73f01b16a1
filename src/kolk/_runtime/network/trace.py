"""The flow tracer: what credit-based flow control did on every channel, in order.

``kolk run --trace-flow FILE job.py`` hands a :class:`FlowTracer` to the job's transport
(:class:`~kolk._runtime.network.transport.LocalTransport`), which calls it as buffers, events
and credit move; ``kolk flow FILE`` reads the file back (:func:`load_flow_traces`) and renders
one timeline per channel. A *channel* is one producer subtask's subpartition feeding one
consumer subtask's input channel on one job edge, named by the two subtasks:
``Source: Collection Source (1/1) -> Map (2/2)``.

File format, version 1: UTF-8 JSON lines, one object per line. Every job's trace starts with a
header line; one file may hold several jobs (a program that calls ``execute()`` twice), one
after the other::

    {"format":"kolk-flow-trace","version":1,"job":"My Job","start_ms":1764000000000.0}

Then, in the order they happened (per channel and across channels):

- a channel declaration, written at the channel's partition request, before its events::

    {"kind":"channel","ch":0,"producer":"Source: Collection Source (1/1)",
     "consumer":"Map (2/2)","edge":"edge 1 to Map","subpartition":1,"input_channel":0,
     "exclusive":2,"floating":8}

  ``exclusive`` is the channel's exclusive buffers (its initial credit), ``floating`` the size
  of its gate's floating-buffer pool (shared with the gate's other channels);
- events, each with ``n`` (its position in the job's trace, from 0), ``t`` (processing time in
  milliseconds since the header's ``start_ms``) and ``ch`` (the channel):

  - ``{"kind":"credit",...,"delta":2,"credit":2,"initial":true}``: the consumer gave the
    sender ``delta`` credit, with the partition request (``initial``) or an ``AddCredit``;
    ``credit`` is the sender's credit afterwards;
  - ``{"kind":"send",...,"seq":0,"records":3,"backlog":0,"reason":"end-of-input","credit":1}``:
    a data buffer with sequence number ``seq`` and ``records`` records left, spending one
    credit; ``backlog`` is the data buffers still queued behind it, ``reason`` why the producer
    finished it (``full``, ``timeout``, ``flush-always``, ``end-of-input``, ``event``);
  - ``{"kind":"event",...,"seq":1,"event":"Watermark","timestamp":1000,"credit":1}``: an
    event (``Watermark`` with ``timestamp``, ``WatermarkStatus`` with ``idle``,
    ``EndOfPartition``), sent in order with the data but without credit;
  - ``{"kind":"floating",...,"action":"request","floating":1,"backlog":3,"available":7}``:
    the consumer's channel took a floating buffer from its gate (``request``), gave one back
    (``return``), or wanted one while the pool was empty and now waits (``wait``);
    ``floating`` is what the channel holds afterwards, ``backlog`` the latest backlog the
    sender reported on the channel, ``available`` the buffers left in the gate's pool
    (``request`` and ``wait`` only).

Readers skip kinds they do not know, so adding a kind needs no new version; changing the
meaning of a field does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import IO, Any, Protocol

from kolk._runtime.network.buffer import Buffer
from kolk._runtime.network.consumer import InputChannel, InputGate
from kolk._runtime.network.partition import ResultPartition, ResultSubpartition
from kolk._runtime.network.transport import SubpartitionView

__all__ = [
    "FORMAT",
    "VERSION",
    "BufferSent",
    "ChannelInfo",
    "CreditAnnounced",
    "EventSent",
    "FloatingBufferMoved",
    "FlowRecord",
    "FlowTrace",
    "FlowTracer",
    "TracedTask",
    "load_flow_traces",
    "read_flow_traces",
    "to_json",
]

FORMAT = "kolk-flow-trace"
VERSION = 1


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """One channel of a job: producer subpartition → consumer input channel on one edge.

    Attributes:
        id: the channel's number in its trace (``ch``), in partition-request order.
        producer: the producing subtask, Flink's ``Name (i/n)`` form.
        consumer: the consuming subtask.
        edge: the job edge, e.g. ``"edge 1 to Map"``.
        subpartition: the subpartition index in the producer's partition.
        input_channel: the channel index in the consumer's input gate.
        exclusive: the channel's exclusive buffers (its initial credit).
        floating: the floating buffers of the consumer's gate, shared by its channels.
    """

    id: int
    producer: str
    consumer: str
    edge: str
    subpartition: int
    input_channel: int
    exclusive: int
    floating: int

    @property
    def name(self) -> str:
        """``producer -> consumer``, as the timeline shows it."""
        return f"{self.producer} -> {self.consumer}"


@dataclass(frozen=True, slots=True)
class CreditAnnounced:
    """The consumer gave the sender credit: initial (partition request) or ``AddCredit``.

    Every record has ``n`` (its position in the job's trace), ``t`` (ms since the trace's
    start) and ``channel`` (a :class:`ChannelInfo` id).

    Attributes:
        delta: the credit given.
        credit: the sender's credit afterwards.
        initial: True for the partition request's credit (the exclusive buffers).
    """

    n: int
    t: float
    channel: int
    delta: int
    credit: int
    initial: bool


@dataclass(frozen=True, slots=True)
class BufferSent:
    """A data buffer left the subpartition against one credit.

    Attributes:
        seq: the buffer's sequence number on its channel (events count too).
        records: the records it holds.
        backlog: the data buffers still queued in the subpartition behind it.
        reason: why the producer finished it: a ``FlushReason`` value.
        credit: the sender's credit afterwards.
    """

    n: int
    t: float
    channel: int
    seq: int
    records: int
    backlog: int
    reason: str
    credit: int


@dataclass(frozen=True, slots=True)
class EventSent:
    """An event left the subpartition; events need no credit.

    Attributes:
        seq: the event's sequence number on its channel.
        event: ``"Watermark"``, ``"WatermarkStatus"``, ``"EndOfPartition"``, ...
        credit: the sender's credit, unchanged.
        timestamp: a watermark's timestamp, else None.
        idle: a watermark status's idleness, else None.
    """

    n: int
    t: float
    channel: int
    seq: int
    event: str
    credit: int
    timestamp: int | None = None
    idle: bool | None = None


@dataclass(frozen=True, slots=True)
class FloatingBufferMoved:
    """The consumer's channel took or returned a floating buffer of its gate, or waits for one.

    Attributes:
        action: ``"request"`` (took one), ``"return"`` (gave one back) or ``"wait"`` (wanted
            one, but the gate's pool was empty).
        floating: the floating buffers the channel holds afterwards.
        backlog: the latest backlog the sender reported on the channel.
        available: the buffers left in the gate's pool; None for ``return``.
    """

    n: int
    t: float
    channel: int
    action: str
    floating: int
    backlog: int
    available: int | None = None


FlowRecord = CreditAnnounced | BufferSent | EventSent | FloatingBufferMoved

_KINDS: dict[str, type[Any]] = {
    "channel": ChannelInfo,
    "credit": CreditAnnounced,
    "send": BufferSent,
    "event": EventSent,
    "floating": FloatingBufferMoved,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}
#: JSON key → dataclass field, where they differ (the file is compact, the code readable).
_FIELD_OF_KEY = {"ch": "channel"}
_KEY_OF_FIELD = {"channel": "ch", "id": "ch"}


#: (field, JSON key) of each kind, in order: computed once (the tracer writes one line per
#: buffer sent, so this and the shared encoder below keep tracing cheap).
_KEYS = {
    cls: tuple((f.name, _KEY_OF_FIELD.get(f.name, f.name)) for f in fields(cls)) for cls in _KIND_OF
}
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def to_json(item: ChannelInfo | FlowRecord) -> dict[str, Any]:
    """The JSON object of a channel or record, as the tracer writes it (None fields left out)."""
    line: dict[str, Any] = {"kind": _KIND_OF[type(item)]}
    for name, key in _KEYS[type(item)]:
        value = getattr(item, name)
        if value is not None:
            line[key] = value
    return line


def _from_json(kind: str, line: dict[str, Any]) -> ChannelInfo | FlowRecord:
    values = {_FIELD_OF_KEY.get(k, k): v for k, v in line.items() if k != "kind"}
    if kind == "channel":
        values["id"] = values.pop("channel")
    item: ChannelInfo | FlowRecord = _KINDS[kind](**values)
    return item


@dataclass(frozen=True, slots=True)
class FlowTrace:
    """One job's trace, as loaded from a file.

    Attributes:
        job: the job's name.
        start_ms: the processing time (ms since the epoch) the records' ``t`` count from.
        version: the file format version.
        channels: the channels, by id.
        records: every event of every channel, in order (``n`` = 0, 1, ...).
    """

    job: str
    start_ms: float
    version: int
    channels: tuple[ChannelInfo, ...]
    records: tuple[FlowRecord, ...]

    def records_of(self, channel: int) -> list[FlowRecord]:
        """The records of one channel, in order."""
        return [r for r in self.records if r.channel == channel]


class TracedTask(Protocol):
    """What the tracer needs of a task to name its channels (StreamTask has it)."""

    @property
    def name(self) -> str:
        """The subtask's name, ``Name (i/n)``."""
        ...

    @property
    def partitions(self) -> Sequence[ResultPartition]:
        """The task's output partitions."""
        ...

    @property
    def gates(self) -> Sequence[InputGate]:
        """The task's input gates."""
        ...


def _event_name(event: object) -> str:
    name = type(event).__name__
    return name.removesuffix("Event") or name


class FlowTracer:
    """Writes a job's flow trace: the transport's trace listener (``TraceListener``).

    Every call becomes one JSON line (see the module docstring), written at once; nothing is
    kept in memory but the channel names and each channel's latest backlog.

    Threading model: called on the thread that drives the transport (the process's mailbox
    loop); not thread-safe.

    Life cycle: create it before the transport connects the channels (a channel is declared at
    its partition request, the first call naming it), hand it to ``LocalTransport(trace=...)``,
    and :meth:`close` it once the job has ended, failed or not. A closed tracer must not be
    called again.

    Args:
        out: the text file written to.
        job_name: the job's name, for the header.
        tasks: the job's tasks, to name channels by their subtasks; a channel of a partition
            or gate outside them is named after the partition's or gate's own name.
        now_ms: processing time in milliseconds (the executor's clock).
        owns_out: True to close ``out`` in :meth:`close`.
    """

    def __init__(
        self,
        out: IO[str],
        job_name: str,
        tasks: Iterable[TracedTask],
        now_ms: Callable[[], float],
        *,
        owns_out: bool = False,
    ) -> None:
        self._out = out
        self._owns_out = owns_out
        self._now_ms = now_ms
        self._start_ms = now_ms()
        self._producers: dict[ResultSubpartition, tuple[str, str]] = {}
        self._consumers: dict[InputChannel, str] = {}
        for task in tasks:
            prefix = f"{task.name} -> "
            for partition in task.partitions:
                edge = partition.name.removeprefix(prefix)
                for subpartition in partition.subpartitions:
                    self._producers[subpartition] = (task.name, edge)
            for gate in task.gates:
                for channel in gate.channels:
                    self._consumers[channel] = task.name
        self._ids: dict[SubpartitionView, int] = {}
        self._backlogs: list[int] = []
        self._n = 0
        self._closed = False
        self._write(
            {"format": FORMAT, "version": VERSION, "job": job_name, "start_ms": self._start_ms}
        )

    @classmethod
    def open(
        cls,
        path: str,
        job_name: str,
        tasks: Iterable[TracedTask],
        now_ms: Callable[[], float],
    ) -> FlowTracer:
        """A tracer appending the job's trace to the file at ``path`` (created if missing).

        Appending lets several jobs of one program share the file; ``kolk run --trace-flow``
        empties it before the program starts.
        """
        out = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
        return cls(out, job_name, tasks, now_ms, owns_out=True)

    def close(self) -> None:
        """Flushes the trace and closes the file if the tracer owns it (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._owns_out:
            self._out.close()
        else:
            self._out.flush()

    def __call__(
        self, event: str, view: SubpartitionView, buffer: Buffer | None, number: int
    ) -> None:
        """Records one call of the transport (see ``TraceListener`` for the events)."""
        if event in ("request", "credit"):
            initial = event == "request"
            channel = self._declare(view) if initial else self._ids[view]
            self._write(
                CreditAnnounced(self._next(), self._t(), channel, number, view.credit, initial)
            )
            return
        channel = self._ids[view]
        if event == "send" and buffer is not None:
            self._write(self._sent(channel, buffer, number))
        elif event.startswith("floating-"):
            action = event.removeprefix("floating-")
            available = (
                None if action == "return" else view.channel.gate.statistics().floating_available
            )
            self._write(
                FloatingBufferMoved(
                    self._next(),
                    self._t(),
                    channel,
                    action,
                    number,
                    self._backlogs[channel],
                    available,
                )
            )

    def _sent(self, channel: int, buffer: Buffer, credit: int) -> BufferSent | EventSent:
        event = buffer.event
        if event is None:
            self._backlogs[channel] = buffer.backlog
            return BufferSent(
                self._next(),
                self._t(),
                channel,
                buffer.sequence_number,
                len(buffer),
                buffer.backlog,
                buffer.flush_reason.value,
                credit,
            )
        timestamp = getattr(event, "timestamp", None)
        idle = getattr(event, "idle", None)
        return EventSent(
            self._next(),
            self._t(),
            channel,
            buffer.sequence_number,
            _event_name(event),
            credit,
            timestamp if isinstance(timestamp, int) else None,
            idle if isinstance(idle, bool) else None,
        )

    def _declare(self, view: SubpartitionView) -> int:
        channel_id = len(self._ids)
        self._ids[view] = channel_id
        self._backlogs.append(0)
        subpartition, channel = view.subpartition, view.channel
        producer, edge = self._producers.get(
            subpartition, (f"subpartition {subpartition.index}", "")
        )
        consumer = self._consumers.get(channel, f"{channel.gate.name} [{channel.index}]")
        self._write(
            ChannelInfo(
                channel_id,
                producer,
                consumer,
                edge,
                subpartition.index,
                channel.index,
                channel.initial_credit(),
                channel.gate.statistics().floating_total,
            )
        )
        return channel_id

    def _next(self) -> int:
        n = self._n
        self._n += 1
        return n

    def _t(self) -> float:
        return round(self._now_ms() - self._start_ms, 3)

    def _write(self, item: ChannelInfo | FlowRecord | dict[str, Any]) -> None:
        line = item if isinstance(item, dict) else to_json(item)
        self._out.write(_ENCODER.encode(line) + "\n")


def read_flow_traces(lines: Iterable[str], source: str = "<trace>") -> list[FlowTrace]:
    """Parses flow-trace lines: one :class:`FlowTrace` per header, in file order.

    Blank lines and records of unknown kinds are skipped.

    Args:
        lines: the file's lines.
        source: the file's name, for error messages.

    Raises:
        ValueError: the lines are not a flow trace of a version this kolk reads; the message
            names the source and the line.
    """
    traces: list[FlowTrace] = []
    header: dict[str, Any] | None = None
    channels: list[ChannelInfo] = []
    declared: set[int] = set()
    records: list[FlowRecord] = []

    def finish() -> None:
        if header is not None:
            traces.append(
                FlowTrace(
                    header["job"],
                    header["start_ms"],
                    header["version"],
                    tuple(channels),
                    tuple(records),
                )
            )

    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"{source}, line {number}"
        try:
            line = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"{where}: not JSON ({exc.msg})"
            raise ValueError(msg) from exc
        if not isinstance(line, dict):
            msg = f"{where}: expected a JSON object"
            raise ValueError(msg)
        if "format" in line:
            if line["format"] != FORMAT:
                msg = f"{where}: not a kolk flow trace (format {line['format']!r})"
                raise ValueError(msg)
            if line.get("version") != VERSION:
                msg = (
                    f"{where}: flow trace version {line.get('version')!r}; this kolk reads "
                    f"version {VERSION}"
                )
                raise ValueError(msg)
            finish()
            header, channels, records, declared = line, [], [], set()
            continue
        if header is None:
            msg = f"{where}: not a kolk flow trace (no header line first)"
            raise ValueError(msg)
        kind = line.get("kind")
        if kind not in _KINDS:
            continue
        try:
            item = _from_json(kind, line)
        except (TypeError, KeyError) as exc:
            msg = f"{where}: a {kind!r} record with missing or unknown fields ({exc})"
            raise ValueError(msg) from exc
        if isinstance(item, ChannelInfo):
            channels.append(item)
            declared.add(item.id)
        elif item.channel not in declared:
            msg = f"{where}: a {kind!r} record of channel {item.channel}, not declared before"
            raise ValueError(msg)
        else:
            records.append(item)
    finish()
    return traces


def load_flow_traces(path: str) -> list[FlowTrace]:
    """Reads the flow-trace file at ``path`` (see :func:`read_flow_traces`).

    Raises:
        OSError: the file cannot be read.
        ValueError: it is not a flow trace this kolk reads.
    """
    with open(path, encoding="utf-8") as file:
        return read_flow_traces(file, path)
