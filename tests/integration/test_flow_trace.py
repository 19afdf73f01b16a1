"""Flow traces of whole jobs: exact timelines, the credit arithmetic they show, the CLI.

The exact timelines come from the seed program ``01_credit_based_flow_control.py`` (three
strings, ``map(upper)``, ``print()``) at parallelism 2: the source (parallelism 1) feeds the two
``Map -> Sink`` subtasks over a rebalance edge. It runs on the runtime directly (the seam
``JobMaster`` uses, as in ``test_flow_control.py``) with a seeded deployment, so rebalance starts
at a known channel, and a manual clock that the map function advances by 1 ms per record, so
the times are exact too.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kolk._cli.flow import render_trace
from kolk._cli.main import main
from kolk._cluster.deployment import build_deployment
from kolk._compat import uninstall_pyflink_alias
from kolk._graph.job_graph import create_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._runtime.network.trace import (
    BufferSent,
    CreditAnnounced,
    EventSent,
    FloatingBufferMoved,
    FlowTrace,
    FlowTracer,
    read_flow_traces,
)
from kolk._runtime.network.transport import LocalTransport
from kolk._runtime.tasks.executor import TaskExecutor
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import ProcessingTimeService
from kolk._runtime.time.clock import ManualClock
from kolk.common import Configuration
from kolk.datastream import StreamExecutionEnvironment

SEEDS = Path(__file__).parents[2] / "examples" / "seed"
JOB = "Credit-Based Flow Control Example"


@pytest.fixture(autouse=True)
def _no_alias_left_behind() -> Iterator[None]:
    yield
    uninstall_pyflink_alias()


def trace_job(
    build: Callable[[StreamExecutionEnvironment, ManualClock], None],
    env: StreamExecutionEnvironment,
    job_name: str = JOB,
) -> FlowTrace:
    """Runs the program ``build`` adds to ``env`` with a flow tracer; returns its trace."""
    clock = ManualClock()
    build(env, clock)
    graph = StreamGraphGenerator(env._operators_or_raise(), env._job_config(job_name)).generate()
    deployment = build_deployment(create_job_graph(graph), seed=7)
    timers = ProcessingTimeService(clock)
    tasks = [StreamTask(config, timers=timers) for config in deployment.tasks]
    out = io.StringIO()
    tracer = FlowTracer(out, job_name, tasks, clock.now_ms)
    TaskExecutor(tasks, deployment.connections, timers, LocalTransport(trace=tracer)).run()
    tracer.close()
    (trace,) = read_flow_traces(out.getvalue().splitlines())
    return trace


def seed_01(buffer_timeout: int) -> Callable[[StreamExecutionEnvironment, ManualClock], None]:
    """The seed program's pipeline, with the given buffer timeout."""

    def build(env: StreamExecutionEnvironment, clock: ManualClock) -> None:
        def upper(value: str) -> str:
            clock.advance(1)  # each record takes 1 ms of processing time
            return value.upper()

        env.set_buffer_timeout(buffer_timeout)
        env.from_collection(["event1", "event2", "event3"]).map(upper).print()

    return build


def make_env(parallelism: int, configuration: Configuration | None = None) -> Any:
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    return env


CHANNEL_1 = "channel Source: Collection Source (1/1) -> Map -> Sink: Print to Std. Out (1/2)"
CHANNEL_2 = "channel Source: Collection Source (1/1) -> Map -> Sink: Print to Std. Out (2/2)"


def test_timeout_0_each_record_is_a_buffer_sent_before_the_next_is_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    trace = trace_job(seed_01(0), make_env(2))

    assert capsys.readouterr().out == "2> EVENT1\n1> EVENT2\n2> EVENT3\n"
    assert (
        "\n".join(render_trace(trace))
        == f"""\
job {JOB}: 2 channels

{CHANNEL_1}
  t+0.000ms  credit +2 (initial: 2 exclusive buffers)            credit=2
  t+1.000ms  send #0  1 record  backlog 0  (flush always)        credit=1
  t+1.000ms  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+1.000ms  credit +1 (AddCredit)                               credit=2
  t+2.000ms  floating -1 (returned to the gate; holds 0)
  t+2.000ms  event #1  Watermark @ Long.MAX_VALUE (end of input)
  t+2.000ms  event #2  EndOfPartition
  summary: 1 buffer with 1 record (1 flush always); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 1 by AddCredit, never ran out; floating buffers: 1 borrowed
    from the gate's 8, 1 returned.

{CHANNEL_2}
  t+0.000ms  credit +2 (initial: 2 exclusive buffers)            credit=2
  t+0.000ms  send #0  1 record  backlog 0  (flush always)        credit=1
  t+0.000ms  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+0.000ms  credit +1 (AddCredit)                               credit=2
  t+1.000ms  floating -1 (returned to the gate; holds 0)
  t+2.000ms  send #1  1 record  backlog 0  (flush always)        credit=1
  t+2.000ms  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+2.000ms  credit +1 (AddCredit)                               credit=2
  t+2.000ms  event #2  Watermark @ Long.MAX_VALUE (end of input)
  t+2.000ms  event #3  EndOfPartition
  t+3.000ms  floating -1 (returned to the gate; holds 0)
  summary: 2 buffers with 2 records (2 flush always); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 2 by AddCredit, never ran out; floating buffers: 2 borrowed
    from the gate's 8, 2 returned."""
    )


