"""``kolk flow FILE``: a flow trace (``kolk run --trace-flow FILE``) as one timeline per channel.

::

    kolk flow [--channel TEXT] [--limit N] FILE

Each channel (producer subtask -> consumer subtask) gets its events in order, one per line:
credit given to the sender, data buffers sent (records, backlog, why the buffer was
finished), events (which need no credit) and floating buffers taken or returned by the
consumer, then a one-paragraph summary. The format of the file and the meaning of each field:
:mod:`kolk._runtime.network.trace`; how to read the timeline: ``docs/flow-tracing.md``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence

from kolk._runtime.network.trace import (
    BufferSent,
    ChannelInfo,
    CreditAnnounced,
    EventSent,
    FloatingBufferMoved,
    FlowRecord,
    FlowTrace,
    load_flow_traces,
)

__all__ = ["FLOW_HELP", "add_flow_arguments", "flow_main", "render_channel", "render_trace"]

#: How the timeline names each flush reason (FlushReason values), in this order.
_REASONS = {
    "full": "full",
    "timeout": "timeout",
    "flush-always": "flush always",
    "end-of-input": "end of input",
    "event": "before an event",
}
_MAX_WATERMARK = 2**63 - 1
#: Width of the description column; the sender's credit is shown after it.
_WHAT_WIDTH = 50
_WRAP_WIDTH = 100

FLOW_HELP = "show a flow trace (kolk run --trace-flow FILE) as a timeline per channel"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _event_text(record: EventSent) -> str:
    if record.timestamp is not None:
        if record.timestamp == _MAX_WATERMARK:
            return f"{record.event} @ Long.MAX_VALUE (end of input)"
        return f"{record.event} @ {record.timestamp}"
    if record.idle is not None:
        return f"{record.event} {'IDLE' if record.idle else 'ACTIVE'}"
    return record.event


def _describe(record: FlowRecord, exclusive: int) -> tuple[str, str]:
    """The line's description and its credit column (empty when the credit did not change)."""
    if isinstance(record, CreditAnnounced):
        if record.initial:
            buffers = _plural(record.delta, "exclusive buffer")
            return f"credit +{record.delta} (initial: {buffers})", f"credit={record.credit}"
        return f"credit +{record.delta} (AddCredit)", f"credit={record.credit}"
    if isinstance(record, BufferSent):
        reason = _REASONS.get(record.reason, record.reason)
        what = (
            f"send #{record.seq}  {_plural(record.records, 'record')}  "
            f"backlog {record.backlog}  ({reason})"
        )
        credit = f"credit={record.credit}"
        if record.credit == 0 and record.backlog > 0:
            credit += "  waits for credit"
        return what, credit
    if isinstance(record, EventSent):
        return f"event #{record.seq}  {_event_text(record)}", ""
    # Flink's BufferManager: keep backlog + exclusive buffers free for the sender.
    wants = f"wants backlog {record.backlog} + {exclusive} free"
    if record.action == "request":
        return f"floating +1 ({wants}; gate has {record.available} left)", ""
    if record.action == "return":
        return f"floating -1 (returned to the gate; holds {record.floating})", ""
    if record.action == "wait":
        return f"floating wait ({wants}; gate has none left)", ""
    return f"floating {record.action}", ""


def _summary(channel: ChannelInfo, records: Sequence[FlowRecord]) -> list[str]:
    sends = [r for r in records if isinstance(r, BufferSent)]
    events = [r for r in records if isinstance(r, EventSent)]
    credits = [r for r in records if isinstance(r, CreditAnnounced)]
    floating = Counter(r.action for r in records if isinstance(r, FloatingBufferMoved))

    reasons = Counter(r.reason for r in sends)
    order = [*_REASONS, *sorted(set(reasons) - set(_REASONS))]
    by_reason = ", ".join(f"{reasons[r]} {_REASONS.get(r, r)}" for r in order if reasons[r])
    parts = [
        f"{_plural(len(sends), 'buffer')} with {_plural(sum(r.records for r in sends), 'record')}"
        + (f" ({by_reason})" if by_reason else "")
    ]
    if events:
        names = Counter(r.event for r in events)
        listed = ", ".join(f"{count} {name}" for name, count in names.items())
        parts.append(f"{_plural(len(events), 'event')} ({listed}), sent without credit")
    initial = sum(r.delta for r in credits if r.initial)
    added = sum(r.delta for r in credits if not r.initial)
    ran_out = [r for r in sends if r.credit == 0]
    waited = sum(1 for r in ran_out if r.backlog > 0)
    credit = f"credit {initial} initial + {added} by AddCredit, "
    if ran_out:
        credit += f"ran out {_times(len(ran_out))}"
        if waited == len(ran_out):
            credit += (
                " with buffers waiting to be sent"
                if waited == 1
                else (", each with buffers waiting to be sent")
            )
        elif waited:
            credit += f", {waited} with buffers waiting to be sent"
    else:
        credit += "never ran out"
    parts.append(credit)
    if floating:
        text = (
            f"floating buffers: {floating['request']} borrowed from the gate's "
            f"{channel.floating}, {floating['return']} returned"
        )
        if floating["wait"]:
            text += f", waited {_times(floating['wait'])} for one"
        parts.append(text)
    else:
        parts.append("no floating buffers")
    return textwrap.wrap(
        "summary: " + "; ".join(parts) + ".",
        width=_WRAP_WIDTH,
        initial_indent="  ",
        subsequent_indent="    ",
    )


