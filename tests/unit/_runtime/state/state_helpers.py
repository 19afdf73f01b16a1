"""Test doubles for the heap state tests: a manual TTL clock and small user functions."""

from __future__ import annotations

from typing import Any

from kolk.datastream.functions import AggregateFunction, ReduceFunction

__all__ = ["Average", "ManualTime", "Sum"]


class ManualTime:
    """A TTL time provider that moves only when told to (epoch milliseconds).

    ``reads`` counts the calls, so a test can check that a state does not read the clock.
    """

    def __init__(self, start_ms: int = 1_000) -> None:
        self.now_ms = start_ms
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


class Sum(ReduceFunction):
    def reduce(self, value1: Any, value2: Any) -> Any:
        return value1 + value2


class Average(AggregateFunction):
    """(sum, count) accumulator; the result is the mean."""

    def create_accumulator(self) -> Any:
        return (0, 0)

    def add(self, value: Any, accumulator: Any) -> Any:
        return (accumulator[0] + value, accumulator[1] + 1)

    def get_result(self, accumulator: Any) -> Any:
        return accumulator[0] / accumulator[1]

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        return (acc_a[0] + acc_b[0], acc_a[1] + acc_b[1])
