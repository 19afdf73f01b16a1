"""Keyed state contracts and descriptors (mirrors ``pyflink.datastream.state``).

A descriptor names a state and its type; ``runtime_context.get_state(descriptor)`` returns a
handle whose value is scoped to the key of the element being processed.
"""

from __future__ import annotations

import abc
from typing import Any, Generic, TypeVar

__all__ = [
    "State",
    "StateDescriptor",
    "ValueState",
    "ValueStateDescriptor",
]

T = TypeVar("T")


class State(abc.ABC):
    """Interface that different types of partitioned state must implement."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Removes the value mapped under the current key."""


class ValueState(State, Generic[T]):
    """Keyed state that holds a single value per key."""

    @abc.abstractmethod
    def value(self) -> T:
        """Returns the current value for the state, or None if none was set for this key."""

    @abc.abstractmethod
    def update(self, value: T) -> None:
        """Updates the state's value for the current key."""


class StateDescriptor(abc.ABC):  # noqa: B024 - abstract by intent, as in PyFlink
    """Base class for state descriptors: a name, a type and optional TTL."""

    def __init__(self, name: str, type_info: Any) -> None:
        if not isinstance(name, str):
            raise TypeError(f"The state name must be a str, got {type(name).__name__}")
        self.name = name
        self.type_info = type_info
        self._ttl_config: Any = None

    def get_name(self) -> str:
        """Get the name of the state."""
        return self.name

    def enable_time_to_live(self, ttl_config: Any) -> None:
        """Configures optional activation of state time-to-live (TTL)."""
        raise NotImplementedError(
            "StateDescriptor.enable_time_to_live is not supported by kolk yet"
        )


class ValueStateDescriptor(StateDescriptor):
    """Descriptor for :class:`ValueState`."""

    def __init__(self, name: str, value_type_info: Any) -> None:
        super().__init__(name, value_type_info)
