"""The local cluster: TaskManager worker processes forked by the JobMaster (the client).

Placement follows Flink's slot sharing: subtask *i* of every vertex goes to slot *i*, and slot
*i* lives in worker ``i % workers``, so a forward chain of equal parallelism never leaves its
process and the work of a parallel job spreads over the workers.

The JobMaster forks the workers once the deployment is built (each holds the job, user
functions included, without shipping anything), connects every pair of processes with one
socket (all their channels share it) and each worker to itself with a control socket. The
client process is worker 0: it runs the tasks of slot group 0 (the data a program built in
the client, such as ``from_collection``'s list, is read where it lives instead of being copied
page by page into a child) while listening to the others: it prints what they print,
collects their final metrics and collected records, and ends the job at the first failure.
A worker that dies (killed, crashed) closes its control socket without a final message: the
job fails naming the worker and the subtasks it held, and the other workers are killed —
never a hang.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from functools import partial
from typing import Any

from kolk._cluster.control import MessageReader, WorkerFailure, WorkerResult
from kolk._cluster.deployment import Deployment
from kolk._cluster.failures import job_failure, user_cause
from kolk._cluster.spawn import spawn_worker
from kolk._cluster.task_manager import deploy_tasks, run_task_manager
from kolk._runtime.metrics import TaskMetrics
from kolk._runtime.network.remote import NetworkTransport, PeerLost
from kolk._runtime.tasks.deployment import TaskConfig
from kolk._runtime.tasks.executor import TaskFailure
from kolk.util.exceptions import JobExecutionException

__all__ = ["fork_available", "place_subtasks", "run_in_worker_processes"]

#: How long the JobMaster waits for the root cause after a worker reported only that it lost
#: a peer (the peer's own failure or death normally arrives within milliseconds).
_ROOT_CAUSE_GRACE_S = 2.0


def fork_available() -> bool:
    """True where worker processes can be forked (not on Windows)."""
    return hasattr(os, "fork")


def place_subtasks(tasks: Sequence[TaskConfig], workers: int) -> list[int]:
    """The worker of each task: slot ``subtask_index`` in worker ``subtask_index % workers``."""
    return [task.subtask_index % workers for task in tasks]


class _Worker:
    def __init__(
        self,
        index: int,
        pid: int,
        control: socket.socket,
        process: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.index = index
        self.pid = pid
        self.control = control
        #: The Popen of a spawned worker (told its exit status once reaped), None if forked.
        self.process = process
        self.reader = MessageReader()
        self.done = False
        #: True once its exit status was collected (never wait for the pid again).
        self.reaped = False
        self.result: WorkerResult | None = None


def run_in_worker_processes(
    deployment: Deployment, job_name: str, workers: int, start_method: str = "fork"
) -> list[TaskMetrics]:
    """Runs the job over ``workers`` processes: this one runs the tasks of worker 0 (so the
    data a program built in this process, e.g. ``from_collection``'s list, is read where it
    lives) and ``workers - 1`` worker processes run the rest, forked (``"fork"``) or started
    as new interpreters with the job shipped by cloudpickle (``"spawn"``,
    :mod:`kolk._cluster.spawn`). Returns every subtask's final metrics in deployment order;
    raises JobExecutionException for the first failure."""
    placement = place_subtasks(deployment.tasks, workers)
    peer_sockets = {
        (a, b): socket.socketpair() for a in range(workers) for b in range(a + 1, workers)
    }
    control_sockets = {index: socket.socketpair() for index in range(1, workers)}
    sys.stdout.flush()
    sys.stderr.flush()
    started: list[_Worker] = []
    try:
        for index in range(1, workers):
            if start_method == "spawn":
                own_peers = {
                    (b if a == index else a): (end_a if a == index else end_b)
                    for (a, b), (end_a, end_b) in peer_sockets.items()
                    if index in (a, b)
                }
                process = spawn_worker(
                    index, deployment, placement, control_sockets[index][1], own_peers
                )
                started.append(_Worker(index, process.pid, control_sockets[index][0], process))
                continue
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child, which never returns
                _child(index, deployment, placement, control_sockets, peer_sockets)
            started.append(_Worker(index, pid, control_sockets[index][0]))
        for _, child_end in control_sockets.values():
            child_end.close()
        peers = {}
        for (a, b), (end_a, end_b) in peer_sockets.items():
            end_b.close()
            if a == 0:
                peers[b] = end_a
            else:
                end_a.close()
        supervisor = _Supervisor(started, deployment, placement, job_name)
        local, transport = _run_local(deployment, placement, peers, supervisor, job_name)
        remote = supervisor.results()
        # Every worker reported and drained its side: nothing is left to lose.
        transport.drain(timeout=0)
        metrics = dict(local)
        for result in remote:
            metrics.update(result.metrics)
            for task_index, operator_index, records in result.collected:
                factory = deployment.tasks[task_index].operators[operator_index].factory
                factory.results.extend(records)  # type: ignore[attr-defined]
        return [metrics[i] for i in range(len(deployment.tasks))]
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        _end_workers(started)
        for pair in (*peer_sockets.values(), *control_sockets.values()):
            for sock in pair:
                sock.close()  # a no-op for the ones closed already


def _run_local(
    deployment: Deployment,
    placement: list[int],
    peers: dict[int, socket.socket],
    supervisor: _Supervisor,
    job_name: str,
) -> tuple[list[tuple[int, TaskMetrics]], NetworkTransport]:
    """Runs worker 0's tasks in this process while listening to the other workers; returns
    their metrics and the transport (its side shut down, still open for late credit)."""
    mine, executor, transport = deploy_tasks(0, deployment, placement, peers)
    for worker in supervisor.workers:
        transport.watch(worker.control, partial(supervisor.on_readable, worker), while_busy=True)
    try:
        executor.run()
        transport.shut_down()
    except TaskFailure as failure:
        raise job_failure(job_name, failure.task_name, failure.cause) from user_cause(failure.cause)
    except PeerLost as lost:
        # The peer's own report (its failure, or its death) says why: wait for it.
        supervisor.wait_for_root_cause(
            WorkerFailure(None, f"Job '{job_name}' failed: the client {lost}", lost_peer=lost.peer)
        )
    local = list(zip(mine, executor.task_metrics(), strict=True))
    return local, transport


def _child(
    index: int,
    deployment: Deployment,
    placement: list[int],
    control_sockets: dict[int, tuple[socket.socket, socket.socket]],
    peer_sockets: dict[tuple[int, int], tuple[socket.socket, socket.socket]],
) -> None:
    """The forked worker: keeps its own socket ends, runs, and exits without returning."""
    code = 1
    try:
        for worker, (parent_end, child_end) in control_sockets.items():
            parent_end.close()
            if worker != index:
                child_end.close()
        peers = {}
        for (a, b), (end_a, end_b) in peer_sockets.items():
            if a == index:
                peers[b] = end_a
                end_b.close()
            elif b == index:
                peers[a] = end_b
                end_a.close()
            else:
                end_a.close()
                end_b.close()
        code = run_task_manager(index, deployment, placement, control_sockets[index][1], peers)
    except BaseException:
        # Nothing could be reported to the client: say why where it can still be seen.
        details = traceback.format_exc()
        os.write(2, f"kolk worker process {index} failed before reporting:\n{details}".encode())
    finally:
        os._exit(code)


class _Supervisor:
    """The JobMaster's side of the control sockets: output, final reports, failures."""

    def __init__(
        self, workers: list[_Worker], deployment: Deployment, placement: list[int], job_name: str
    ) -> None:
        self.workers = workers
        self._deployment = deployment
        self._placement = placement
        self._job_name = job_name
        self._secondary: WorkerFailure | None = None

    def on_readable(self, worker: _Worker) -> None:
        """Reads what the worker sent; raises JobExecutionException if it failed or died."""
        data = worker.control.recv(1 << 16)
        if not data:
            worker.done = True
            if worker.result is None:
                raise _died(worker, self._deployment, self._placement, self._job_name)
            return
        for kind, payload in worker.reader.feed(data):
            if kind == "out":
                sys.stdout.write(payload)
            elif kind == "err":
                sys.stderr.write(payload)
            elif kind == "finished":
                worker.result = payload
            elif kind == "failed":
                if payload.lost_peer is None:
                    raise _failure(payload, self._job_name)
                if self._secondary is None:
                    self._secondary = payload

    def results(self) -> list[WorkerResult]:
        """Waits for every worker's final report; raises for the first failure."""
        deadline: float | None = None
        while not all(w.done for w in self.workers):
            if self._secondary is not None and deadline is None:
                deadline = time.monotonic() + _ROOT_CAUSE_GRACE_S
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            listening = [w.control for w in self.workers if not w.done]
            readable, _, _ = select.select(listening, [], [], timeout)
            if not readable:
                break  # the grace period for a root cause ran out
            for worker in self.workers:
                if worker.control in readable:
                    self.on_readable(worker)
            sys.stdout.flush()
        if self._secondary is not None:
            raise _failure(self._secondary, self._job_name)
        return [w.result for w in self.workers if w.result is not None]

    def wait_for_root_cause(self, failure: WorkerFailure) -> None:
        """Raises the failure that caused ``failure`` (a lost peer), or ``failure`` itself if
        none arrives within the grace period."""
        if self._secondary is None:
            self._secondary = failure
        self.results()
        raise _failure(failure, self._job_name)


