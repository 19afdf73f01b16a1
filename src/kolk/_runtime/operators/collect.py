"""``execute_and_collect``: a sink that hands the records back to the client.

Every subtask of the job runs in the client process today, so the sink appends to a list the
client reads once the job has finished (Flink's collect sink streams them through the REST
API instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kolk._runtime.operators.base import BatchOperator, StreamOperator
from kolk._runtime.operators.factories import OperatorFactory

__all__ = ["CollectSinkOperator", "CollectSinkOperatorFactory"]


class CollectSinkOperator(BatchOperator):
    """Appends every record to the shared result list."""

    def __init__(self, results: list[Any]) -> None:
        self._results = results

    def process_batch(self, records: list[Any]) -> None:
        self._results.extend(records)


@dataclass(frozen=True, eq=False)
class CollectSinkOperatorFactory(OperatorFactory):
    """The collect sink; ``results`` receives the records of every subtask, in arrival order.

    Not copied per subtask: the list is the way back to the client.
    """

    results: list[Any] = field(default_factory=list)
    kind = "sink"

    def create(self) -> StreamOperator:
        return CollectSinkOperator(self.results)
