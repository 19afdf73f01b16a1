"""A TaskManager worker process: runs the subtasks placed on it and reports to the JobMaster.

The JobMaster forks the workers after building the deployment, so each worker already holds
the job (user functions included) and start-up costs milliseconds; or it spawns them and
ships the job (:mod:`kolk._cluster.spawn`). (The client process itself runs the tasks of
slot group 0 with :func:`deploy_tasks`, like a worker that never forked.)
A worker builds only its own tasks; channels between two of its tasks stay in memory,
channels to tasks in other workers go over the socket to that worker
(:mod:`kolk._runtime.network.remote`). Its output streams are forwarded to the client, and
it ends with one ``finished`` or ``failed`` message (:mod:`kolk._cluster.control`).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from kolk._cluster.control import (
    ForwardedStream,
    WorkerFailure,
    WorkerResult,
    pickled_cause,
    send_message,
)
from kolk._cluster.deployment import Deployment
from kolk._cluster.failures import format_user_traceback, job_failure, user_cause
from kolk._runtime.network.consumer import DEFAULT_INITIAL_CREDIT
from kolk._runtime.network.remote import NetworkTransport, PeerLost, RemoteChannel
from kolk._runtime.network.serialization import BufferCodec
from kolk._runtime.operators.collect import CollectSinkOperatorFactory
from kolk._runtime.tasks.deployment import TaskConfig
from kolk._runtime.tasks.executor import TaskExecutor, TaskFailure
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import ProcessingTimeService

__all__ = ["deploy_tasks", "run_task_manager"]


def run_task_manager(
    index: int,
    deployment: Deployment,
    placement: Sequence[int],
    control: socket.socket,
    peers: Mapping[int, socket.socket],
) -> int:
    """Runs worker ``index`` of the job to its end; returns the process's exit code.

    Args:
        index: this worker.
        deployment: the whole job (in a spawned worker, the other workers' tasks come without
            their operators).
        placement: the worker of each task (indices into ``deployment.tasks``).
        control: the socket to the JobMaster.
        peers: a connected socket to every other worker, by worker index.
    """
    # Ctrl-C reaches the whole process group: the client handles it and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    job_name = deployment.tasks[0].job_name if deployment.tasks else ""
    out = ForwardedStream(lambda text: send_message(control, "out", text))
    err = ForwardedStream(lambda text: send_message(control, "err", text))
    sys.stdout, sys.stderr = out, err
    try:
        result = _run(index, deployment, placement, control, peers, out, err)
    except TaskFailure as failure:
        exception = job_failure(job_name, failure.task_name, failure.cause)
        cause = user_cause(failure.cause)
        report = WorkerFailure(
            failure.task_name,
            str(exception),
            pickled_cause(cause),
            traceback=format_user_traceback(cause),
        )
    except PeerLost as lost:
        message = f"Job '{job_name}' failed: worker process {index} {lost}"
        report = WorkerFailure(None, message, lost_peer=lost.peer)
    except BaseException as exc:
        details = "".join(traceback.format_exception(exc)).rstrip("\n")
        message = (
            f"Job '{job_name}' failed: worker process {index} raised an internal error of "
            f"kolk (please report it): {type(exc).__name__}: {exc}\n{details}"
        )
        report = WorkerFailure(None, message, pickled_cause(exc))
    else:
        _flush(out, err)
        try:
            send_message(control, "finished", result)
        except Exception as exc:  # a collected record that cannot be pickled
            send_message(control, "failed", _unsendable_results(job_name, exc))
            return 1
        return 0
    _flush(out, err)
    send_message(control, "failed", report)
    return 1


def _run(
    index: int,
    deployment: Deployment,
    placement: Sequence[int],
    control: socket.socket,
    peers: Mapping[int, socket.socket],
    out: ForwardedStream,
    err: ForwardedStream,
) -> WorkerResult:
    mine, executor, transport = deploy_tasks(index, deployment, placement, peers)
    transport.watch(control, lambda: _exit_if_client_gone(control))
    transport.before_wait = lambda: _flush(out, err)
    executor.run()
    transport.shut_down()
    transport.drain()
    return WorkerResult(
        list(zip(mine, executor.task_metrics(), strict=True)),
        _collected(deployment, mine),
    )


def deploy_tasks(
    index: int,
    deployment: Deployment,
    placement: Sequence[int],
    peers: Mapping[int, socket.socket],
) -> tuple[list[int], TaskExecutor, NetworkTransport]:
    """Builds the tasks placed on process ``index`` and wires their channels: in memory to
    tasks of the same process, over the peer sockets to the others.

    Returns:
        the indices of the tasks built (into ``deployment.tasks``), an executor that runs
        them, and its transport.
    """
    timers = ProcessingTimeService()
    mine = [i for i, worker in enumerate(placement) if worker == index]
    tasks = {i: StreamTask(deployment.tasks[i], timers=timers) for i in mine}
    transport = NetworkTransport()
    for peer, sock in peers.items():
        transport.add_connection(peer, sock)
    for channel_id, c in enumerate(deployment.connections):
        producer_worker, consumer_worker = placement[c.producer], placement[c.consumer]
        if index not in (producer_worker, consumer_worker):
            continue
        producer_config = deployment.tasks[c.producer]
        output = producer_config.outputs[c.output]
        if producer_worker == consumer_worker:
            producer = tasks[c.producer].partitions[c.output].subpartitions[c.subpartition]
            transport.connect(producer, tasks[c.consumer].gates[c.input].channels[c.channel])
            continue
        codec = BufferCodec(output.type_info, _writers_of(producer_config, c.output), output.name)
        if producer_worker == index:
            task = tasks[c.producer]
            partition = task.partitions[c.output]
            remote = RemoteChannel(
                channel_id,
                transport.connections[consumer_worker],
                codec,
                DEFAULT_INITIAL_CREDIT,
                task.name,
                partition.count_bytes_out,
            )
            transport.connect_sender(partition.subpartitions[c.subpartition], channel_id, remote)
        else:
            channel = tasks[c.consumer].gates[c.input].channels[c.channel]
            transport.connect_receiver(channel, channel_id, producer_worker, codec)
    executor = TaskExecutor([tasks[i] for i in mine], (), timers, transport)
    return mine, executor, transport


def _collected(deployment: Deployment, mine: list[int]) -> list[tuple[int, int, list[Any]]]:
    """What this worker's collect sinks gathered, once per sink: ``(task index, operator
    index, records)``, where the indices find the same sink in the client's deployment."""
    seen: set[int] = set()
    collected = []
    for task_index in mine:
        for op in deployment.tasks[task_index].operators:
            factory = op.factory
            if isinstance(factory, CollectSinkOperatorFactory) and id(factory) not in seen:
                seen.add(id(factory))
                collected.append((task_index, op.index, factory.results))
    return collected


