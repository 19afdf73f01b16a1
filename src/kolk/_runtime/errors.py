"""Errors raised inside the runtime, before the cluster layer turns them into job failures."""

from __future__ import annotations

from kolk.util.exceptions import KolkError

__all__ = ["UserCodeError", "describe_function"]


class UserCodeError(KolkError):
    """A user function raised: names the operator and the function; ``__cause__`` is the error.

    Attributes:
        operator_name: the operator whose function failed, e.g. ``"Map"``.
        function_name: a readable name of the user function (``<lambda> at job.py:12``).
    """

    def __init__(self, operator_name: str, function_name: str, cause: BaseException) -> None:
        super().__init__(
            f"{type(cause).__name__}: {cause} (in the {function_name} of operator "
            f"'{operator_name}')"
        )
        self.operator_name = operator_name
        self.function_name = function_name


def describe_function(function: object) -> str:
    """A short human name for a user function: ``function <lambda> (job.py:12)``."""
    code = getattr(function, "__code__", None)
    func = getattr(function, "__func__", None)
    if code is None and func is not None:
        code = getattr(func, "__code__", None)
    qualname = getattr(function, "__qualname__", None) or type(function).__qualname__
    if code is not None:
        return f"function {qualname} ({code.co_filename}:{code.co_firstlineno})"
    return f"function {qualname}"
