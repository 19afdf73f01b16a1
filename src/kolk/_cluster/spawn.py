"""Starting a worker as a fresh interpreter, the job shipped with cloudpickle ("spawn").

Where ``fork`` is not available, or when the client asks for it (``kolk.start-method:
spawn``), a worker is a new ``python -m kolk._cluster.spawn`` process: it shares no memory
with the client (no pages copied on write, no locks inherited from the client's other
threads), at the price of an interpreter start (about 0.1 to 0.2 s) and of shipping the job.

The job travels on the worker's standard input: first the client's ``sys.path`` and working
directory (JSON), then one cloudpickle payload. Functions defined in the program
(``__main__``) travel by value, functions of importable modules by reference (the worker
imports them from the same path while it unpickles the job). Only the
worker's own tasks travel whole; the other tasks travel without their operators (a worker
needs their outputs' types and names only), so a ``from_collection`` list that runs in the
client is not copied. The sockets are inherited file descriptors (``pass_fds``).

POSIX only for now: Windows would hand the sockets over with ``socket.share``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import struct
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import cloudpickle  # type: ignore[import-untyped]

from kolk._cluster.deployment import Deployment
from kolk.util.exceptions import JobExecutionException

__all__ = ["JobShippingError", "main", "spawn_worker"]

_LENGTH = struct.Struct("<Q")


class JobShippingError(JobExecutionException):
    """The job could not be pickled to start a worker process with it (the job fails before
    any of its tasks ran)."""


@dataclasses.dataclass(frozen=True)
class _WorkerJob:
    index: int
    deployment: Deployment
    placement: tuple[int, ...]
    control_fd: int
    peer_fds: dict[int, int]


def spawn_worker(
    index: int,
    deployment: Deployment,
    placement: Sequence[int],
    control: socket.socket,
    peers: Mapping[int, socket.socket],
) -> subprocess.Popen[bytes]:
    """Starts worker ``index`` as a new interpreter and sends it its part of the job.

    Raises:
        JobShippingError: a function or value of the job cannot be pickled.
    """
    job = _WorkerJob(
        index,
        _for_worker(deployment, placement, index),
        tuple(placement),
        control.fileno(),
        {peer: sock.fileno() for peer, sock in peers.items()},
    )
    try:
        payload = cloudpickle.dumps(job, protocol=5)
    except Exception as exc:
        job_name = deployment.tasks[0].job_name if deployment.tasks else ""
        raise JobShippingError(
            f"Job '{job_name}' failed: the job could not be shipped to worker process {index}: "
            f"{type(exc).__name__}: {exc}. With kolk.start-method 'spawn' every function of "
            f"the job, and what it refers to, must be picklable by cloudpickle; or run with "
            f"--processes 1.",
            job_name=job_name,
        ) from exc
    fds = (control.fileno(), *(sock.fileno() for sock in peers.values()))
    process = subprocess.Popen(
        [sys.executable, "-m", "kolk._cluster.spawn"], stdin=subprocess.PIPE, pass_fds=fds
    )
    assert process.stdin is not None
    # Where to import from first (the job's modules are imported while it is unpickled).
    where = json.dumps({"sys_path": sys.path, "cwd": os.getcwd()}).encode()
    process.stdin.write(_LENGTH.pack(len(where)) + where + _LENGTH.pack(len(payload)) + payload)
    process.stdin.close()
    return process


def _for_worker(deployment: Deployment, placement: Sequence[int], index: int) -> Deployment:
    """The deployment with the other workers' tasks stripped of their operators' code."""
    tasks = tuple(
        task
        if where == index
        else dataclasses.replace(
            task,
            operators=tuple(
                dataclasses.replace(op, factory=None)  # type: ignore[arg-type]
                for op in task.operators
            ),
        )
        for task, where in zip(deployment.tasks, placement, strict=True)
    )
    return Deployment(tasks, deployment.connections)


def main() -> int:
    """The spawned worker: reads its job from standard input, runs it, exits."""
    from kolk._cluster.task_manager import run_task_manager

    stream = sys.stdin.buffer
    (length,) = _LENGTH.unpack(stream.read(_LENGTH.size))
    where = json.loads(stream.read(length))
    sys.path[:] = where["sys_path"]
    os.chdir(where["cwd"])
    (length,) = _LENGTH.unpack(stream.read(_LENGTH.size))
    job: Any = cloudpickle.loads(stream.read(length))
    control = socket.socket(fileno=job.control_fd)
    peers = {peer: socket.socket(fileno=fd) for peer, fd in job.peer_fds.items()}
    return run_task_manager(job.index, job.deployment, job.placement, control, peers)


if __name__ == "__main__":  # pragma: no cover - runs in the spawned worker
    sys.exit(main())
