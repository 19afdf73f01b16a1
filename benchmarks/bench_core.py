"""Core throughput benchmarks at parallelism 1, each against a hand-written Python loop.

W1: 1M ints through map(x * 2) -> filter(x > 5) (one chain).
W2: 1M (key, i) tuples, 1,000 keys, key_by -> KeyedProcessFunction counting in ValueState
    (two tasks exchanging buffers under credit-based flow control).

The hand-written loop calls the same user functions (and, for W2, the same function with a
minimal dict-backed ValueState): it is the practical limit for per-record Python work. Each
workload runs ``--repeat`` times; the best time is reported (least disturbed by other load).

Run: python benchmarks/bench_core.py [--records N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import platform
import time
from collections.abc import Callable
from typing import Any

from kolk.common.typeinfo import Types
from kolk.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from kolk.datastream.state import ValueStateDescriptor


class CountPerKey(KeyedProcessFunction):
    """Counts records per key in ValueState; emits nothing (as the PyFlink benchmark)."""

    def open(self, runtime_context: Any) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value: Any, ctx: Any) -> None:
        self.count.update((self.count.value() or 0) + 1)


def double(x: int) -> int:
    return x * 2


def above_five(x: int) -> bool:
    return x > 5


def key_of(record: tuple[str, int]) -> str:
    return record[0]


def best_of_interleaved(repeat: int, *runs: Callable[[], None]) -> list[float]:
    """Best wall time of each run, alternating them so that load changes hit both alike."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def w1_kolk(data: list[int]) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.from_collection(data).map(double).filter(above_five)
    env.execute("W1")


def w1_loop(data: list[int]) -> None:
    m, f = double, above_five
    for x in data:
        y = m(x)
        if f(y):
            pass


def w2_kolk(data: list[tuple[str, int]]) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.from_collection(data).key_by(key_of).process(CountPerKey())
    env.execute("W2")


class _DictValueState:
    """The least a ValueState can be: a dict lookup under the current key."""

    def __init__(self, current: list[Any]) -> None:
        self._current = current
        self._values: dict[Any, Any] = {}

    def value(self) -> Any:
        return self._values.get(self._current[0])

    def update(self, value: Any) -> None:
        self._values[self._current[0]] = value


class _LoopContext:
    def __init__(self, current: list[Any]) -> None:
        self._current = current

    def get_state(self, descriptor: Any) -> _DictValueState:
        return _DictValueState(self._current)

    def get_current_key(self) -> Any:
        return self._current[0]


def w2_loop(data: list[tuple[str, int]]) -> None:
    current: list[Any] = [None]
    ctx = _LoopContext(current)
    fn = CountPerKey()
    fn.open(ctx)
    process = fn.process_element
    select = key_of
    for record in data:
        current[0] = select(record)
        process(record, ctx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.records
    ints = list(range(n))
    keyed = [(f"key{i % 1000}", i) for i in range(n)]
    # The inputs were just allocated: collect once so that neither side pays for promoting
    # them through the young generations of the garbage collector while it is measured.
    gc.collect()
    print(f"kolk core benchmarks, parallelism 1, {n:,} records, best of {args.repeat}")
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{platform.processor() or 'cpu'}"
    )
    print(f"{'workload':<40}{'kolk rec/s':>14}{'loop rec/s':>14}{'fraction':>10}")
    for name, engine, loop, data in (
        ("W1 map(x*2) -> filter(x>5)", w1_kolk, w1_loop, ints),
        ("W2 key_by -> ValueState count (1k keys)", w2_kolk, w2_loop, keyed),
    ):
        kolk_s, loop_s = best_of_interleaved(
            args.repeat, lambda e=engine, d=data: e(d), lambda f=loop, d=data: f(d)
        )
        print(f"{name:<40}{n / kolk_s:>14,.0f}{n / loop_s:>14,.0f}{loop_s / kolk_s:>10.2f}")


if __name__ == "__main__":
    main()
