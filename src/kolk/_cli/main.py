"""``kolk``: run programs written for PyFlink on kolk.

::

    kolk run  [-p N] job.py [-p N] [--] [args...]   run the program (``flink run -py job.py``)
    kolk plan [-p N] job.py [-p N] [--] [args...]   print each job's plan instead of running it
    kolk --version

``-p N`` sets the default parallelism of the program's environments, as ``flink run -p``
does; the program's own ``set_parallelism`` calls still win. It may come before the program or
right after it; every other argument after the program (after an optional ``--``) is the
program's own, verbatim: ``kolk run job.py --input x -p 3`` hands ``--input x -p 3`` to the
program, and ``kolk run job.py -- -p 3`` hands it ``-p 3``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from kolk import __version__
from kolk._cli.program import run_program

__all__ = ["ProgramCommand", "build_parser", "main", "parse_command"]

_TARGETS = {"run": "local", "plan": "plan"}
_PARALLELISM_FLAGS = ("-p", "--parallelism")


@dataclass(frozen=True)
class ProgramCommand:
    """A parsed ``kolk run`` or ``kolk plan`` command line.

    Attributes:
        target: the client target: ``"local"`` (run) or ``"plan"``.
        program: the program file, as given.
        args: the program's own arguments.
        parallelism: the default parallelism, or None for the local default.
    """

    target: str
    program: str
    args: tuple[str, ...]
    parallelism: int | None


def _parallelism(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"parallelism must be a positive integer, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


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
        sub.add_argument("program", help="the Python program file")
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
        i += 2 if token in _PARALLELISM_FLAGS else 1
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
    return ProgramCommand(_TARGETS[ns.command], ns.program, tuple(program_args), parallelism)


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
    try:
        command = parse_command(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    status = run_program(
        command.program, command.args, parallelism=command.parallelism, target=command.target
    )
    flush_status = _flush_stdout()
    return status if status else flush_status


if __name__ == "__main__":
    sys.exit(main())
