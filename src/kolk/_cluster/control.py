"""Messages between a worker process and the JobMaster over the worker's control socket.

A message is ``(kind, payload)``, pickled, behind a 4-byte little-endian length. Workers send:

- ``("out", text)`` / ``("err", text)``: what the worker's code printed (the client prints it);
- ``("finished", WorkerResult)``: every subtask of the worker finished;
- ``("failed", WorkerFailure)``: a subtask failed, or the worker lost a peer.

The JobMaster sends nothing: it ends workers with signals, and a worker whose control socket
closes (the client died) exits.
"""

from __future__ import annotations

import io
import pickle
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kolk._runtime.metrics import TaskMetrics
from kolk.util.exceptions import RemoteTraceback

__all__ = [
    "ForwardedStream",
    "MessageReader",
    "WorkerFailure",
    "WorkerResult",
    "pickled_cause",
    "send_message",
]

_LENGTH = struct.Struct("<I")


@dataclass(frozen=True)
class WorkerResult:
    """What a worker hands back when its subtasks finished.

    Attributes:
        metrics: ``(task index, final metrics)`` of each of its subtasks.
        collected: ``(task index, operator index, records)`` per collect sink
            (``execute_and_collect``) that ran in the worker.
    """

    metrics: list[tuple[int, TaskMetrics]]
    collected: list[tuple[int, int, list[Any]]]


@dataclass(frozen=True)
class WorkerFailure:
    """Why a worker stopped.

    Attributes:
        task_name: the failing subtask, or None (the worker itself failed).
        message: the job's error message, formatted in the worker (where the traceback is).
        cause: the original exception, pickled, or None if it cannot be pickled.
        lost_peer: set when the worker only lost its connection to that worker: a consequence
            of the peer's failure, reported only if the peer's own failure does not arrive.
        traceback: the cause's traceback formatted in the worker, or "".
    """

    task_name: str | None
    message: str
    cause: bytes | None = None
    lost_peer: int | None = None
    traceback: str = ""

    def original_cause(self) -> BaseException | None:
        """The unpickled original exception, or None. Its traceback stayed in the worker: the
        text of it is chained as a :class:`~kolk.util.exceptions.RemoteTraceback`."""
        if self.cause is None:
            return None
        try:
            cause = pickle.loads(self.cause)
        except Exception:
            return None
        if not isinstance(cause, BaseException):
            return None
        if self.traceback:
            cause.__cause__ = RemoteTraceback(self.traceback)
        return cause


def pickled_cause(cause: BaseException) -> bytes | None:
    """The exception pickled for :class:`WorkerFailure`, or None if it cannot be."""
    try:
        return pickle.dumps(cause)
    except Exception:
        return None


def send_message(sock: socket.socket, kind: str, payload: Any) -> None:
    """Sends one message (blocking)."""
    data = pickle.dumps((kind, payload), protocol=5)
    sock.sendall(_LENGTH.pack(len(data)) + data)


class MessageReader:
    """Reassembles messages from the bytes read off a control socket."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[tuple[str, Any]]:
        """Adds bytes; returns the messages now complete, in order."""
        self._data += data
        messages = []
        offset = 0
        while len(self._data) - offset >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._data, offset)
            start = offset + _LENGTH.size
            if len(self._data) - start < length:
                break
            messages.append(pickle.loads(self._data[start : start + length]))
            offset = start + length
        del self._data[:offset]
        return messages


class ForwardedStream(io.TextIOBase):
    """A text stream that collects what is written and hands it on in chunks.

    A worker's ``sys.stdout`` and ``sys.stderr``: the client prints the chunks, so output
    reaches wherever the client's streams go (a terminal, a pipe, pytest's capture).

    Args:
        send: called with each chunk of text.
        limit: characters collected before a chunk is sent without waiting for :meth:`flush`.
        max_delay: seconds after which text written is sent with the next write, so that a
            busy worker's output still shows up promptly (the worker also flushes whenever it
            waits, and at its end).
    """

    def __init__(
        self, send: Callable[[str], None], limit: int = 8192, max_delay: float = 0.1
    ) -> None:
        super().__init__()
        self._send = send
        self._limit = limit
        self._max_delay = max_delay
        self._parts: list[str] = []
        self._size = 0
        self._first_write = 0.0

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        now = time.monotonic()
        if not self._parts:
            self._first_write = now
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self._limit or now - self._first_write >= self._max_delay:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            self._size = 0
            self._send(text)
