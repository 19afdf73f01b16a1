"""``execute_and_collect``: a sink that hands the records back to the client.

The sink appends to its factory's list. In the client process the client reads that list once
the job has finished; in a worker process the worker sends the list back with its final
report and the client appends it to its own copy (Flink's collect sink streams the records
through the REST API instead).
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
