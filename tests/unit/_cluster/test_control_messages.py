"""The worker ↔ JobMaster control channel: message framing, forwarded output, failures."""

from __future__ import annotations

import os
import pickle
import signal
import socket

import pytest

from kolk._cluster.control import (
    ForwardedStream,
    MessageReader,
    WorkerFailure,
    pickled_cause,
    send_message,
)
from kolk._cluster.deployment import Deployment
from kolk._cluster.local_cluster import _end_workers, _Supervisor, _Worker, place_subtasks
from kolk._runtime.tasks.deployment import OperatorConfig, TaskConfig
from kolk.util.exceptions import JobExecutionException, RemoteTraceback


def test_messages_are_reassembled_from_any_split() -> None:
    a, b = socket.socketpair()
    with a, b:
        send_message(a, "out", "hello\n")
        send_message(a, "finished", {"metrics": [1, 2, 3]})
        data = b.recv(1 << 16)
    reader = MessageReader()
    messages = []
    for i in range(len(data)):  # one byte at a time
        messages += reader.feed(data[i : i + 1])
    assert messages == [("out", "hello\n"), ("finished", {"metrics": [1, 2, 3]})]


def test_forwarded_output_is_sent_in_chunks_on_flush_or_when_large() -> None:
    sent: list[str] = []
    stream = ForwardedStream(sent.append, limit=10, max_delay=3600)
    print("abc", file=stream)
    assert sent == []
    stream.flush()
    assert sent == ["abc\n"]
    stream.write("0123456789xyz")
    assert sent == ["abc\n", "0123456789xyz"]
    stream.flush()
    assert sent == ["abc\n", "0123456789xyz"]


def test_forwarded_output_written_long_ago_goes_with_the_next_write() -> None:
    sent: list[str] = []
    stream = ForwardedStream(sent.append, limit=1000, max_delay=0)
    stream.write("a")
    assert sent == ["a"]


def test_a_failure_brings_back_the_user_exception_with_its_traceback_text() -> None:
    failure = WorkerFailure(
        "Map (2/2)",
        "Job 'j' failed: ...",
        pickled_cause(ZeroDivisionError("division by zero")),
        traceback='File "job.py", line 3, in f\nZeroDivisionError: division by zero',
    )
    cause = pickle.loads(pickle.dumps(failure)).original_cause()
    assert isinstance(cause, ZeroDivisionError)
    assert isinstance(cause.__cause__, RemoteTraceback)
    assert 'File "job.py", line 3' in str(cause.__cause__)


def test_an_exception_that_cannot_be_pickled_travels_as_its_message_only() -> None:
    class Local(Exception):  # a local class cannot be pickled
        pass

    assert pickled_cause(Local("x")) is None
    assert WorkerFailure("t", "message").original_cause() is None


def _task(vertex: str, subtask: int, parallelism: int) -> TaskConfig:
    op = OperatorConfig(index=0, name=vertex, factory=None)  # type: ignore[arg-type]
    return TaskConfig("job", vertex, subtask, parallelism, 128, (op,))


def test_placement_puts_slot_i_of_every_vertex_in_process_i_mod_processes() -> None:
    tasks = [_task("Source", 0, 1)] + [_task("Map", i, 4) for i in range(4)]
    assert place_subtasks(tasks, 2) == [0, 0, 1, 0, 1]
    assert place_subtasks(tasks, 3) == [0, 0, 1, 2, 0]


def _killed_child() -> int:
    """A child process that died of SIGKILL (not yet reaped)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.kill(os.getpid(), signal.SIGKILL)
    return pid


def test_the_root_cause_wins_over_a_lost_peer() -> None:
    # Worker 1 only lost its connection to worker 2; worker 2 was killed: the job's error
    # names worker 2's death, not worker 1's consequence.
    tasks = [_task("Map", 0, 3), _task("Map", 1, 3), _task("Map", 2, 3)]
    deployment = Deployment(tuple(tasks), ())
    ends = [socket.socketpair() for _ in range(2)]
    lost = WorkerFailure(None, "Job 'j' failed: worker process 1 lost a peer", lost_peer=2)
    send_message(ends[0][1], "failed", lost)
    ends[1][1].close()  # worker 2's control socket closes without a report
    workers = [_Worker(1, _killed_child(), ends[0][0]), _Worker(2, _killed_child(), ends[1][0])]
    supervisor = _Supervisor(workers, deployment, [0, 1, 2], "j")
    try:
        with pytest.raises(JobExecutionException) as info:
            supervisor.results()
    finally:
        _end_workers(workers)
        ends[0][1].close()
    message = str(info.value)
    assert "worker process 2 (pid " in message
    assert "died (killed by signal SIGKILL) while running subtasks Map (3/3)." in message
