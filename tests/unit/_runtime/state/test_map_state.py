"""MapState over the heap backend (no TTL): a dict per key, grouped by key group."""

from __future__ import annotations

import pytest

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.state.map_state import HeapMapState, MapStateIterator
from kolk.common.typeinfo import Types
from kolk.datastream.state import MapState, MapStateDescriptor


@pytest.fixture
def state(backend: HeapKeyedStateBackend) -> HeapMapState:
    created = backend.get_map_state(MapStateDescriptor("m", Types.STRING(), Types.INT()))
    assert isinstance(created, HeapMapState)
    assert isinstance(created, MapState)
    return created


def test_an_empty_map(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    assert state.get("x") is None
    assert state.contains("x") is False
    assert state.is_empty() is True
    assert list(state.items()) == []
    assert list(state.keys()) == []
    assert list(state.values()) == []
    assert list(state) == []


def test_put_get_per_key_and_key_group(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 4)
    state.put("x", 1)
    state.put("y", 2)
    ctx.set_current_key("b", 4)
    state.put("x", 10)
    ctx.set_current_key("c", 100)
    state.put_all({"z": 3})
    ctx.set_current_key("a", 4)
    state.put("x", 5)
    assert (state.get("x"), state.get("y"), state.get("z")) == (5, 2, None)
    assert (state.contains("x"), state.contains("z")) == (True, False)
    assert state.is_empty() is False
    assert state.tables() == {4: {"a": {"x": 5, "y": 2}, "b": {"x": 10}}, 100: {"c": {"z": 3}}}


def test_iteration_in_insertion_order(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state.put_all({"x": 1, "y": 2})
    state.put("z", 3)
    assert list(state.items()) == [("x", 1), ("y", 2), ("z", 3)]
    assert list(state.keys()) == ["x", "y", "z"]
    assert list(state.values()) == [1, 2, 3]
    assert list(state) == ["x", "y", "z"]


def test_mapping_syntax(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state["x"] = 1
    assert state["x"] == 1
    assert state["missing"] is None
    assert "x" in state
    assert "missing" not in state
    del state["x"]
    del state["missing"]
    assert state.is_empty()


def test_put_all_takes_a_dict_or_pairs(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state.put_all({"x": 1})
    state.put_all([("y", 2), ("x", 3)])  # what PyFlink's loop over put_all's argument unpacks
    state.put_all({}.items())
    state.put_all(None)  # type: ignore[arg-type]
    assert list(state.items()) == [("x", 3), ("y", 2)]
    ctx.set_current_key("b", 1)
    state.put_all({})
    assert state.tables() == {1: {"a": {"x": 3, "y": 2}}}


def test_remove_drops_the_key_map_when_empty(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state.put_all({"x": 1, "y": 2})
    state.remove("x")
    state.remove("absent")
    assert list(state.items()) == [("y", 2)]
    state.remove("y")
    assert state.is_empty()
    assert state.tables() == {}


def test_a_key_mapped_to_none_is_not_contained(ctx: KeyContext, state: HeapMapState) -> None:
    # PyFlink: contains(k) is "get(k) is not None" (fn_execution/state_impl.py L809-815).
    ctx.set_current_key("a", 1)
    state.put("x", None)
    assert state.contains("x") is False
    assert list(state.items()) == [("x", None)]
    assert state.is_empty() is False


def test_clear_removes_the_current_key_only(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state.put("x", 1)
    ctx.set_current_key("b", 1)
    state.put("x", 2)
    state.clear()
    assert state.is_empty()
    ctx.set_current_key("a", 1)
    assert state.get("x") == 1


def test_iterators_walk_a_snapshot(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state.put_all({"x": 1, "y": 2})
    seen = []
    for key, value in state.items():
        state.put(key + "!", value)  # modifying while iterating is allowed
        seen.append(key)
    assert seen == ["x", "y"]
    assert list(state.keys()) == ["x", "y", "x!", "y!"]


def test_iterator_remove_deletes_the_last_mapping_returned(
    ctx: KeyContext, state: HeapMapState
) -> None:
    ctx.set_current_key("a", 1)
    state.put_all({"x": 1, "y": 2, "z": 3})
    iterator = state.keys()
    assert isinstance(iterator, MapStateIterator)
    assert iter(iterator) is iterator
    with pytest.raises(RuntimeError) as raised:
        iterator.remove()
    assert str(raised.value) == (
        "You need to call the '__next__' method before calling this method."
    )
    assert next(iterator) == "x"
    iterator.remove()
    with pytest.raises(RuntimeError):
        iterator.remove()
    assert next(iterator) == "y"
    assert next(iterator) == "z"
    iterator.remove()
    with pytest.raises(StopIteration):
        next(iterator)
    assert list(state.items()) == [("y", 2)]
    values = state.values()
    assert next(values) == 2
    values.remove()
    assert state.tables() == {}, "removing the last mapping removes the key's map"


def test_iterator_remove_after_the_map_was_replaced(ctx: KeyContext, state: HeapMapState) -> None:
    ctx.set_current_key("a", 1)
    state.put("x", 1)
    iterator = state.items()
    assert next(iterator) == ("x", 1)
    state.clear()
    state.put("y", 2)
    iterator.remove()
    assert list(state.items()) == [("y", 2)]
