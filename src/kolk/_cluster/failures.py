"""How a failed job is reported: the failing operator and task, and the user's traceback.

Used by the JobMaster for tasks in its own process and by worker processes, which format the
failure where the traceback lives and ship the message.
"""

from __future__ import annotations

import traceback

from kolk._runtime.errors import UserCodeError
from kolk.util.exceptions import JobExecutionException, KolkError

__all__ = ["format_user_traceback", "job_failure", "user_cause"]


def job_failure(job_name: str, task_name: str, cause: BaseException) -> JobExecutionException:
    """The exception a job raises when ``task_name`` failed with ``cause``.

    A user function's error names the operator, the task and the function, with the user's
    traceback (kolk's frames hidden); a kolk error the user can act on (an unserializable
    record) gives its own message; anything else is a bug in kolk, shown in full.
    """
    if isinstance(cause, UserCodeError):
        user_error = cause.__cause__ or cause
        where = f"operator '{cause.operator_name}' of task '{task_name}' ({cause.function_name})"
        details = "\n" + format_user_traceback(user_error)
    elif isinstance(cause, KolkError):
        user_error, where, details = cause, f"task '{task_name}'", ""
    else:
        user_error = cause
        where = f"task '{task_name}' (an internal error of kolk: please report it)"
        details = "\n" + "".join(traceback.format_exception(cause)).rstrip("\n")
    message = (
        f"Job '{job_name}' failed: {where} raised {type(user_error).__name__}: {user_error}"
        f"{details}"
    )
    return JobExecutionException(message, job_name=job_name, task_name=task_name)


def user_cause(cause: BaseException) -> BaseException:
    """The exception to chain as the job failure's ``__cause__``: the user's own exception
    (a UserCodeError only wraps it to name the operator), else ``cause``."""
    if isinstance(cause, UserCodeError) and cause.__cause__ is not None:
        return cause.__cause__
    return cause


def format_user_traceback(error: BaseException) -> str:
    """The error's traceback without kolk's own frames (the user's code is what matters)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _is_internal(f.filename)]
    lines = ["Traceback (most recent call last, kolk frames hidden):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip("\n")


def _is_internal(filename: str) -> bool:
    return "/kolk/_" in filename.replace("\\", "/") or filename.startswith("<kolk ")
