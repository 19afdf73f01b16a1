"""``kolk run --metrics``: a table of each finished job's metrics per vertex, for stderr.

The CLI hands a :class:`JobMetricsCollector` to the client options (``job_listener``); the
JobMaster calls it with every job that finished, and once the program has ended the CLI prints
:meth:`JobMetricsCollector.report`: per job, one row per job vertex in topological order, with
the vertex's parallelism, records in and out (summed over its subtasks), busy, back-pressured
and idle time (the mean over its subtasks of Flink's ``…TimeMsPerSecond``, as a percentage) and
the peak ``outPoolUsage`` of its subtasks (``-`` for a vertex with no network output). The
numbers and their definitions are :mod:`kolk._runtime.metrics`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from kolk._runtime.metrics import VertexMetrics
from kolk.common.job_execution_result import JobExecutionResult

__all__ = ["COLUMNS", "JobMetricsCollector", "format_vertex_table"]

#: The table's column headers, after the vertex name.
COLUMNS = (
    "Parallelism",
    "Records in",
    "Records out",
    "Busy %",
    "Back-pressured %",
    "Idle %",
    "Peak outPoolUsage",
)
_NAME_HEADER = "Vertex"


def _percent(ms_per_second: float) -> str:
    return f"{ms_per_second / 10:.1f}"


def _row(vertex: VertexMetrics) -> list[str]:
    return [
        vertex.vertex_name,
        str(vertex.parallelism),
        str(vertex.num_records_in),
        str(vertex.num_records_out),
        _percent(vertex.busy_time_ms_per_second),
        _percent(vertex.back_pressured_time_ms_per_second),
        _percent(vertex.idle_time_ms_per_second),
        f"{vertex.peak_out_pool_usage:.2f}" if vertex.has_network_output else "-",
    ]


def format_vertex_table(job_name: str, job_id: str, vertices: Sequence[VertexMetrics]) -> str:
    """One job's metrics table: a title line, the header, one line per vertex.

    The vertex names are left-aligned in a column as wide as the longest (or the header); the
    other columns are right-aligned under their headers, two spaces apart.

    Returns:
        the lines, each ending with a newline.
    """
    rows = [_row(vertex) for vertex in vertices]
    headers = [_NAME_HEADER, *COLUMNS]
    widths = [
        max([len(header)] + [len(row[i]) for row in rows]) for i, header in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        text = cells[0].ljust(widths[0])
        text += "".join(
            "  " + cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)
        )
        return text.rstrip() + "\n"

    title = f"Job '{job_name}' ({job_id}): metrics per vertex\n"
    return title + line(headers) + "".join(line(row) for row in rows)


class JobMetricsCollector:
    """Collects the finished jobs of a program run (a ``ClientOptions.job_listener``)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, JobExecutionResult]] = []

    def __call__(self, job_name: str, result: JobExecutionResult) -> None:
        """Records one finished job."""
        self.jobs.append((job_name, result))

    def report(self) -> str:
        """Every collected job's table, in the order the jobs finished, a blank line apart;
        empty when no job finished."""
        return "\n".join(
            format_vertex_table(name, str(result.get_job_id()), result.get_vertex_metrics())
            for name, result in self.jobs
        )