def render_channel(
    channel: ChannelInfo,
    records: Sequence[FlowRecord],
    *,
    name: str | None = None,
    limit: int | None = None,
    time_width: int = 0,
) -> list[str]:
    """One channel's timeline and summary, as lines.

    Args:
        channel: the channel.
        records: its records, in order.
        name: the title (defaults to the channel's name).
        limit: show at most this many event lines (the summary still counts them all).
        time_width: pad the time column to this width (to align several channels).

    Returns:
        the title line, one line per shown event, a ``...`` line for hidden ones, the summary.
    """
    lines = [f"channel {name or channel.name}"]
    shown = records if limit is None else records[:limit]
    for record in shown:
        what, credit = _describe(record, channel.exclusive)
        time = f"t+{record.t:.3f}ms".ljust(time_width)
        lines.append(f"  {time}  {what.ljust(_WHAT_WIDTH)}  {credit}".rstrip())
    if len(shown) < len(records):
        hidden = len(records) - len(shown)
        lines.append(f"  ... {_plural(hidden, 'more line')} (--limit {limit})")
    lines += _summary(channel, records)
    return lines


def render_trace(
    trace: FlowTrace, *, channel_filter: str | None = None, limit: int | None = None
) -> list[str]:
    """A job's trace as text: a title line, then each matching channel's timeline.

    Args:
        trace: the job's trace.
        channel_filter: keep only channels whose name contains this text (any case).
        limit: at most this many event lines per channel.

    Returns:
        the lines; empty when a filter is given and no channel matches it.
    """
    channels = list(trace.channels)
    if channel_filter is not None:
        wanted = channel_filter.casefold()
        channels = [c for c in channels if wanted in c.name.casefold()]
        if not channels:
            return []
    names = Counter(c.name for c in trace.channels)
    lines = [f"job {trace.job}: {_plural(len(trace.channels), 'channel')}"]
    if not trace.channels:
        lines.append(
            "  no channels: every operator ran chained inside its task, so no buffer crossed "
            "between tasks"
        )
        return lines
    time_width = max((len(f"t+{r.t:.3f}ms") for r in trace.records), default=0)
    by_channel: dict[int, list[FlowRecord]] = {c.id: [] for c in trace.channels}
    for record in trace.records:
        by_channel[record.channel].append(record)
    for channel in channels:
        name = channel.name if names[channel.name] == 1 else f"{channel.name} [{channel.edge}]"
        lines.append("")
        lines += render_channel(
            channel,
            by_channel[channel.id],
            name=name,
            limit=limit,
            time_width=time_width,
        )
    return lines


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"limit must be a non-negative integer, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_flow_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``kolk flow``'s arguments to a parser."""
    parser.add_argument("file", help="a file written by kolk run --trace-flow FILE")
    parser.add_argument(
        "--channel",
        metavar="TEXT",
        help="show only channels whose name contains TEXT (any case), e.g. '(2/2)'",
    )
    parser.add_argument(
        "--limit",
        type=_limit,
        metavar="N",
        help="show at most N lines per channel (0: summaries only)",
    )


def flow_main(argv: Sequence[str]) -> int:
    """Runs ``kolk flow`` with its arguments (after ``flow``).

    Returns:
        0 when the trace was shown; 1 when the file cannot be read, is not a flow trace, or
        no channel matches ``--channel``; 2 for a usage error, 0 for ``--help``.
    """
    parser = argparse.ArgumentParser(prog="kolk flow", description=FLOW_HELP)
    add_flow_arguments(parser)
    try:
        ns = parser.parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        traces = load_flow_traces(ns.file)
    except OSError as exc:
        print(f"kolk flow: can't read {ns.file!r}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kolk flow: {exc}", file=sys.stderr)
        return 1
    if not traces:
        print(
            f"kolk flow: {ns.file!r} holds no trace (did the program run a job?)", file=sys.stderr
        )
        return 1
    blocks = [render_trace(t, channel_filter=ns.channel, limit=ns.limit) for t in traces]
    blocks = [block for block in blocks if block]
    if not blocks:
        print(f"kolk flow: no channel matches {ns.channel!r}", file=sys.stderr)
        return 1
    sys.stdout.write("\n\n".join("\n".join(block) for block in blocks) + "\n")
    return 0
