"""The contracts user code implements and the runtime calls: functions, state, time."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from kolk.common import Types
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
from kolk.datastream.state import State, StateDescriptor, ValueState, ValueStateDescriptor
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


@pytest.mark.parametrize(
    "method", ["get_list_state", "get_map_state", "get_reducing_state", "get_aggregating_state"]
)
def test_other_state_kinds_not_supported_yet(method: str) -> None:
    class Store(KeyedStateStore):
        def get_state(self, state_descriptor: ValueStateDescriptor) -> ValueState:
            raise AssertionError

    with pytest.raises(
        NotImplementedError, match=rf"^KeyedStateStore\.{method} is not supported by kolk yet$"
    ):
        getattr(Store(), method)(None)


def test_value_state_descriptor() -> None:
    descriptor = ValueStateDescriptor("count", Types.INT())
    assert isinstance(descriptor, StateDescriptor)
    assert (descriptor.get_name(), descriptor.name, descriptor.type_info) == (
        "count",
        "count",
        Types.INT(),
    )


def test_state_name_must_be_a_string() -> None:
    with pytest.raises(TypeError, match=exactly("The state name must be a str, got int")):
        ValueStateDescriptor(1, Types.INT())  # type: ignore[arg-type]


def test_state_ttl_not_supported_yet() -> None:
    with pytest.raises(
        NotImplementedError,
        match=exactly("StateDescriptor.enable_time_to_live is not supported by kolk yet"),
    ):
        ValueStateDescriptor("x", None).enable_time_to_live(None)


def test_time_domain() -> None:
    assert [(d.name, d.value) for d in TimeDomain] == [("EVENT_TIME", 0), ("PROCESSING_TIME", 1)]


def test_runtime_context_signatures() -> None:
    assert list(inspect.signature(RuntimeContext.get_job_parameter).parameters) == [
        "self",
        "key",
        "default_value",
    ]
