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

    def __init__(self, sink_identifier: str | None, formatter: Callable[[Any], str]) -> None:
        self._identifier = sink_identifier or ""
        self._formatter = formatter
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
        text = "".join([f"{prefix}{fmt(r)}\n" for r in records])
        sys.stdout.write(text)
