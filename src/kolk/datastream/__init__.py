"""The DataStream API (mirrors ``pyflink.datastream``).

Entry points: :class:`StreamExecutionEnvironment` (the program's context) and
:class:`DataStream` / :class:`KeyedStream` / :class:`DataStreamSink` (its streams); the
function interfaces user code implements (:class:`MapFunction`, :class:`KeyedProcessFunction`,
...) and what the runtime hands them (:class:`RuntimeContext`, :class:`TimerService`,
:class:`TimeDomain`).

Names are exported lazily (PEP 562): ``import kolk.datastream`` loads nothing else, and
importing a contract such as :mod:`kolk.datastream.functions` never loads the builders (the
environment and the streams), so the runtime can use the contracts without them (DESIGN.md §1).
``__all__`` holds the names of PyFlink's ``pyflink.datastream.__all__`` that kolk has.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kolk.datastream.data_stream import (
        BroadcastConnectedStream,
        BroadcastStream,
        ConnectedStreams,
        DataStream,
        DataStreamSink,
        KeyedStream,
        WindowedStream,
    )
    from kolk.datastream.functions import (
        AggregateFunction,
        BroadcastProcessFunction,
        CoFlatMapFunction,
        CoMapFunction,
        CoProcessFunction,
        FilterFunction,
        FlatMapFunction,
        KeyedBroadcastProcessFunction,
        KeyedCoProcessFunction,
        KeyedProcessFunction,
        KeySelector,
        MapFunction,
        ProcessFunction,
        ProcessWindowFunction,
        ReduceFunction,
        RuntimeContext,
        WindowFunction,
    )
    from kolk.datastream.output_tag import OutputTag
    from kolk.datastream.stream_execution_environment import StreamExecutionEnvironment
    from kolk.datastream.time_domain import TimeDomain
    from kolk.datastream.timerservice import TimerService
    from kolk.datastream.window import (
        CountWindow,
        GlobalWindow,
        MergingWindowAssigner,
        TimeWindow,
        Trigger,
        TriggerResult,
        Window,
        WindowAssigner,
    )

__all__ = [
    "AggregateFunction",
    "BroadcastConnectedStream",
    "BroadcastProcessFunction",
    "BroadcastStream",
    "CoFlatMapFunction",
    "CoMapFunction",
    "CoProcessFunction",
    "ConnectedStreams",
    "CountWindow",
    "DataStream",
    "DataStreamSink",
    "FilterFunction",
    "FlatMapFunction",
    "GlobalWindow",
    "KeySelector",
    "KeyedBroadcastProcessFunction",
    "KeyedCoProcessFunction",
    "KeyedProcessFunction",
    "KeyedStream",
    "MapFunction",
    "MergingWindowAssigner",
    "OutputTag",
    "ProcessFunction",
    "ProcessWindowFunction",
    "ReduceFunction",
    "RuntimeContext",
    "StreamExecutionEnvironment",
    "TimeDomain",
    "TimeWindow",
    "TimerService",
    "Trigger",
    "TriggerResult",
    "Window",
    "WindowAssigner",
    "WindowFunction",
    "WindowedStream",
]

#: Exported name -> the public module defining it.
_EXPORTS: dict[str, str] = {
    "StreamExecutionEnvironment": "kolk.datastream.stream_execution_environment",
    "DataStream": "kolk.datastream.data_stream",
    "KeyedStream": "kolk.datastream.data_stream",
    "DataStreamSink": "kolk.datastream.data_stream",
    "MapFunction": "kolk.datastream.functions",
    "FlatMapFunction": "kolk.datastream.functions",
    "ReduceFunction": "kolk.datastream.functions",
    "AggregateFunction": "kolk.datastream.functions",
    "FilterFunction": "kolk.datastream.functions",
    "ProcessFunction": "kolk.datastream.functions",
    "KeyedProcessFunction": "kolk.datastream.functions",
    "RuntimeContext": "kolk.datastream.functions",
    "TimerService": "kolk.datastream.timerservice",
    "TimeDomain": "kolk.datastream.time_domain",
    "KeySelector": "kolk.datastream.functions",
    "ConnectedStreams": "kolk.datastream.data_stream",
    "BroadcastStream": "kolk.datastream.data_stream",
    "BroadcastConnectedStream": "kolk.datastream.data_stream",
    "CoMapFunction": "kolk.datastream.functions",
    "CoFlatMapFunction": "kolk.datastream.functions",
    "CoProcessFunction": "kolk.datastream.functions",
    "KeyedCoProcessFunction": "kolk.datastream.functions",
    "BroadcastProcessFunction": "kolk.datastream.functions",
    "KeyedBroadcastProcessFunction": "kolk.datastream.functions",
    "WindowedStream": "kolk.datastream.data_stream",
    "WindowFunction": "kolk.datastream.functions",
    "ProcessWindowFunction": "kolk.datastream.functions",
    "Window": "kolk.datastream.window",
    "TimeWindow": "kolk.datastream.window",
    "CountWindow": "kolk.datastream.window",
    "GlobalWindow": "kolk.datastream.window",
    "WindowAssigner": "kolk.datastream.window",
    "MergingWindowAssigner": "kolk.datastream.window",
    "TriggerResult": "kolk.datastream.window",
    "Trigger": "kolk.datastream.window",
    "OutputTag": "kolk.datastream.output_tag",
}


def __getattr__(name: str) -> Any:
    """Imports an exported name's module on first access (PEP 562)."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later accesses skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