def _failure(report: WorkerFailure, job_name: str) -> JobExecutionException:
    error = JobExecutionException(report.message, job_name=job_name, task_name=report.task_name)
    error.__cause__ = report.original_cause()
    return error


def _died(
    worker: _Worker, deployment: Deployment, placement: list[int], job_name: str
) -> JobExecutionException:
    subtasks = [
        task.task_name_with_subtasks
        for task, where in zip(deployment.tasks, placement, strict=True)
        if where == worker.index
    ]
    how = _exit_description(worker)
    return JobExecutionException(
        f"Job '{job_name}' failed: worker process {worker.index} (pid {worker.pid}) {how} "
        f"while running subtasks {', '.join(subtasks)}. The other workers were stopped; "
        f"nothing of this run was kept.",
        job_name=job_name,
        task_name=subtasks[0] if subtasks else None,
    )


def _exit_description(worker: _Worker) -> str:
    """How the worker ended, e.g. ``died (killed by signal SIGKILL)``."""
    status = _reap(worker)
    if status is None:
        return "closed its connection to the JobMaster"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"died (killed by signal {name})"
    return f"exited with code {os.WEXITSTATUS(status)} without reporting"


def _reap(worker: _Worker) -> Any:
    """Waits (up to 5 s) for the worker's exit status; None if not available."""
    if worker.reaped:
        return None
    pid = worker.pid
    deadline = time.monotonic() + 5.0
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            worker.reaped = True
            return None
        if done:
            worker.reaped = True
            if worker.process is not None:
                worker.process.returncode = os.waitstatus_to_exitcode(status)
            return status
        if time.monotonic() > deadline:
            return None
        time.sleep(0.001)


def _end_workers(workers: list[_Worker]) -> None:
    """Kills the workers still running and reaps every one (no zombies left behind)."""
    for worker in workers:
        if not worker.reaped and not worker.done:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for worker in workers:
        _reap(worker)
        worker.control.close()
