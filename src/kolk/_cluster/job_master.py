"""The JobMaster: turns a program into tasks, places them, runs them, reports the outcome.

Placement is one seam (:func:`_run_tasks`): a job with parallelism > 1 runs in TaskManager
worker processes (:mod:`kolk._cluster.local_cluster`), one per core unless told otherwise; a
parallelism-1 job, or any job with one process, runs in the client process on one
:class:`~kolk._runtime.tasks.executor.TaskExecutor` (the setting to use under a debugger).
Either way the seam returns every subtask's final metrics (frozen records in deployment
order); the result carries them, and their per-vertex aggregates, back.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from kolk._cluster.client_options import (
    get_client_options,
    processes_option,
    start_method_option,
)
from kolk._cluster.deployment import Deployment, build_deployment
from kolk._cluster.failures import job_failure, user_cause
from kolk._cluster.local_cluster import fork_available, run_in_worker_processes
from kolk._graph.config import JobConfig
from kolk._graph.job_graph import JobGraph, create_job_graph
from kolk._graph.plan import describe_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._graph.transformations import Transformation
from kolk._runtime.metrics import TaskMetrics, vertex_metrics
from kolk._runtime.network.trace import FlowTracer
from kolk._runtime.network.transport import LocalTransport
from kolk._runtime.tasks.executor import TaskExecutor, TaskFailure
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import ProcessingTimeService
from kolk.common.job_execution_result import JobExecutionResult
from kolk.common.job_id import JobID

__all__ = ["JobMaster"]


class JobMaster:
    """Runs one job to completion.

    Args:
        transformations: the program.
        config: the job's settings.
    """

    def __init__(self, transformations: list[Transformation], config: JobConfig) -> None:
        self.config = config
        self.job_id = JobID._generate()
        stream_graph = StreamGraphGenerator(transformations, config).generate()
        self.job_graph: JobGraph = create_job_graph(stream_graph)

    def run(self) -> JobExecutionResult:
        """Deploys and runs the job; returns its result or raises JobExecutionException."""
        if get_client_options().target == "plan":
            sys.stdout.write(describe_job_graph(self.job_graph, self.config) + "\n")
            return JobExecutionResult(self.job_id, 0, {})
        started = time.perf_counter()
        deployment = build_deployment(self.job_graph)
        metrics = _run_tasks(deployment, self.config)
        net_runtime = int((time.perf_counter() - started) * 1000)
        result = JobExecutionResult(
            self.job_id,
            net_runtime,
            {},
            task_metrics=metrics,
            vertex_metrics=vertex_metrics(metrics),
        )
        listener = get_client_options().job_listener
        if listener is not None:
            listener(self.config.job_name, result)
        return result


def _run_tasks(deployment: Deployment, config: JobConfig) -> list[TaskMetrics]:
    """Runs every subtask, in worker processes or in this one; returns their final metrics in
    deployment order."""
    start_method = _start_method(config)
    workers = _number_of_workers(deployment, config) if start_method is not None else 1
    if workers > 1:
        assert start_method is not None
        return run_in_worker_processes(deployment, config.job_name, workers, start_method)
    return _run_in_process(deployment, config)


def _start_method(config: JobConfig) -> str | None:
    """How workers start: ``kolk.start-method``, else fork where the platform has it and the
    client runs no other thread (a fork copies locks other threads may hold: a Jupyter
    kernel, a program with threads), else spawn on POSIX; None where neither works (the job
    runs in this process)."""
    method = start_method_option(config.configuration)
    if method is None:
        method = "fork" if fork_available() and threading.active_count() == 1 else "spawn"
    if method == "fork" and not fork_available():
        method = "spawn"
    return method if method == "fork" or os.name == "posix" else None


def _number_of_workers(deployment: Deployment, config: JobConfig) -> int:
    """Worker processes for this job: the ``--processes`` option, else ``kolk.processes``, else
    one per core; never more than the job has slots (its largest parallelism). 1 runs the job
    in this process, as does a flow trace (one timeline needs one process)."""
    options = get_client_options()
    if options.trace_flow is not None:
        return 1
    slots = max((task.parallelism for task in deployment.tasks), default=1)
    requested = options.processes
    if requested is None:
        requested = processes_option(config.configuration)
    return max(1, min(requested if requested is not None else os.cpu_count() or 1, slots))


def _run_in_process(deployment: Deployment, config: JobConfig) -> list[TaskMetrics]:
    timers = ProcessingTimeService()
    tasks = [StreamTask(task_config, timers=timers) for task_config in deployment.tasks]
    trace_path = get_client_options().trace_flow
    tracer = (
        None
        if trace_path is None
        else FlowTracer.open(trace_path, config.job_name, tasks, timers.clock.now_ms)
    )
    transport = None if tracer is None else LocalTransport(trace=tracer)
    executor = TaskExecutor(tasks, deployment.connections, timers, transport)
    try:
        executor.run()
    except TaskFailure as failure:
        raise job_failure(config.job_name, failure.task_name, failure.cause) from user_cause(
            failure.cause
        )
    finally:
        sys.stdout.flush()
        if tracer is not None:
            tracer.close()
    return executor.task_metrics()
