"""Common classes of the API, mirroring ``pyflink.common``.

Exports what PyFlink's ``pyflink.common`` exports, limited to what kolk implements today:
configuration, job results, rows, time amounts and type information.
"""

from __future__ import annotations

from kolk.common.configuration import Configuration
from kolk.common.job_execution_result import JobExecutionResult
from kolk.common.job_id import JobID
from kolk.common.time import Duration, Instant, Time
from kolk.common.typeinfo import TypeInformation, Types
from kolk.common.types import Row, RowKind

__all__ = [
    "Configuration",
    "Duration",
    "Instant",
    "JobExecutionResult",
    "JobID",
    "Row",
    "RowKind",
    "Time",
    "TypeInformation",
    "Types",
]
