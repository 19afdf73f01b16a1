"""ProcessFunction and KeyedProcessFunction operators."""

from __future__ import annotations

from typing import Any

from kolk._runtime.operators.base import FunctionOperator, OperatorEnvironment
from kolk._runtime.operators.runtime_context import KeyedProcessContext, ProcessContext
from kolk.datastream.functions import KeyedProcessFunction, ProcessFunction

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
        self._ctx = ProcessContext()

    def bindings(self) -> dict[str, Any]:
        return {"c": self._ctx}


class KeyedProcessOperator(FunctionOperator):
    """``process_element(value, ctx)`` with the current key and keyed state."""

    kind = "process"

    def __init__(self, function: Any) -> None:
        if not isinstance(function, KeyedProcessFunction):
            raise TypeError(
                f"KeyedStream.process expects a KeyedProcessFunction, got {type(function).__name__}"
            )
        super().__init__(function, "process_element")

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        if env.key_context is None:
            raise TypeError(f"operator '{env.name}' needs a keyed input (key_by first)")
        self._ctx = KeyedProcessContext(env.key_context)

    def bindings(self) -> dict[str, Any]:
        return {"c": self._ctx}
