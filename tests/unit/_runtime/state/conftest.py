"""Fixtures for the heap state tests: a key context, a manual clock, a backend on both."""

from __future__ import annotations

import pytest
from state_helpers import ManualTime

from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext

#: Key groups of the test backends (Flink's default for small parallelisms).
MAX_PARALLELISM = 128


@pytest.fixture
def ctx() -> KeyContext:
    return KeyContext()


@pytest.fixture
def clock() -> ManualTime:
    return ManualTime()


@pytest.fixture
def backend(ctx: KeyContext, clock: ManualTime) -> HeapKeyedStateBackend:
    return HeapKeyedStateBackend(ctx, MAX_PARALLELISM, time_provider=clock)
