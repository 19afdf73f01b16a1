"""The seed's chaining experiment at scale: W1 with chaining on and off.

W1 is 1M ints through map(x * 2) -> filter(x > 5) at parallelism 1. With chaining on, source,
map and filter are one task and records pass by direct call (fused into one loop); with
``disable_operator_chaining()`` every operator is its own task and records cross two network
edges as buffers under credit-based flow control.

Run: python benchmarks/bench_chaining.py [--records N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import platform
import time

from kolk.datastream import StreamExecutionEnvironment


def double(x: int) -> int:
    return x * 2


def above_five(x: int) -> bool:
    return x > 5


def w1(data: list[int], chaining: bool) -> float:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    if not chaining:
        env.disable_operator_chaining()
    env.from_collection(data).map(double).filter(above_five)
    start = time.perf_counter()
    env.execute("W1")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = list(range(args.records))
    gc.collect()
    best = {True: float("inf"), False: float("inf")}
    for _ in range(args.repeat):
        for chaining in (True, False):
            best[chaining] = min(best[chaining], w1(data, chaining))
    n = args.records
    print(f"W1 chaining experiment, parallelism 1, {n:,} records, best of {args.repeat}")
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"{'chaining':<12}{'tasks':>6}{'rec/s':>14}{'seconds':>10}")
    print(f"{'enabled':<12}{1:>6}{n / best[True]:>14,.0f}{best[True]:>10.3f}")
    print(f"{'disabled':<12}{3:>6}{n / best[False]:>14,.0f}{best[False]:>10.3f}")
    print(f"chained / unchained throughput: {best[False] / best[True]:.2f}x")


if __name__ == "__main__":
    main()
