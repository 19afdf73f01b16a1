"""The contracts user code implements and the runtime calls: functions, state, time."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from kolk.datastream.functions import (
    FilterFunction,
    FlatMapFunction,
    Function,
    KeyedProcessFunction,
    KeyedStateStore,
    KeySelector,
    MapFunction,
    ProcessFunction,
    ReduceFunction,
    RuntimeContext,
)
from kolk.datastream.state import State, ValueState
from kolk.datastream.time_domain import TimeDomain
from kolk.datastream.timerservice import TimerService


def exactly(message: str) -> str:
    """A ``match=`` pattern for exactly this message."""
    return f"^{re.escape(message)}$"


@pytest.mark.parametrize(
    ("interface", "method"),
    [
        (MapFunction, "map"),
        (FlatMapFunction, "flat_map"),
        (FilterFunction, "filter"),
        (KeySelector, "get_key"),
        (ReduceFunction, "reduce"),
        (ProcessFunction, "process_element"),
        (KeyedProcessFunction, "process_element"),
        (ValueState, "value"),
        (State, "clear"),
        (TimerService, "register_event_time_timer"),
        (ProcessFunction.Context, "timer_service"),
        (KeyedProcessFunction.Context, "get_current_key"),
        (KeyedProcessFunction.OnTimerContext, "time_domain"),
        (RuntimeContext, "get_index_of_this_subtask"),
        (KeyedStateStore, "get_state"),
    ],
)
def test_interfaces_are_abstract(interface: type, method: str) -> None:
    assert method in interface.__abstractmethods__  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="abstract"):
        interface()


def test_function_lifecycle_defaults_do_nothing() -> None:
    class Upper(MapFunction):
        def map(self, value: Any) -> Any:
            return value.upper()

    function = Upper()
    assert isinstance(function, Function)
    assert function.open(None) is None  # type: ignore[arg-type]
    assert function.close() is None
    assert function.map("a") == "A"


def test_on_timer_is_optional() -> None:
    class Counter(KeyedProcessFunction):
        def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
            yield value

    assert Counter().on_timer(1, None) is None  # type: ignore[arg-type]
    assert list(Counter().process_element(3, None)) == [3]  # type: ignore[arg-type]


def test_on_timer_context_is_a_context() -> None:
    assert issubclass(KeyedProcessFunction.OnTimerContext, KeyedProcessFunction.Context)


def test_time_domain() -> None:
    assert [(d.name, d.value) for d in TimeDomain] == [("EVENT_TIME", 0), ("PROCESSING_TIME", 1)]


def test_runtime_context_signatures() -> None:
    assert list(inspect.signature(RuntimeContext.get_job_parameter).parameters) == [
        "self",
        "key",
        "default_value",
    ]
