"""``kolk``: run programs written for PyFlink on kolk.

::

    kolk run  [-p N] [--processes N] [--trace-flow FILE] [--metrics] job.py [-p N] [--] [args...]
                                   run the program (``flink run -py job.py``)
    kolk plan [-p N] job.py [-p N] [--] [args...]
                                   print each job's plan instead of running it
    kolk flow [--channel TEXT] [--limit N] FILE
                                   show a flow trace as a timeline per channel
    kolk --version

``-p N`` sets the default parallelism of the program's environments, as ``flink run -p``
does; the program's own ``set_parallelism`` calls still win. It may come before the program or
right after it; every other argument after the program (after an optional ``--``) is the
program's own, verbatim: ``kolk run job.py --input x -p 3`` hands ``--input x -p 3`` to the
program, and ``kolk run job.py -- -p 3`` hands it ``-p 3``.

``--processes N`` (before the program) caps the worker processes a job runs in (default: one
per core; a job never uses more than its largest parallelism). ``--processes 1`` runs every
job inside the ``kolk`` process: the way to debug user functions with breakpoints.

``--trace-flow FILE`` (before the program) records what credit-based flow control did on every
channel of every job the program runs; ``kolk flow FILE`` shows it (:mod:`kolk._cli.flow`).

``--metrics`` (before the program) prints, once the program has ended, a table per finished
job to stderr: per vertex its parallelism, records in and out, busy, back-pressured and idle
time, and peak ``outPoolUsage`` (:mod:`kolk._cli.metrics_table`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kolk import __version__
from kolk._cli.flow import FLOW_HELP, add_flow_arguments, flow_main
from kolk._cli.metrics_table import JobMetricsCollector
from kolk._cli.program import run_program

__all__ = ["ProgramCommand", "build_parser", "main", "parse_command"]

_TARGETS = {"run": "local", "plan": "plan"}
_PARALLELISM_FLAGS = ("-p", "--parallelism")
#: Options before the program that take a value as the next token.
_VALUE_FLAGS = (*_PARALLELISM_FLAGS, "--trace-flow", "--processes")


@dataclass(frozen=True)
class ProgramCommand:
    """A parsed ``kolk run`` or ``kolk plan`` command line.

    Attributes:
        target: the client target: ``"local"`` (run) or ``"plan"``.
        program: the program file, as given.
        args: the program's own arguments.
        parallelism: the default parallelism, or None for the local default.
        trace_flow: the flow-trace file (``kolk run --trace-flow``), or None.
        processes: the worker processes a job may use (``kolk run --processes``), or None.
        metrics: print the per-vertex metrics of each job at the end (``kolk run --metrics``).
    """

    target: str
    program: str
    args: tuple[str, ...]
    parallelism: int | None
    trace_flow: str | None = None
    metrics: bool = False
    processes: int | None = None


def _positive(what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            msg = f"{what} must be a positive integer, got {text!r}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return parse


_parallelism = _positive("parallelism")


def build_parser() -> argparse.ArgumentParser:
    """Returns the ``kolk`` argument parser for everything up to the program file."""
    parser = argparse.ArgumentParser(
        prog="kolk", description="Run Apache Flink DataStream programs written for PyFlink."
    )
    parser.add_argument("--version", action="version", version=f"kolk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    helps = {
        "run": "run a PyFlink program on kolk",
        "plan": "print the job graph of each execute() instead of running it",
    }
    for name, help_text in helps.items():
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            usage=f"kolk {name} [-h] [-p N] program [-p N] [--] [args ...]",
        )
        sub.add_argument(
            *_PARALLELISM_FLAGS,
            type=_parallelism,
            metavar="N",
            dest="parallelism",
            help="default parallelism of the program's environments (as flink run -p)",
        )
        if name == "run":
            sub.usage = (
                f"kolk {name} [-h] [-p N] [--processes N] [--trace-flow FILE] [--metrics] "
                "program [-p N] [--] [args ...]"
            )
            sub.add_argument(
                "--processes",
                type=_positive("the number of processes"),
                metavar="N",
                dest="processes",
                help="run each job in at most N worker processes (default: one per core); "
                "1 runs everything in this process, for debugging with breakpoints",
            )
            sub.add_argument(
                "--trace-flow",
                metavar="FILE",
                dest="trace_flow",
                help="record credit, buffers and events of every channel to FILE "
                "(read it with kolk flow FILE)",
            )
            sub.add_argument(
                "--metrics",
                action="store_true",
                help="print each job's metrics per vertex to stderr once the program ended",
            )
        sub.add_argument("program", help="the Python program file")
    flow = commands.add_parser("flow", help=FLOW_HELP, description=FLOW_HELP)
    add_flow_arguments(flow)
    return parser


def _split_at_program(argv: list[str]) -> tuple[list[str], list[str]]:
    """Splits a command line into kolk's part (ending with the program) and the rest.

    Done by hand rather than with ``nargs=REMAINDER``, whose handling of ``--`` changes
    between Python versions: every token after the program is the program's, verbatim.
    """
    i = 1  # argv[0] is the command
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return argv[: i + 2], argv[i + 2 :]
        if not token.startswith("-"):
            return argv[: i + 1], argv[i + 1 :]
        i += 2 if token in _VALUE_FLAGS else 1
    return argv, []


def _take_late_options(rest: list[str]) -> tuple[list[str], list[str]]:
    """Takes a ``-p N`` (then a ``--``) that directly follow the program; returns both parts."""
    taken: list[str] = []
    if rest[:1] and rest[0] in _PARALLELISM_FLAGS:
        taken, rest = rest[:2], rest[2:]
    elif rest[:1] and rest[0].startswith("--parallelism="):
        taken, rest = rest[:1], rest[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    return taken, rest


def parse_command(argv: Sequence[str]) -> ProgramCommand:
    """Parses a command line (without the program name).

    Raises:
        SystemExit: on ``--help``, ``--version`` or a usage error (argparse's behaviour).
    """
    head, rest = _split_at_program(list(argv))
    late, program_args = _take_late_options(rest)
    parser = build_parser()
    ns = parser.parse_args(head)
    parallelism = ns.parallelism
    if late:  # a -p after the program wins, as the later option does in argparse
        parallelism = parser.parse_args([ns.command, ns.program, *late]).parallelism
    trace_flow = getattr(ns, "trace_flow", None)
    return ProgramCommand(
        _TARGETS[ns.command],
        ns.program,
        tuple(program_args),
        parallelism,
        trace_flow,
        metrics=getattr(ns, "metrics", False),
        processes=getattr(ns, "processes", None),
    )


def _flush_stdout() -> int:
    """Flushes stdout; returns 1 if the reader has gone away (``kolk run job.py | head``)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's recipe: point stdout at devnull so the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the ``kolk`` command line.

    Args:
        argv: the arguments without the program name; None reads ``sys.argv[1:]``.

    Returns:
        the exit status: the program's (see :func:`kolk._cli.program.run_program`), or 2 for
        a usage error, 0 for ``--help`` and ``--version``.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["flow"]:
        try:
            status = flow_main(args[1:])
        except BrokenPipeError:  # kolk flow FILE | head: the reader has gone away
            status = 1
        flush_status = _flush_stdout()
        return status if status else flush_status
    try:
        command = parse_command(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    collector = JobMetricsCollector() if command.metrics else None
    status = run_program(
        command.program,
        command.args,
        parallelism=command.parallelism,
        target=command.target,
        trace_flow=command.trace_flow,
        job_listener=collector,
        processes=command.processes,
    )
    flush_status = _flush_stdout()
    if collector is not None:
        sys.stderr.write(collector.report())
    return status if status else flush_status


if __name__ == "__main__":
    sys.exit(main())
