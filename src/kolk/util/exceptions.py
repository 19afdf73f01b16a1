"""The kolk exception tree.

::

    Exception
    ├── KolkError                          every error kolk raises on purpose
    │   ├── JobExecutionException          a job failed while running (``execute()`` raises it;
    │   │                                  JobShippingError: it could not reach its workers)
    │   │                                  the user's exception is chained as ``__cause__``
    │   ├── StateAccessException           keyed state used where no key is set
    │   ├── JobGraphException              a program that cannot be turned into a job
    │   └── RemoteTraceback                the traceback of an error raised in a worker process
    │                                      (chained as the ``__cause__`` of that error)
    └── KolkInternalError                  a bug in kolk itself (never the user's fault)

Misuse at the API (a wrong argument, a wrong type) raises the built-in ``TypeError`` or
``ValueError`` with the wording PyFlink uses, as PyFlink does.
"""

from __future__ import annotations

__all__ = [
    "JobExecutionException",
    "JobGraphException",
    "KolkError",
    "KolkInternalError",
    "RemoteTraceback",
    "StateAccessException",
]


class KolkError(Exception):
    """Base class of the errors kolk raises on purpose."""


class JobExecutionException(KolkError):
    """A job failed while running.

    The message names the failing operator and subtask (Flink's ``Name (i/n)`` form) and
    includes the user's traceback; the user's original exception is ``__cause__``.

    Attributes:
        job_name: the job's name.
        task_name: the failing task, e.g. ``"Map -> Filter (2/2)"``, or None if not known.
    """

    def __init__(self, message: str, *, job_name: str = "", task_name: str | None = None) -> None:
        super().__init__(message)
        self.job_name = job_name
        self.task_name = task_name


class RemoteTraceback(KolkError):
    """The traceback of an exception raised in a worker process, as text.

    Traceback objects cannot cross processes: the user's exception reaches the client without
    one, chained to this, whose message is the traceback formatted in the worker (kolk's own
    frames hidden), as ``multiprocessing`` does.
    """


class StateAccessException(KolkError, RuntimeError):
    """Keyed state was used outside a keyed context (no current key)."""


class JobGraphException(KolkError, ValueError):
    """The program cannot be translated into a job (for example, an invalid partitioning)."""


class KolkInternalError(Exception):
    """An invariant of kolk itself was broken: a bug to report, not a user error."""
