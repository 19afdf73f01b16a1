"""The worker ↔ JobMaster control channel: message framing, forwarded output, failures."""

from __future__ import annotations

import pickle
import socket

from kolk._cluster.control import (
    ForwardedStream,
    MessageReader,
    WorkerFailure,
    pickled_cause,
    send_message,
)
from kolk._cluster.local_cluster import place_subtasks
from kolk._runtime.tasks.deployment import OperatorConfig, TaskConfig
from kolk.util.exceptions import RemoteTraceback


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
