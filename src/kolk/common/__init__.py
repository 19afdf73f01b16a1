"""Common classes of the API, mirroring ``pyflink.common``.

Exports what PyFlink's ``pyflink.common`` exports, limited to what kolk implements today:
configuration, job results, rows, time amounts, type information and watermark strategies.
"""

from __future__ import annotations

from kolk.common.configuration import Configuration
from kolk.common.job_execution_result import JobExecutionResult
from kolk.common.job_id import JobID
from kolk.common.time import Duration, Instant, Time
from kolk.common.typeinfo import TypeInformation, Types
from kolk.common.types import Row, RowKind
from kolk.common.watermark_strategy import AssignerWithPeriodicWatermarksWrapper, WatermarkStrategy

__all__ = [
    "AssignerWithPeriodicWatermarksWrapper",
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
    "WatermarkStrategy",
]
