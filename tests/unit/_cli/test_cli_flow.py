"""``kolk flow``: rendering a flow trace, its options, and ``kolk run --trace-flow`` parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kolk._cli.flow import render_trace
from kolk._cli.main import ProgramCommand, main, parse_command
from kolk._runtime.network.trace import (
    BufferSent,
    ChannelInfo,
    CreditAnnounced,
    EventSent,
    FloatingBufferMoved,
    FlowRecord,
    FlowTrace,
    to_json,
)

SOURCE = "Source: Collection Source (1/1)"
SINK_1 = "Map -> Sink: Print to Std. Out (1/2)"
SINK_2 = "Map -> Sink: Print to Std. Out (2/2)"
EDGE = "edge 0 to Map -> Sink: Print to Std. Out"

#: A crafted trace: a busy channel (full buffers, backlog, floating buffers, credit running
#: out, a timeout flush, a watermark) and a quiet one (one buffer at end of input).
CHANNELS = (
    ChannelInfo(0, SOURCE, SINK_1, EDGE, 0, 0, 2, 8),
    ChannelInfo(1, SOURCE, SINK_2, EDGE, 1, 0, 2, 8),
)
RECORDS: tuple[FlowRecord, ...] = (
    CreditAnnounced(0, 0.0, 0, 2, 2, True),
    CreditAnnounced(1, 0.0, 1, 2, 2, True),
    BufferSent(2, 0.25, 0, 0, 4, 2, "full", 1),
    FloatingBufferMoved(3, 0.25, 0, "request", 1, 2, 7),
    FloatingBufferMoved(4, 0.25, 0, "request", 2, 2, 6),
    CreditAnnounced(5, 0.25, 0, 2, 3, False),
    BufferSent(6, 0.5, 0, 1, 4, 1, "full", 2),
    BufferSent(7, 0.5, 0, 2, 4, 0, "full", 1),
    BufferSent(8, 12.125, 0, 3, 1, 3, "timeout", 0),
    FloatingBufferMoved(9, 12.125, 0, "wait", 2, 3, 0),
    EventSent(10, 12.125, 0, 4, "Watermark", 0, timestamp=1000),
    BufferSent(11, 12.5, 1, 0, 3, 0, "end-of-input", 1),
    EventSent(12, 12.5, 1, 1, "Watermark", 1, timestamp=2**63 - 1),
    EventSent(13, 12.5, 1, 2, "EndOfPartition", 1),
    CreditAnnounced(14, 13.0, 0, 1, 1, False),
    FloatingBufferMoved(15, 13.0, 0, "return", 1, 3),
    EventSent(16, 13.0, 0, 5, "WatermarkStatus", 1, idle=True),
)
TRACE = FlowTrace("Credit-Based Flow Control Example", 1e12, 1, CHANNELS, RECORDS)

BUSY_CHANNEL = """\
channel Source: Collection Source (1/1) -> Map -> Sink: Print to Std. Out (1/2)
  t+0.000ms   credit +2 (initial: 2 exclusive buffers)            credit=2
  t+0.250ms   send #0  4 records  backlog 2  (full)               credit=1
  t+0.250ms   floating +1 (wants backlog 2 + 2 free; gate has 7 left)
  t+0.250ms   floating +1 (wants backlog 2 + 2 free; gate has 6 left)
  t+0.250ms   credit +2 (AddCredit)                               credit=3
  t+0.500ms   send #1  4 records  backlog 1  (full)               credit=2
  t+0.500ms   send #2  4 records  backlog 0  (full)               credit=1
  t+12.125ms  send #3  1 record  backlog 3  (timeout)             credit=0  waits for credit
  t+12.125ms  floating wait (wants backlog 3 + 2 free; gate has none left)
  t+12.125ms  event #4  Watermark @ 1000
  t+13.000ms  credit +1 (AddCredit)                               credit=1
  t+13.000ms  floating -1 (returned to the gate; holds 1)
  t+13.000ms  event #5  WatermarkStatus IDLE
  summary: 4 buffers with 13 records (3 full, 1 timeout); 2 events (1 Watermark, 1 WatermarkStatus),
    sent without credit; credit 2 initial + 3 by AddCredit, ran out once with buffers waiting to be
    sent; floating buffers: 2 borrowed from the gate's 8, 1 returned, waited once for one."""

QUIET_CHANNEL = """\
channel Source: Collection Source (1/1) -> Map -> Sink: Print to Std. Out (2/2)
  t+0.000ms   credit +2 (initial: 2 exclusive buffers)            credit=2
  t+12.500ms  send #0  3 records  backlog 0  (end of input)       credit=1
  t+12.500ms  event #1  Watermark @ Long.MAX_VALUE (end of input)
  t+12.500ms  event #2  EndOfPartition
  summary: 1 buffer with 3 records (1 end of input); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 0 by AddCredit, never ran out; no floating buffers."""


def test_a_trace_renders_as_one_timeline_and_summary_per_channel() -> None:
    text = "\n".join(render_trace(TRACE))

    assert text == (
        f"job Credit-Based Flow Control Example: 2 channels\n\n{BUSY_CHANNEL}\n\n{QUIET_CHANNEL}"
    )


