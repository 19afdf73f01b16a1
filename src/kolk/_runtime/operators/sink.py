"""print(): Flink's PrintSinkFunction writing to standard output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from kolk._runtime.operators.base import BatchOperator, OperatorEnvironment

__all__ = ["PrintSinkOperator"]


class PrintSinkOperator(BatchOperator):
    """Writes each record on its own line.

    The prefix follows Flink's ``PrintSinkOutputWriter``: the sink identifier, then
    ``:``/the subtask index + 1 when the sink's parallelism is > 1, then ``"> "``.
    """

    def __init__(
        self, sink_identifier: str | None, formatter: Callable[[Any], str], type_info: Any = None
    ) -> None:
        self._identifier = sink_identifier or ""
        self._formatter = formatter
        self._type_info = type_info
        self._prefix = ""

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        prefix = self._identifier
        if env.parallelism > 1:
            prefix += (":" if prefix else "") + str(env.subtask_index + 1)
        self._prefix = prefix + "> " if prefix else ""

    def process_batch(self, records: list[Any]) -> None:
        fmt = self._formatter
        prefix = self._prefix
        try:
            text = "".join([f"{prefix}{fmt(r)}\n" for r in records])
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise type(exc)(_explain_unprintable(records, fmt, self._type_info, exc)) from exc
        sys.stdout.write(text)


def _explain_unprintable(
    records: list[Any], fmt: Callable[[Any], str], declared: Any, exc: Exception
) -> str:
    """Names the record that does not fit the stream's declared type, and what to do."""
    culprit = None
    for record in records:
        try:
            fmt(record)
        except Exception:
            culprit = record
            break
    what = f"the declared type {declared}" if declared is not None else "the stream's type"
    return (
        f"{exc} — the record {culprit!r} ({type(culprit).__name__}) does not fit {what}. "
        "Declare the output_type that matches what the functions return (or none, to print "
        "Python's str() of each record)."
    )
