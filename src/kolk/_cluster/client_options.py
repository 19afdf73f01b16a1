"""Process-wide defaults set by the ``kolk`` command line before a program runs.

``kolk run -p 4 job.py`` must change the default parallelism of every environment the program
creates, as ``flink run -p`` does. The CLI sets these defaults; ``get_execution_environment()``
reads them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from kolk.common.job_execution_result import JobExecutionResult

__all__ = [
    "PROCESSES_OPTION",
    "START_METHOD_OPTION",
    "ClientOptions",
    "get_client_options",
    "processes_option",
    "set_client_options",
    "start_method_option",
]

#: The configuration key for the number of worker processes (a kolk option; Flink runs
#: TaskManagers as separate deployments).
PROCESSES_OPTION = "kolk.processes"
#: The configuration key for how worker processes start: "fork" or "spawn".
START_METHOD_OPTION = "kolk.start-method"
START_METHODS = ("fork", "spawn")


@dataclass(frozen=True)
class ClientOptions:
    """Defaults for environments created in this process.

    Attributes:
        parallelism: default parallelism; None means the number of CPU cores (Flink's local
            environment rule).
        processes: worker processes a job may use (``kolk run --processes N``); 1 runs every
            job in the client process (for debugging with breakpoints). None: the job's
            ``kolk.processes`` option, else one per core.
        target: "local" runs jobs; "plan" prints each job's plan instead of running it.
        trace_flow: a file each job appends its flow trace to (``kolk run --trace-flow``,
            format in :mod:`kolk._runtime.network.trace`); None traces nothing.
        job_listener: called with the job's name and result (which carries its final
            metrics) after each job that finished; ``kolk run --metrics`` sets it. Not called
            for a failed job, nor with the plan target.
    """

    parallelism: int | None = None
    processes: int | None = None
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


def processes_option(configuration: Mapping[str, str]) -> int | None:
    """The ``kolk.processes`` setting of a job's configuration, or None when not set.

    Raises:
        ValueError: the value is not a whole number of at least 1.
    """
    raw = configuration.get(PROCESSES_OPTION)
    if raw is None:
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(
            f"{PROCESSES_OPTION} must be a whole number of worker processes of at least 1 "
            f"(1 runs the job in the client process), got {raw!r}"
        )
    return value


def start_method_option(configuration: Mapping[str, str]) -> str | None:
    """The ``kolk.start-method`` setting of a job's configuration, or None when not set.

    Raises:
        ValueError: the value is neither "fork" nor "spawn".
    """
    raw = configuration.get(START_METHOD_OPTION)
    if raw is None:
        return None
    value = str(raw).strip().lower()
    if value not in START_METHODS:
        raise ValueError(
            f"{START_METHOD_OPTION} must be 'fork' (workers are copies of the client, started in "
            f"milliseconds) or 'spawn' (new interpreters, the job shipped with cloudpickle), "
            f"got {raw!r}"
        )
    return value
