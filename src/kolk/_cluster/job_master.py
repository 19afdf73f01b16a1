"""The JobMaster: turns a program into tasks, places them, runs them, reports the outcome.

Placement is one seam (:func:`_run_tasks`): today every subtask runs in the client process
on one :class:`~kolk._runtime.tasks.executor.TaskExecutor`; worker processes plug in here.
The seam returns every subtask's final metrics (frozen records in deployment order, as
workers will ship them); the result carries them, and their per-vertex aggregates, back.
"""

from __future__ import annotations

import sys
import time
import traceback

from kolk._cluster.client_options import get_client_options
from kolk._cluster.deployment import Deployment, build_deployment
from kolk._graph.config import JobConfig
from kolk._graph.job_graph import JobGraph, create_job_graph
from kolk._graph.plan import describe_job_graph
from kolk._graph.stream_graph import StreamGraphGenerator
from kolk._graph.transformations import Transformation
from kolk._runtime.errors import UserCodeError
from kolk._runtime.metrics import TaskMetrics, vertex_metrics
from kolk._runtime.network.trace import FlowTracer
from kolk._runtime.network.transport import LocalTransport
from kolk._runtime.tasks.executor import TaskExecutor, TaskFailure
from kolk._runtime.tasks.stream_task import StreamTask
from kolk._runtime.tasks.timers import ProcessingTimeService
from kolk.common.job_execution_result import JobExecutionResult
from kolk.common.job_id import JobID
from kolk.util.exceptions import JobExecutionException

__all__ = ["JobMaster", "format_user_traceback"]


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
    """Runs every subtask; returns their final metrics in deployment order."""
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
        raise _job_failure(config.job_name, failure) from failure.cause
    finally:
        sys.stdout.flush()
        if tracer is not None:
            tracer.close()
    return executor.task_metrics()


def _job_failure(job_name: str, failure: TaskFailure) -> JobExecutionException:
    cause = failure.cause
    if isinstance(cause, UserCodeError):
        user_error = cause.__cause__ or cause
        where = (
            f"operator '{cause.operator_name}' of task '{failure.task_name}' "
            f"({cause.function_name})"
        )
        details = format_user_traceback(user_error)
    else:
        # Not raised by user code: a bug in kolk. Show everything, kolk's frames included.
        user_error = cause
        where = f"task '{failure.task_name}' (an internal error of kolk: please report it)"
        details = "".join(traceback.format_exception(cause)).rstrip("\n")
    message = (
        f"Job '{job_name}' failed: {where} raised "
        f"{type(user_error).__name__}: {user_error}\n{details}"
    )
    return JobExecutionException(message, job_name=job_name, task_name=failure.task_name)


def format_user_traceback(error: BaseException) -> str:
    """The error's traceback without kolk's own frames (the user's code is what matters)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _is_internal(f.filename)]
    lines = ["Traceback (most recent call last, kolk frames hidden):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip("\n")


def _is_internal(filename: str) -> bool:
    return "/kolk/_" in filename.replace("\\", "/") or filename.startswith("<kolk ")
