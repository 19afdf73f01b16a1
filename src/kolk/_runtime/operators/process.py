"""ProcessFunction and KeyedProcessFunction operators.

``process_element`` runs inside the chain's fused loop (see
:mod:`kolk._runtime.tasks.fusion`); the keyed operator also owns the timers its function
registers and calls ``on_timer`` when they fire. Timer outputs go through the operators chained
after this one, stamped with the timer's time (event time) or without a timestamp
(processing time), as Flink's ``KeyedProcessOperator`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kolk._runtime.errors import UserCodeError, describe_function
from kolk._runtime.operators.base import FunctionOperator, OperatorEnvironment
from kolk._runtime.operators.contexts import (
    KeyedProcessContext,
    KeyedTimerService,
    OnTimerContext,
    ProcessContext,
)
from kolk._runtime.time.timer_service import InternalTimer, InternalTimerService
from kolk.datastream.functions import KeyedProcessFunction, ProcessFunction
from kolk.datastream.output_tag import OutputTag
from kolk.datastream.time_domain import TimeDomain

__all__ = ["KeyedProcessOperator", "ProcessOperator"]


class ProcessOperator(FunctionOperator):
    """``process_element(value, ctx)``; outputs are what it yields or returns (None = none)."""

    kind = "process"

    def __init__(self, function: Any) -> None:
        if not isinstance(function, ProcessFunction):
            raise TypeError(
                f"DataStream.process expects a ProcessFunction, got {type(function).__name__}"
            )
        super().__init__(function, "process_element")

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        self._ctx = ProcessContext(env.task_time)

    def bindings(self) -> dict[str, Any]:
        return {"c": self._ctx}


class KeyedProcessOperator(FunctionOperator):
    """``process_element(value, ctx)`` with the current key, keyed state and timers."""

    kind = "process"

    def __init__(self, function: Any) -> None:
        if not isinstance(function, KeyedProcessFunction):
            raise TypeError(
                f"KeyedStream.process expects a KeyedProcessFunction, got {type(function).__name__}"
            )
        super().__init__(function, "process_element")
        self._timer_output: Callable[..., None] | None = None
        self._stamped = False

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        if env.key_context is None or env.create_timer_service is None:
            raise TypeError(f"operator '{env.name}' needs a keyed input (key_by first)")
        self._timers: InternalTimerService = env.create_timer_service(self)
        service = KeyedTimerService(self._timers)
        self._ctx = KeyedProcessContext(env.key_context, service)
        self._timer_ctx = OnTimerContext(env.key_context, service)

    def bindings(self) -> dict[str, Any]:
        return {"c": self._ctx}

    def set_timer_output(self, output: Callable[..., None], stamped: bool) -> None:
        """Where timer outputs go: the operators chained after this one."""
        self._timer_output = output
        self._stamped = stamped

    def process_watermark(self, watermark: int) -> None:
        """Fires the event-time timers up to the watermark (before it is forwarded)."""
        self._timers.advance_watermark(watermark)

    def _split_side_outputs(
        self, outputs: list[Any]
    ) -> tuple[list[Any], list[tuple[Callable[..., None], Any]]]:
        """Splits yielded (OutputTag, value) pairs off: (main outputs, (consumer, value) pairs).
        Pairs for a side output nobody consumes are dropped, as in Flink."""
        main = []
        side: list[tuple[Callable[..., None], Any]] = []
        consumers = self.side_outputs or {}
        for output in outputs:
            if output.__class__ is tuple and len(output) == 2 and isinstance(output[0], OutputTag):
                consumer = consumers.get(output[0].tag_id)
                if consumer is not None:
                    side.append((consumer, output[1]))
            else:
                main.append(output)
        return main, side

    def on_event_time(self, timer: InternalTimer) -> None:
        """Triggerable: an event-time timer fired."""
        self._fire(timer, TimeDomain.EVENT_TIME, timer.timestamp)

    def on_processing_time(self, timer: InternalTimer) -> None:
        """Triggerable: a processing-time timer fired (outputs carry no timestamp)."""
        self._fire(timer, TimeDomain.PROCESSING_TIME, None)

    def _fire(self, timer: InternalTimer, domain: TimeDomain, stamp: Any) -> None:
        ctx = self._timer_ctx
        ctx.fire(timer.timestamp, domain)
        on_timer = self.function.on_timer
        try:
            result = on_timer(timer.timestamp, ctx)
            outputs = [] if result is None else list(result)
        except Exception as exc:
            raise UserCodeError(self.name, describe_function(on_timer), exc) from exc
        side: list[tuple[Callable[..., None], Any]] = []
        if self.side_outputs:
            outputs, side = self._split_side_outputs(outputs)
        if outputs and self._timer_output is not None:
            if self._stamped:
                self._timer_output(outputs, [stamp] * len(outputs))
            else:
                self._timer_output(outputs)
        # Side outputs after the main output, as for elements (see the fusion module).
        for consumer, value in side:
            consumer([value], [stamp] if self._stamped else None)