def test_channels_are_filtered_by_a_substring_of_their_name_in_any_case() -> None:
    lines = render_trace(TRACE, channel_filter="sink: print to std. out (2/2)")

    assert "\n".join(lines) == (
        f"job Credit-Based Flow Control Example: 2 channels\n\n{QUIET_CHANNEL}"
    )
    assert render_trace(TRACE, channel_filter="(3/2)") == []


def test_limit_keeps_the_first_lines_and_the_whole_summary() -> None:
    lines = render_trace(TRACE, channel_filter="(2/2)", limit=2)

    assert lines[2:] == [
        "channel Source: Collection Source (1/1) -> Map -> Sink: Print to Std. Out (2/2)",
        "  t+0.000ms   credit +2 (initial: 2 exclusive buffers)            credit=2",
        "  t+12.500ms  send #0  3 records  backlog 0  (end of input)       credit=1",
        "  ... 2 more lines (--limit 2)",
        *QUIET_CHANNEL.splitlines()[5:],
    ]
    assert (
        render_trace(TRACE, channel_filter="(2/2)", limit=0)[3] == "  ... 4 more lines (--limit 0)"
    )


def test_channels_with_the_same_subtasks_on_two_edges_are_told_apart_by_edge() -> None:
    channels = (
        ChannelInfo(0, "A (1/1)", "B (1/1)", "edge 0 to B", 0, 0, 2, 8),
        ChannelInfo(1, "A (1/1)", "B (1/1)", "edge 1 to B", 0, 0, 2, 8),
    )
    trace = FlowTrace("two edges", 0.0, 1, channels, ())

    titles = [line for line in render_trace(trace) if line.startswith("channel")]

    assert titles == [
        "channel A (1/1) -> B (1/1) [edge 0 to B]",
        "channel A (1/1) -> B (1/1) [edge 1 to B]",
    ]


def test_a_job_without_channels_says_why() -> None:
    trace = FlowTrace("chained", 0.0, 1, (), ())

    assert render_trace(trace) == [
        "job chained: 0 channels",
        "  no channels: every operator ran chained inside its task, so no buffer crossed "
        "between tasks",
    ]


# --- the command ------------------------------------------------------------------------------


def write_trace(path: Path, *traces: FlowTrace) -> str:
    lines = []
    for trace in traces:
        header = {"format": "kolk-flow-trace", "version": 1, "job": trace.job}
        lines.append(json.dumps({**header, "start_ms": trace.start_ms}))
        lines += [json.dumps(to_json(item)) for item in (*trace.channels, *trace.records)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_kolk_flow_prints_every_job_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chained = FlowTrace("chained", 0.0, 1, (), ())
    path = write_trace(tmp_path / "flow.jsonl", TRACE, chained)

    assert main(["flow", path]) == 0

    out = capsys.readouterr().out
    assert out == "\n".join(render_trace(TRACE)) + "\n\n" + "\n".join(render_trace(chained)) + "\n"


def test_kolk_flow_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_trace(tmp_path / "flow.jsonl", TRACE)

    assert main(["flow", "--channel", "(2/2)", "--limit", "1", path]) == 0

    assert capsys.readouterr().out == (
        "\n".join(render_trace(TRACE, channel_filter="(2/2)", limit=1)) + "\n"
    )


@pytest.mark.parametrize(
    ("content", "argv", "error"),
    [
        (None, [], "kolk flow: can't read '{path}': No such file or directory\n"),
        ("{oops\n", [], "kolk flow: {path}, line 1: not JSON (Expecting property name"),
        ("", [], "kolk flow: '{path}' holds no trace (did the program run a job?)\n"),
        ("trace", ["--channel", "nowhere"], "kolk flow: no channel matches 'nowhere'\n"),
    ],
)
def test_kolk_flow_failures_exit_1_with_a_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    argv: list[str],
    error: str,
) -> None:
    path = tmp_path / "flow.jsonl"
    if content == "trace":
        write_trace(path, TRACE)
    elif content is not None:
        path.write_text(content)

    assert main(["flow", *argv, str(path)]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(error.format(path=path))


@pytest.mark.parametrize("argv", [["flow"], ["flow", "--limit", "-1", "f"], ["flow", "a", "b"]])
def test_kolk_flow_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: kolk flow" in capsys.readouterr().err


# --- kolk run --trace-flow -----------------------------------------------------------------


def test_trace_flow_comes_before_the_program() -> None:
    assert parse_command(["run", "--trace-flow", "f.jsonl", "-p", "2", "job.py", "x"]) == (
        ProgramCommand("local", "job.py", ("x",), 2, "f.jsonl")
    )
    assert parse_command(["run", "--trace-flow=f.jsonl", "job.py"]).trace_flow == "f.jsonl"
    # After the program it is the program's own argument, as every option but -p.
    assert parse_command(["run", "job.py", "--trace-flow", "f"]) == ProgramCommand(
        "local", "job.py", ("--trace-flow", "f"), None, None
    )


def test_plan_has_no_trace_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--trace-flow", "f.jsonl", "job.py"]) == 2
    assert "unrecognized arguments: --trace-flow" in capsys.readouterr().err


def test_an_unwritable_trace_file_is_reported_before_the_program_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "job.py"
    program.write_text("print('ran')\n")
    target = tmp_path / "missing" / "flow.jsonl"

    assert main(["run", "--trace-flow", str(target), str(program)]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"kolk: can't write the flow trace '{target}': ")
