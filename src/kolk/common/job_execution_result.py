"""``JobExecutionResult``: what ``execute()`` returns (``pyflink.common.job_execution_result``).

kolk's runtime builds it directly from the job id, the net runtime and the accumulators, and
adds the job's final metrics (a kolk addition: :meth:`JobExecutionResult.get_task_metrics`,
:meth:`JobExecutionResult.get_vertex_metrics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kolk.common.job_id import JobID

__all__ = ["JobExecutionResult"]


class JobExecutionResult:
    """The result of a finished job: its id, net runtime (ms), accumulator values and (a kolk
    addition) final metrics.

    Immutable once built: the accessors return copies of the accumulator map and new lists of
    the (frozen) metric records.
    """

    def __init__(
        self,
        job_id: JobID,
        net_runtime: int,
        accumulator_results: dict[str, Any] | None = None,
        *,
        task_metrics: Sequence[Any] = (),
        vertex_metrics: Sequence[Any] = (),
    ) -> None:
        """Builds a result (kolk-internal: PyFlink wraps a Java object here).

        Args:
            job_id: the job's id.
            net_runtime: the job's net execution time in milliseconds.
            accumulator_results: accumulator name to final value, or None for none.
            task_metrics: every subtask's final ``kolk._runtime.metrics.TaskMetrics``, vertex
                by vertex, subtasks by index. (Typed loosely: this public module sits below
                the runtime in the layers and may not import it.)
            vertex_metrics: one ``kolk._runtime.metrics.VertexMetrics`` per job vertex.

        Raises:
            TypeError: ``job_id`` is not a :class:`JobID`.
        """
        if not isinstance(job_id, JobID):
            raise TypeError(
                "JobExecutionResult is built by kolk from a JobID, net runtime (ms) and "
                f"accumulators; got {type(job_id).__name__} as the job id"
            )
        self._job_id = job_id
        self._net_runtime = int(net_runtime)
        self._accumulators: dict[str, Any] = dict(accumulator_results or {})
        self._task_metrics = tuple(task_metrics)
        self._vertex_metrics = tuple(vertex_metrics)

    def get_job_id(self) -> JobID:
        """Returns the id of the job."""
        return self._job_id

    def get_net_runtime(self) -> int:
        """Returns the net execution time of the job in milliseconds."""
        return self._net_runtime

    def get_accumulator_result(self, accumulator_name: str):
        """Returns the value of the named accumulator, or None if there is none."""
        return self._accumulators.get(accumulator_name)

    def get_all_accumulator_results(self) -> dict[str, Any]:
        """Returns a new dict from accumulator name to value."""
        return dict(self._accumulators)

    def get_task_metrics(self) -> list[Any]:
        """Returns the final metrics of every subtask (a kolk addition).

        Returns:
            a new list of frozen ``TaskMetrics`` records (``kolk._runtime.metrics``), vertex by
            vertex in topological order, each vertex's subtasks by index. Flink's metric names
            are snake-cased in the fields (``num_records_in`` is ``numRecordsIn``);
            ``flink_metrics()`` spells them as Flink does. Empty when the job was only planned.
        """
        return list(self._task_metrics)

    def get_vertex_metrics(self) -> list[Any]:
        """Returns the final metrics aggregated per job vertex (a kolk addition).

        Returns:
            a new list of frozen ``VertexMetrics`` records (``kolk._runtime.metrics``), one per
            job vertex in topological order: counters summed over its subtasks, time rates as
            their mean and maximum, pool peaks and back-pressure level of the worst subtask.
        """
        return list(self._vertex_metrics)

    def __str__(self):
        lines = [
            "Program execution finished",
            f"Job with JobID {self._job_id} has finished.",
            f"Job Runtime: {self._net_runtime} ms",
        ]
        text = "\n".join(lines) + "\n"
        if self._accumulators:
            text += "Accumulator Results: \n" + _format_accumulators(self._accumulators) + "\n"
        return text

    def __repr__(self):
        return (
            f"JobExecutionResult(job_id={self._job_id!r}, net_runtime={self._net_runtime}, "
            f"accumulator_results={self._accumulators!r})"
        )


def _format_accumulators(accumulators: dict[str, Any]) -> str:
    """Flink's ``AccumulatorHelper.getResultsFormatted``, with Python type names.

    Each line is ``- name (type): value``; collections show ``[n elements]`` instead.
    """
    out = []
    for name, value in accumulators.items():
        line = f"- {name} ({type(value).__qualname__})"
        if isinstance(value, (list, tuple, set, frozenset)):
            line += f" [{len(value)} elements]"
        else:
            line += f": {value}"
        out.append(line + "\n")
    return "".join(out)
