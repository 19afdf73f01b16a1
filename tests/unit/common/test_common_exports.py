"""kolk.common exports what pyflink.common exports, limited to what kolk implements."""

from __future__ import annotations

import kolk.common

#: ``pyflink.common.__all__`` in PyFlink 2.3.
PYFLINK_COMMON_ALL = frozenset(
    {
        "Configuration",
        "ConfigOption",
        "ConfigOptions",
        "ExecutionConfig",
        "TypeInformation",
        "TypeSerializer",
        "Types",
        "SerializationSchema",
        "DeserializationSchema",
        "SimpleStringSchema",
        "ByteArraySchema",
        "Encoder",
        "CompletableFuture",
        "InputDependencyConstraint",
        "JobClient",
        "JobExecutionResult",
        "JobID",
        "JobStatus",
        "RestartStrategies",
        "RestartStrategyConfiguration",
        "Row",
        "RowKind",
        "WatermarkStrategy",
        "Duration",
        "Instant",
        "Time",
        "AssignerWithPeriodicWatermarksWrapper",
    }
)


def test_exports_are_a_subset_of_pyflinks() -> None:
    assert set(kolk.common.__all__) <= PYFLINK_COMMON_ALL
    assert {
        "Configuration",
        "JobExecutionResult",
        "JobID",
        "Row",
        "RowKind",
        "Types",
        "TypeInformation",
        "Duration",
        "Instant",
        "Time",
        "WatermarkStrategy",
        "AssignerWithPeriodicWatermarksWrapper",
    } == set(kolk.common.__all__)


def test_exported_classes_name_their_module() -> None:
    homes = {name: getattr(kolk.common, name).__module__ for name in kolk.common.__all__}
    assert homes == {
        "Configuration": "kolk.common.configuration",
        "Duration": "kolk.common.time",
        "Instant": "kolk.common.time",
        "JobExecutionResult": "kolk.common.job_execution_result",
        "JobID": "kolk.common.job_id",
        "Row": "kolk.common.types",
        "RowKind": "kolk.common.types",
        "Time": "kolk.common.time",
        "TypeInformation": "kolk.common.typeinfo",
        "Types": "kolk.common.typeinfo",
        "WatermarkStrategy": "kolk.common.watermark_strategy",
        "AssignerWithPeriodicWatermarksWrapper": "kolk.common.watermark_strategy",
    }
