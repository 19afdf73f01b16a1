"""The job-level settings the graph generators read (taken from the environment at execute())."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["JobConfig"]


@dataclass(frozen=True)
class JobConfig:
    """Settings of one job, fixed when ``execute()`` or ``get_execution_plan()`` is called.

    Attributes:
        job_name: the job's name (``execute(job_name)``; Flink's default "Flink Streaming Job").
        parallelism: the environment's default parallelism (>= 1).
        max_parallelism: the environment's max parallelism, or -1 (derived per operator).
        buffer_timeout: ``execution.buffer-timeout`` in ms: >0 periodic flush, 0 flush after
            every record, -1 flush only when a buffer is full or at end of input.
        chaining_enabled: False after ``disable_operator_chaining()``.
        auto_watermark_interval: ``pipeline.auto-watermark-interval`` in ms (0 = no periodic
            watermarks).
        configuration: the environment's configuration as string key/values.
    """

    job_name: str = "Flink Streaming Job"
    parallelism: int = 1
    max_parallelism: int = -1
    buffer_timeout: int = 100
    chaining_enabled: bool = True
    auto_watermark_interval: int = 200
    configuration: Mapping[str, str] = field(default_factory=dict)
