"""The client entry point: run a program's transformations as a job and wait for the result."""

from __future__ import annotations

from kolk._cluster.job_master import JobMaster
from kolk._graph.config import JobConfig
from kolk._graph.transformations import Transformation
from kolk.common.job_execution_result import JobExecutionResult

__all__ = ["execute_job"]


def execute_job(transformations: list[Transformation], config: JobConfig) -> JobExecutionResult:
    """Builds the job from the transformations, runs it to completion, returns the result.

    Raises:
        JobExecutionException: a task failed; names the operator and subtask, chains the cause.
        JobGraphException: the program cannot be turned into a job.
    """
    return JobMaster(transformations, config).run()
