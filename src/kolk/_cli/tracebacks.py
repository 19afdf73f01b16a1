"""Tracebacks of a user program as Python would print them, without kolk's launcher frames.

``kolk run job.py`` runs the program through :mod:`runpy` from the CLI, and resolves its
``pyflink`` imports through the alias finder; a plain ``python job.py`` has neither. The frames
of those files carry no information for the user, so they are dropped from every exception of
the chain (``__cause__``, ``__context__``, exception groups). All other frames stay, library
frames included, exactly as Python prints them.
"""

from __future__ import annotations

import os
import runpy
import traceback

__all__ = ["format_program_exception", "is_launcher_file"]

_CLI_DIR = os.path.dirname(os.path.abspath(__file__))
_COMPAT_DIR = os.path.join(os.path.dirname(_CLI_DIR), "_compat")
# runpy is a frozen module from Python 3.11 on: its frames then name "<frozen runpy>".
_RUNPY_FILES = frozenset({os.path.abspath(runpy.__file__), "<frozen runpy>"})


def is_launcher_file(filename: str) -> bool:
    """Tells whether a frame's file belongs to the launcher (kolk's CLI, the alias, runpy)."""
    path = filename if filename.startswith("<") else os.path.abspath(filename)
    return path in _RUNPY_FILES or path.startswith((_CLI_DIR + os.sep, _COMPAT_DIR + os.sep))


def _strip(te: traceback.TracebackException, seen: set[int]) -> None:
    if id(te) in seen:
        return
    seen.add(id(te))
    te.stack = traceback.StackSummary.from_list(
        [frame for frame in te.stack if not is_launcher_file(frame.filename)]
    )
    for linked in (te.__cause__, te.__context__, *(getattr(te, "exceptions", None) or ())):
        if linked is not None:
            _strip(linked, seen)


def format_program_exception(exc: BaseException) -> str:
    """Formats an exception that escaped a user program, as ``python job.py`` would print it.

    Args:
        exc: the exception, with its traceback.

    Returns:
        the text, ending with a newline: ``Traceback (most recent call last):`` (when frames
        remain), the frames, and the ``Type: message`` line, for each exception of the chain.
    """
    te = traceback.TracebackException.from_exception(exc)
    _strip(te, set())
    return "".join(te.format())