def test_timeout_minus_1_one_buffer_per_channel_at_end_of_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    trace = trace_job(seed_01(-1), make_env(2))

    assert capsys.readouterr().out == "1> EVENT2\n2> EVENT1\n2> EVENT3\n"
    assert (
        "\n".join(render_trace(trace))
        == f"""\
job {JOB}: 2 channels

{CHANNEL_1}
  t+0.000ms  credit +2 (initial: 2 exclusive buffers)            credit=2
  t+0.000ms  send #0  1 record  backlog 0  (end of input)        credit=1
  t+0.000ms  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+0.000ms  credit +1 (AddCredit)                               credit=2
  t+0.000ms  event #1  Watermark @ Long.MAX_VALUE (end of input)
  t+0.000ms  event #2  EndOfPartition
  t+1.000ms  floating -1 (returned to the gate; holds 0)
  summary: 1 buffer with 1 record (1 end of input); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 1 by AddCredit, never ran out; floating buffers: 1 borrowed
    from the gate's 8, 1 returned.

{CHANNEL_2}
  t+0.000ms  credit +2 (initial: 2 exclusive buffers)            credit=2
  t+0.000ms  send #0  2 records  backlog 0  (end of input)       credit=1
  t+0.000ms  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+0.000ms  credit +1 (AddCredit)                               credit=2
  t+0.000ms  event #1  Watermark @ Long.MAX_VALUE (end of input)
  t+0.000ms  event #2  EndOfPartition
  t+3.000ms  floating -1 (returned to the gate; holds 0)
  summary: 1 buffer with 2 records (1 end of input); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 1 by AddCredit, never ran out; floating buffers: 1 borrowed
    from the gate's 8, 1 returned."""
    )


def test_under_back_pressure_the_trace_adds_up() -> None:
    """A producer far faster than its consumer: credit runs out, floating buffers run short.

    Replaying the trace channel by channel gives back the sender's credit at every step, the
    sequence numbers count every buffer and event, and every floating buffer is returned.
    """
    configuration = Configuration()
    configuration.set_string("taskmanager.memory.segment-size", "128b")  # 4 records a buffer

    def build(env: StreamExecutionEnvironment, clock: ManualClock) -> None:
        env.set_buffer_timeout(-1)
        env.from_collection(list(range(50))).flat_map(
            lambda x: [(x, i) for i in range(20)]
        ).set_parallelism(2).rebalance().map(lambda t: t).set_parallelism(1)

    trace = trace_job(build, make_env(1, configuration), "back-pressure")

    assert [c.name for c in trace.channels] == [
        "Source: Collection Source (1/1) -> FlatMap (1/2)",
        "Source: Collection Source (1/1) -> FlatMap (2/2)",
        "FlatMap (1/2) -> Map (1/1)",
        "FlatMap (2/2) -> Map (1/1)",
    ]
    assert [r.n for r in trace.records] == list(range(len(trace.records)))
    for channel in trace.channels:
        credit, seq, floating = 0, 0, 0
        for record in trace.records_of(channel.id):
            if isinstance(record, CreditAnnounced):
                assert record.initial == (seq == 0 and credit == 0)
                credit += record.delta
                assert record.credit == credit
            elif isinstance(record, BufferSent):
                assert credit > 0, "a data buffer is sent only against credit"
                credit -= 1
                assert (record.seq, record.credit) == (seq, credit)
                seq += 1
            elif isinstance(record, EventSent):
                assert (record.seq, record.credit) == (seq, credit)
                seq += 1
            elif isinstance(record, FloatingBufferMoved):
                floating += {"request": 1, "return": -1, "wait": 0}[record.action]
                assert record.floating == floating
                assert record.available is None or 0 <= record.available < channel.floating
        assert floating == 0, "every floating buffer went back to the gate"
    sends = [r for r in trace.records if isinstance(r, BufferSent)]
    assert sum(r.records for r in sends if r.channel < 2) == 50
    assert sum(r.records for r in sends if r.channel >= 2) == 50 * 20
    # Not vacuous: the senders had buffers queued and no credit, and a channel found the
    # gate's floating pool empty.
    assert any(r.credit == 0 and r.backlog > 0 for r in sends)
    assert any(isinstance(r, FloatingBufferMoved) and r.action == "wait" for r in trace.records)


