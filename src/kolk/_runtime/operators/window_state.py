"""State scoped to a key *and* a window (Flink's state namespaces), for the window operator.

Flink's state tables are keyed by (key, namespace) inside each key group; a window operator
uses the window as the namespace of its pane contents, of its trigger's state and of the
per-window state of a ``ProcessWindowFunction``. kolk keeps that layout by giving a second
heap backend a key context of its own, whose key is ``(key, window)`` and whose key group is
the key's: :meth:`WindowScopedState.scope` points it at a window of the current key. So the
window state is organised by key group like all keyed state, and the heap states (with their
checks and statistics) are reused as they are.

Merging windows merge their state with Flink's ``AbstractHeapMergingState.mergeNamespaces``
order: the sources are combined in order, then combined into the target (``reduce(target,
reduce(s1, s2))``; a list is the target's elements, then each source's).

Threading model: owned by one window operator of one subtask; used on its task thread only.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, NoReturn, cast

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.watermark import NO_TIMESTAMP
from kolk.datastream.evictor import TimestampedValue
from kolk.datastream.functions import KeyedStateStore, ReduceFunction
from kolk.datastream.state import (
    AggregatingState,
    AggregatingStateDescriptor,
    ListState,
    ListStateDescriptor,
    MapState,
    MapStateDescriptor,
    ReducingState,
    ReducingStateDescriptor,
    State,
    StateDescriptor,
    ValueState,
    ValueStateDescriptor,
)

__all__ = [
    "AggregateContents",
    "ListContents",
    "MergingWindowStateStore",
    "PerWindowStateStore",
    "ReduceContents",
    "WindowContents",
    "WindowScopedState",
]

#: The contents' state name (PyFlink's ``WINDOW_STATE_NAME``).
WINDOW_CONTENTS = "window-contents"


class WindowScopedState:
    """The states of one window operator that belong to a window of the current key.

    Args:
        key_context: the operator's key context (the current key and key group).
        max_parallelism: the number of key groups.
    """

    def __init__(self, key_context: KeyContext, max_parallelism: int) -> None:
        self._key_context = key_context
        self._scope = KeyContext()
        self.backend = HeapKeyedStateBackend(self._scope, max_parallelism)

    def scope(self, window: Any) -> None:
        """Makes the states read and write ``window`` of the current key."""
        key_context = self._key_context
        scope = self._scope
        scope.key = (key_context.key, window)
        scope.key_group = key_context.key_group

    def state(self, descriptor: StateDescriptor) -> State:
        """The state of the descriptor (any kind), in the current scope.

        Raises:
            TypeError: not a state descriptor kolk knows.
        """
        backend = self.backend
        if isinstance(descriptor, ValueStateDescriptor):
            return backend.get_value_state(descriptor)
        if isinstance(descriptor, ListStateDescriptor):
            return backend.get_list_state(descriptor)
        if isinstance(descriptor, ReducingStateDescriptor):
            return backend.get_reducing_state(descriptor)
        if isinstance(descriptor, AggregatingStateDescriptor):
            return backend.get_aggregating_state(descriptor)
        if isinstance(descriptor, MapStateDescriptor):
            return backend.get_map_state(descriptor)
        raise TypeError(f"Unsupported state descriptor: {type(descriptor).__name__}")

    def merge(self, descriptor: StateDescriptor, target: Any, sources: Sequence[Any]) -> None:
        """Merges the sources' state of a list or reducing descriptor into the target's.

        Raises:
            TypeError: the descriptor's state cannot merge (value, map: Flink's message).
            NotImplementedError: an aggregating state (its accumulators are not reachable
                through the state API).
        """
        if isinstance(descriptor, ListStateDescriptor):
            lists = self.backend.get_list_state(descriptor)
            elements: list[Any] = []
            for source in sources:
                self.scope(source)
                elements.extend(lists.get())
                lists.clear()
            self.scope(target)
            if elements:
                lists.add_all(elements)
        elif isinstance(descriptor, ReducingStateDescriptor):
            reducing = self.backend.get_reducing_state(descriptor)
            reduce = descriptor.get_reduce_function().reduce
            merged = None
            for source in sources:
                self.scope(source)
                value = reducing.get()
                reducing.clear()
                if value is not None:
                    merged = value if merged is None else reduce(merged, value)
            self.scope(target)
            if merged is not None:
                reducing.add(merged)
        elif isinstance(descriptor, AggregatingStateDescriptor):
            raise NotImplementedError(
                "Merging an AggregatingState in Trigger.OnMergeContext.merge_partitioned_state "
                "is not supported by kolk yet; use a ReducingState or a ListState"
            )
        else:
            raise TypeError(
                "The given state descriptor does not refer to a mergeable state (MergingState)"
            )


# -- pane contents ------------------------------------------------------------------------------


class WindowContents(abc.ABC):
    """What the elements of a pane become until the window function runs.

    Methods act on the pane of the current key in the window last given to
    :meth:`WindowScopedState.scope` (the operator scopes before each call). The stored value
    is never None: a pane without contents has no entry.
    """

    def __init__(self, scoped: WindowScopedState) -> None:
        self._scoped = scoped
        self._state: ValueState[Any] = scoped.backend.get_value_state(
            ValueStateDescriptor(WINDOW_CONTENTS, None)
        )

    @abc.abstractmethod
    def add(self, value: Any, timestamp: int = NO_TIMESTAMP) -> None:
        """Adds an element (with its timestamp) to the pane."""

    @abc.abstractmethod
    def get(self) -> Any:
        """What the window function receives, or None for an empty pane."""

    def clear(self) -> None:
        """Empties the pane."""
        self._state.clear()

    @abc.abstractmethod
    def _combine(self, first: Any, second: Any) -> Any:
        """Two stored values as one (``first`` comes first)."""

    def merge(self, target: Any, sources: Sequence[Any]) -> None:
        """Moves the sources' contents into the target window's (Flink's order)."""
        state = self._state
        scoped = self._scoped
        merged = None
        for source in sources:
            scoped.scope(source)
            value = state.value()
            if value is not None:
                state.clear()
                merged = value if merged is None else self._combine(merged, value)
        scoped.scope(target)
        if merged is not None:
            current = state.value()
            state.update(merged if current is None else self._combine(current, merged))


class ListContents(WindowContents):
    """Every element, in arrival order (``apply``/``process``); the window function gets a
    copy, so it may keep or change its list."""

    def add(self, value: Any, timestamp: int = NO_TIMESTAMP) -> None:
        state = self._state
        elements = state.value()
        if elements is None:
            state.update([value])
        else:
            elements.append(value)

    def get(self) -> Any:
        elements = self._state.value()
        return None if elements is None else list(elements)

    def _combine(self, first: Any, second: Any) -> Any:
        return first + second


class ReduceContents(WindowContents):
    """The elements reduced as they arrive: ``reduce(reduced, element)`` (Flink's
    ``HeapReducingState``); the first element is stored as it is.

    Args:
        reduce_function: a ``ReduceFunction`` or a callable of two values.
    """

    def __init__(self, scoped: WindowScopedState, reduce_function: Any) -> None:
        super().__init__(scoped)
        self._reduce = (
            reduce_function.reduce
            if isinstance(reduce_function, ReduceFunction)
            else reduce_function
        )

    def add(self, value: Any, timestamp: int = NO_TIMESTAMP) -> None:
        state = self._state
        current = state.value()
        state.update(value if current is None else self._reduce(current, value))

    def get(self) -> Any:
        return self._state.value()

    def _combine(self, first: Any, second: Any) -> Any:
        return self._reduce(first, second)


class AggregateContents(WindowContents):
    """An accumulator per pane (Flink's ``HeapAggregatingState``): ``create_accumulator()``
    on the first element, then ``add(element, accumulator)``; the window function gets
    ``get_result(accumulator)``; merging windows ``merge`` their accumulators.

    Args:
        aggregate_function: an ``AggregateFunction``.
    """

    def __init__(self, scoped: WindowScopedState, aggregate_function: Any) -> None:
        super().__init__(scoped)
        self._function = aggregate_function

    def add(self, value: Any, timestamp: int = NO_TIMESTAMP) -> None:
        state = self._state
        function = self._function
        accumulator = state.value()
        if accumulator is None:
            accumulator = function.create_accumulator()
        state.update(function.add(value, accumulator))

    def get(self) -> Any:
        accumulator = self._state.value()
        return None if accumulator is None else self._function.get_result(accumulator)

    def _combine(self, first: Any, second: Any) -> Any:
        return self._function.merge(first, second)


class EvictingContents(WindowContents):
    """Every element with its timestamp, for an evictor (Flink's ``EvictingWindowOperator``):
    at a FIRE the evictor may drop elements before the window function, the elements left are
    reduced/aggregated then (if the window reduces or aggregates), and the evictor may drop
    more after it; the pane keeps what is left.

    Args:
        kind: "list", "reduce" or "aggregate": what the window function receives.
        function: the ReduceFunction (or callable) / AggregateFunction, for those kinds.
        evictor: the user's ``Evictor``.
    """

    def __init__(self, scoped: WindowScopedState, kind: str, function: Any, evictor: Any) -> None:
        super().__init__(scoped)
        self._kind = kind
        self._function = function
        self._evictor = evictor
        self._firing: list[TimestampedValue[Any]] = []

    def add(self, value: Any, timestamp: int = NO_TIMESTAMP) -> None:
        state = self._state
        element = TimestampedValue(value, None if timestamp == NO_TIMESTAMP else timestamp)
        elements = state.value()
        if elements is None:
            state.update([element])
        else:
            elements.append(element)

    def get(self) -> Any:
        elements = self._state.value()
        return None if elements is None else list(elements)

    def _combine(self, first: Any, second: Any) -> Any:
        return first + second

    def fire(self, window: Any, context: Any) -> Any:
        """Evicts before the function; returns what the window function receives (None: do
        not call it), keeping the elements for :meth:`after_fire`."""
        elements = list(self._state.value() or ())
        self._evictor.evict_before(elements, len(elements), window, context)
        self._firing = elements
        values = [element.get_value() for element in elements]
        if self._kind == "list":
            return values
        if self._kind == "reduce":
            if not values:
                return None
            reduce = (
                self._function.reduce
                if isinstance(self._function, ReduceFunction)
                else self._function
            )
            result = values[0]
            for value in values[1:]:
                result = reduce(result, value)
            return result
        accumulator = self._function.create_accumulator()
        for value in values:
            accumulator = self._function.add(value, accumulator)
        return self._function.get_result(accumulator)

    def after_fire(self, window: Any, context: Any) -> None:
        """Evicts after the function and stores what is left of the pane."""
        elements, self._firing = self._firing, []
        self._evictor.evict_after(elements, len(elements), window, context)
        if elements:
            self._state.update(elements)
        else:
            self._state.clear()


# -- ProcessWindowFunction.Context.window_state() -----------------------------------------------


class PerWindowStateStore(KeyedStateStore):
    """``window_state()``: keyed state of the current key in :attr:`window`."""

    def __init__(self, scoped: WindowScopedState) -> None:
        self._scoped = scoped
        self.window: Any = None

    def _state(self, descriptor: StateDescriptor, kind: type[StateDescriptor], method: str) -> Any:
        if not isinstance(descriptor, kind):
            raise TypeError(f"{method} expects a {kind.__name__}, got {type(descriptor).__name__}")
        self._scoped.scope(self.window)
        return self._scoped.state(descriptor)

    def get_state(self, state_descriptor: ValueStateDescriptor) -> ValueState[Any]:
        return cast(
            ValueState[Any], self._state(state_descriptor, ValueStateDescriptor, "get_state")
        )

    def get_list_state(self, state_descriptor: ListStateDescriptor) -> ListState[Any]:
        state = self._state(state_descriptor, ListStateDescriptor, "get_list_state")
        return cast(ListState[Any], state)

    def get_map_state(self, state_descriptor: MapStateDescriptor) -> MapState[Any, Any]:
        state = self._state(state_descriptor, MapStateDescriptor, "get_map_state")
        return cast(MapState[Any, Any], state)

    def get_reducing_state(self, state_descriptor: ReducingStateDescriptor) -> ReducingState[Any]:
        state = self._state(state_descriptor, ReducingStateDescriptor, "get_reducing_state")
        return cast(ReducingState[Any], state)

    def get_aggregating_state(
        self, state_descriptor: AggregatingStateDescriptor
    ) -> AggregatingState[Any, Any]:
        state = self._state(state_descriptor, AggregatingStateDescriptor, "get_aggregating_state")
        return cast(AggregatingState[Any, Any], state)


_MERGING_REFUSAL = "Per-window state is not allowed when using merging windows."


class MergingWindowStateStore(KeyedStateStore):
    """``window_state()`` with a merging assigner: refused, with PyFlink's message (a merged
    window's per-window state could not be merged)."""

    window: Any = None

    def _refuse(self) -> NoReturn:
        raise RuntimeError(_MERGING_REFUSAL)

    def get_state(self, state_descriptor: ValueStateDescriptor) -> NoReturn:
        self._refuse()

    def get_list_state(self, state_descriptor: ListStateDescriptor) -> NoReturn:
        self._refuse()

    def get_map_state(self, state_descriptor: MapStateDescriptor) -> NoReturn:
        self._refuse()

    def get_reducing_state(self, state_descriptor: ReducingStateDescriptor) -> NoReturn:
        self._refuse()

    def get_aggregating_state(self, state_descriptor: AggregatingStateDescriptor) -> NoReturn:
        self._refuse()
