"""Process-wide defaults set by the ``kolk`` command line before a program runs.

``kolk run -p 4 job.py`` must change the default parallelism of every environment the program
creates, as ``flink run -p`` does. The CLI sets these defaults; ``get_execution_environment()``
reads them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from kolk.common.job_execution_result import JobExecutionResult

__all__ = ["ClientOptions", "get_client_options", "set_client_options"]


@dataclass(frozen=True)
class ClientOptions:
    """Defaults for environments created in this process.

    Attributes:
        parallelism: default parallelism; None means the number of CPU cores (Flink's local
            environment rule).
        target: "local" runs jobs; "plan" prints each job's plan instead of running it.
        trace_flow: a file each job appends its flow trace to (``kolk run --trace-flow``,
            format in :mod:`kolk._runtime.network.trace`); None traces nothing.
        job_listener: called with the job's name and result (which carries its final
            metrics) after each job that finished; ``kolk run --metrics`` sets it. Not called
            for a failed job, nor with the plan target.
    """

    parallelism: int | None = None
    target: str = "local"
    trace_flow: str | None = None
    job_listener: Callable[[str, JobExecutionResult], None] | None = None

    def default_parallelism(self) -> int:
        """The parallelism an environment starts with."""
        return self.parallelism if self.parallelism is not None else (os.cpu_count() or 1)


_options = ClientOptions()


def get_client_options() -> ClientOptions:
    """Returns the current process-wide client options."""
    return _options


def set_client_options(**changes: object) -> ClientOptions:
    """Replaces some client options (``parallelism=``, ``target=``, ``trace_flow=``); returns
    the new options."""
    global _options
    _options = replace(_options, **changes)  # type: ignore[arg-type]
    return _options