def _unsendable_results(job_name: str, error: Exception) -> WorkerFailure:
    return WorkerFailure(
        None,
        f"Job '{job_name}' failed: the records collected by execute_and_collect() could not "
        f"be sent back from the worker process: {type(error).__name__}: {error}. Collect "
        f"picklable values, or run with --processes 1 (kolk.processes: 1).",
    )


def _writers_of(config: TaskConfig, output: int) -> str:
    """The names of the chain's operators that write to network output ``output``."""
    writers = [op.name for op in config.operators if output in op.network_outputs]
    side_writers = [
        op.name
        for op in config.operators
        if output in {index for _, index in op.side_network_outputs}
    ]
    return ", ".join(writers + side_writers) or config.vertex_name


def _flush(out: ForwardedStream, err: ForwardedStream) -> None:
    out.flush()
    err.flush()


def _exit_if_client_gone(control: socket.socket) -> None:
    """The JobMaster sends nothing: a readable control socket means the client went away."""
    try:
        data = control.recv(1, socket.MSG_PEEK)
    except OSError as exc:
        data = b""
        os.write(2, f"kolk worker {os.getpid()}: control socket error {exc!r}\n".encode())
    if not data:
        os.write(2, f"kolk worker {os.getpid()}: the client went away, exiting\n".encode())
        os._exit(1)