# --- kolk run --trace-flow FILE, then kolk flow FILE -------------------------------------------


def without_times(text: str) -> str:
    """The timeline with its (wall-clock) time column replaced by ``t+T``."""
    return re.sub(r"t\+\d+\.\d{3}ms +", "t+T  ", text)


def test_kolk_run_trace_flow_then_kolk_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Word count keyed by the word: at p = 2, "hello" lands on subtask 2, "world" and "flink"
    # on subtask 1 (DESIGN.md §5), so the trace does not depend on chance.
    program = shutil.copy(SEEDS / "07a_word_count.py", tmp_path / "job.py")
    trace_file = tmp_path / "flow.jsonl"

    assert main(["run", "--trace-flow", str(trace_file), "-p", "2", str(program)]) == 0
    capsys.readouterr()
    assert main(["flow", str(trace_file)]) == 0

    assert (
        without_times(capsys.readouterr().out)
        == """\
job Word Count with Keyed State: 2 channels

channel Source: Collection Source (1/1) -> KEYED PROCESS (1/2)
  t+T  credit +2 (initial: 2 exclusive buffers)            credit=2
  t+T  send #0  3 records  backlog 0  (end of input)       credit=1
  t+T  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+T  credit +1 (AddCredit)                               credit=2
  t+T  event #1  Watermark @ Long.MAX_VALUE (end of input)
  t+T  event #2  EndOfPartition
  t+T  floating -1 (returned to the gate; holds 0)
  summary: 1 buffer with 3 records (1 end of input); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 1 by AddCredit, never ran out; floating buffers: 1 borrowed
    from the gate's 8, 1 returned.

channel Source: Collection Source (1/1) -> KEYED PROCESS (2/2)
  t+T  credit +2 (initial: 2 exclusive buffers)            credit=2
  t+T  send #0  3 records  backlog 0  (end of input)       credit=1
  t+T  floating +1 (wants backlog 0 + 2 free; gate has 7 left)
  t+T  credit +1 (AddCredit)                               credit=2
  t+T  event #1  Watermark @ Long.MAX_VALUE (end of input)
  t+T  event #2  EndOfPartition
  t+T  floating -1 (returned to the gate; holds 0)
  summary: 1 buffer with 3 records (1 end of input); 2 events (1 Watermark, 1 EndOfPartition), sent
    without credit; credit 2 initial + 1 by AddCredit, never ran out; floating buffers: 1 borrowed
    from the gate's 8, 1 returned.
"""
    )


TWO_JOBS = """\
from pyflink.datastream import StreamExecutionEnvironment

for name in ("first", "second"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.from_collection([1, 2, 3]).rebalance().map(lambda x: x).set_parallelism(2)
    env.execute(name)
"""


def test_every_job_of_the_program_is_traced_and_the_file_starts_afresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "job.py"
    program.write_text(TWO_JOBS)
    trace_file = tmp_path / "flow.jsonl"
    trace_file.write_text("left over from an earlier run\n")

    assert main(["run", "--trace-flow", str(trace_file), str(program)]) == 0

    traces = read_flow_traces(trace_file.read_text().splitlines())
    assert [(t.job, len(t.channels)) for t in traces] == [("first", 2), ("second", 2)]


def test_a_failed_job_leaves_the_trace_of_what_happened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "job.py"
    program.write_text(
        "from pyflink.datastream import StreamExecutionEnvironment\n"
        "env = StreamExecutionEnvironment.get_execution_environment()\n"
        "env.from_collection([1, 0]).rebalance().map(lambda x: 1 // x).set_parallelism(1)\n"
        "env.execute('fails')\n"
    )
    trace_file = tmp_path / "flow.jsonl"

    assert main(["run", "--trace-flow", str(trace_file), str(program)]) == 1

    (trace,) = read_flow_traces(trace_file.read_text().splitlines())
    assert trace.job == "fails"
    sends = [r for r in trace.records if isinstance(r, BufferSent)]
    assert [(r.records, r.reason) for r in sends] == [(2, "end-of-input")]
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_without_the_option_no_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEEDS / "01_credit_based_flow_control.py", tmp_path / "job.py")

    assert main(["run", "-p", "2", "job.py"]) == 0

    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.py"]
