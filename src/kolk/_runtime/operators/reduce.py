"""KeyedStream.reduce: a running reduction per key, emitted after every element."""

from __future__ import annotations

from typing import Any

from kolk._runtime.operators.base import FunctionOperator, OperatorEnvironment
from kolk.datastream.state import ValueStateDescriptor

__all__ = ["ReduceOperator"]

#: The internal state's name (Flink's StreamGroupedReduceOperator uses "_op_state").
REDUCE_STATE_NAME = "_op_state"


class ReduceOperator(FunctionOperator):
    """Flink's ``StreamGroupedReduceOperator``: the first element of a key is stored and
    emitted as is; each later one is ``reduce(current, element)``, stored and emitted."""

    kind = "reduce"

    def __init__(self, function: Any) -> None:
        super().__init__(function, "reduce")

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        if env.keyed_backend is None:
            raise TypeError(f"operator '{env.name}' needs a keyed input (key_by first)")
        self._state = env.keyed_backend.get_value_state(
            ValueStateDescriptor(REDUCE_STATE_NAME, None)
        )

    def bindings(self) -> dict[str, Any]:
        return {"s": self._state}
