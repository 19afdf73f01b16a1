"""Running a program written for PyFlink, unchanged, as ``python job.py`` would run it.

:func:`run_program` is the whole of ``kolk run`` and ``kolk plan`` once the arguments are
parsed: it installs the ``pyflink`` alias, sets the client defaults that every
``StreamExecutionEnvironment`` of the program starts from (``flink run -p`` semantics), runs
the file as ``__main__`` and turns the outcome into an exit status.

Life cycle: ``sys.argv``, ``sys.path`` and the client options are changed for the run and put
back afterwards, so that the function can be called in-process (tests). The alias stays
installed: it is idempotent and harmless once the program is done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Sequence

from kolk._cli.tracebacks import format_program_exception
from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._compat import install_pyflink_alias
from kolk.common.job_execution_result import JobExecutionResult
from kolk.util.exceptions import JobExecutionException

__all__ = ["JobListener", "run_program"]

#: Told ``(job name, result)`` after each job of the program that finished.
JobListener = Callable[[str, JobExecutionResult], None]


@contextlib.contextmanager
def _program_context(
    path: str,
    args: Sequence[str],
    *,
    parallelism: int | None,
    target: str,
    trace_flow: str | None = None,
    job_listener: JobListener | None = None,
    processes: int | None = None,
) -> Iterator[None]:
    """Sets argv, path and client options for the program; restores them on exit."""
    saved_argv = sys.argv
    saved_path = list(sys.path)
    saved_options = get_client_options()
    sys.argv = [path, *args]
    # Python puts the script's directory (symbolic links resolved) first on sys.path.
    sys.path.insert(0, os.path.dirname(os.path.realpath(path)))
    set_client_options(
        parallelism=parallelism,
        target=target,
        trace_flow=trace_flow,
        job_listener=job_listener,
        processes=processes,
    )
    try:
        yield
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        # Field by field, not dataclasses.asdict: that would deep-copy a listener.
        set_client_options(
            **{f.name: getattr(saved_options, f.name) for f in dataclasses.fields(saved_options)}
        )


def _exit_status(exc: SystemExit) -> int:
    """The process exit status Python gives for an uncaught ``SystemExit``."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_program(
    path: str,
    args: Sequence[str],
    *,
    parallelism: int | None = None,
    target: str = "local",
    trace_flow: str | None = None,
    job_listener: JobListener | None = None,
    processes: int | None = None,
) -> int:
    """Runs a PyFlink program file as ``__main__`` on kolk.

    Args:
        path: the program file.
        args: the program's own arguments (``sys.argv[1:]`` inside the program).
        parallelism: the default parallelism of the program's environments; None keeps the
            local default (the number of CPU cores).
        target: ``"local"`` runs each ``execute()``; ``"plan"`` prints each job's plan instead.
        trace_flow: a file to record every job's flow trace in (emptied first; see
            :mod:`kolk._runtime.network.trace`), or None to trace nothing.
        job_listener: told the name and result (with its final metrics) of each job that
            finished (``kolk run --metrics``), or None.
        processes: worker processes a job may use (``kolk run --processes``); 1 runs every
            job in this process; None: the job's ``kolk.processes`` option, else one per core.

    Returns:
        the exit status: 0 on success; 1 when the program raised (a failed job prints the
        :class:`JobExecutionException` message, anything else its traceback without the
        launcher's frames); the program's own status for ``SystemExit``; 2 when the file
        cannot be opened (as Python) or the flow-trace file cannot be written.
    """
    abspath = os.path.abspath(path)
    if not os.path.isfile(abspath):
        print(f"kolk: can't open file {abspath!r}: no such file", file=sys.stderr)
        return 2
    if trace_flow is not None:
        # An absolute path, so that a program changing directory still writes one file.
        trace_flow = os.path.abspath(trace_flow)
        try:
            open(trace_flow, "w", encoding="utf-8").close()
        except OSError as exc:
            print(f"kolk: can't write the flow trace {trace_flow!r}: {exc}", file=sys.stderr)
            return 2
    install_pyflink_alias()
    with _program_context(
        abspath,
        args,
        parallelism=parallelism,
        target=target,
        trace_flow=trace_flow,
        job_listener=job_listener,
        processes=processes,
    ):
        try:
            runpy.run_path(abspath, run_name="__main__")
        except SystemExit as exc:
            return _exit_status(exc)
        except JobExecutionException as exc:
            sys.stdout.flush()
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        except BaseException as exc:
            # Whatever escapes the program ends it, as in Python: traceback, then status.
            sys.stdout.flush()
            sys.stderr.write(format_program_exception(exc))
            return 130 if isinstance(exc, KeyboardInterrupt) else 1
    return 0
