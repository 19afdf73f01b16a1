"""Cost of crossing a process boundary: encoding and decoding one 1,024-record buffer.

For each encoding path of :class:`kolk._runtime.network.serialization.BufferCodec`, prints the
encode and decode time per record, next to plain ``pickle`` of the same records (the baseline
every path must beat) and, for tuples, ``marshal`` with the exact-type check that using it
safely would take (why tuples are pickled). Events are timed per event, in microseconds.
Every case runs ``--rounds`` times, interleaved with the others, with the garbage collector
off; the best round is reported (least disturbed by other load).

Run: python benchmarks/bench_serialization.py [--rounds R] [--number N]
"""

from __future__ import annotations

import argparse
import gc
import marshal
import pickle
import platform
import time
from collections.abc import Callable
from itertools import chain
from typing import Any

from kolk._runtime.network.buffer import END_OF_PARTITION, Buffer, FlushReason
from kolk._runtime.network.serialization import BufferCodec
from kolk._runtime.time.valve import WatermarkStatus
from kolk._runtime.time.watermark import Watermark
from kolk.common.typeinfo import Types
from kolk.common.types import Row, RowKind

RECORDS = 1024
_SCALARS = frozenset({str, int, float, bool, type(None), bytes})


class Reading:
    """A user class: always pickled."""

    def __init__(self, sensor: str, value: float) -> None:
        self.sensor = sensor
        self.value = value


def _rows() -> list[Row]:
    rows = [Row(name=f"user{i % 50}", age=i, score=i * 0.5) for i in range(RECORDS)]
    for row in rows[::7]:
        row.set_row_kind(RowKind.UPDATE_AFTER)
    return rows


def workloads() -> list[tuple[str, Any, list[Any], bool]]:
    """(label, declared type, records, with timestamps)."""
    words = [f"some words {i}" for i in range(RECORDS)]
    pairs = [(f"word{i % 100}", i) for i in range(RECORDS)]
    return [
        ("STRING", Types.STRING(), words, False),
        ("STRING + timestamps", Types.STRING(), words, True),
        ("STRING, 1 KiB lines", Types.STRING(), [w * 80 for w in words], False),
        ("undeclared str", None, words, False),
        ("LONG", Types.LONG(), [i * 7919 for i in range(RECORDS)], False),
        ("DOUBLE", Types.DOUBLE(), [i * 0.25 for i in range(RECORDS)], False),
        ("TUPLE(STRING, INT)", Types.TUPLE([Types.STRING(), Types.INT()]), pairs, False),
        ("undeclared (str, int) + timestamps", None, pairs, True),
        (
            "ROW_NAMED(name, age, score)",
            Types.ROW_NAMED(
                ["name", "age", "score"], [Types.STRING(), Types.INT(), Types.DOUBLE()]
            ),
            _rows(),
            False,
        ),
        (
            "undeclared Reading objects",
            None,
            [Reading(f"s{i}", i * 0.5) for i in range(RECORDS)],
            False,
        ),
    ]


def best_of(rounds: int, number: int, cases: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best time per call in ns, the cases interleaved round by round."""
    best = dict.fromkeys(cases, float("inf"))
    gc.disable()
    try:
        for _ in range(rounds):
            for label, case in cases.items():
                start = time.perf_counter_ns()
                for _ in range(number):
                    case()
                best[label] = min(best[label], (time.perf_counter_ns() - start) / number)
    finally:
        gc.enable()
    return best


def _exact(records: list[Any]) -> bool:
    """The cheapest exact-type check of flat tuples that would make marshal safe."""
    kinds = set(map(type, records))
    if kinds <= _SCALARS:
        return True
    return kinds == {tuple} and set(map(type, chain.from_iterable(records))) <= _SCALARS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=40)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {RECORDS} records per buffer, ns per record")
    print(f"{'path':36s} {'encode':>8s} {'decode':>8s} {'pickle enc':>11s} {'pickle dec':>11s}")
    stamps = list(range(1_700_000_000_000, 1_700_000_000_000 + RECORDS))
    for label, type_info, records, with_ts in workloads():
        codec = BufferCodec(type_info, "Map")
        timestamps = stamps if with_ts else None
        buffer = Buffer(records, flush_reason=FlushReason.FULL, timestamps=timestamps)
        payload = codec.encode(buffer)
        plain = pickle.dumps((records, timestamps), 5)
        cases: dict[str, Callable[[], object]] = {
            "encode": lambda c=codec, b=buffer: c.encode(b),  # type: ignore[misc]
            "decode": lambda c=codec, p=payload: c.decode(p),  # type: ignore[misc]
            "pickle enc": lambda r=records, t=timestamps: pickle.dumps((r, t), 5),
            "pickle dec": lambda p=plain: pickle.loads(p),
        }
        if label == "TUPLE(STRING, INT)":
            marshalled = marshal.dumps(records)
            cases["marshal+check enc"] = lambda r=records: _exact(r) and marshal.dumps(r)
            cases["marshal dec"] = lambda m=marshalled: marshal.loads(m)
        best = {k: v / RECORDS for k, v in best_of(args.rounds, args.number, cases).items()}
        print(
            f"{label:36s} {best['encode']:8.1f} {best['decode']:8.1f} "
            f"{best['pickle enc']:11.1f} {best['pickle dec']:11.1f}"
        )
        if "marshal dec" in best:
            print(
                f"{'  (marshal + exact-type check)':36s} "
                f"{best['marshal+check enc']:8.1f} {best['marshal dec']:8.1f}"
            )
    print(f"\n{'event':36s} {'encode':>8s} {'decode':>8s} {'pickle enc':>11s} {'pickle dec':>11s}")
    codec = BufferCodec(None, "Map")
    for event in (Watermark(1_700_000_000_123), WatermarkStatus(True), END_OF_PARTITION):
        buffer = Buffer(event=event, flush_reason=FlushReason.EVENT)
        payload = codec.encode(buffer)
        plain = pickle.dumps(event, 5)
        best = best_of(
            args.rounds,
            args.number * 50,
            {
                "encode": lambda b=buffer: codec.encode(b),  # type: ignore[misc]
                "decode": lambda p=payload: codec.decode(p),  # type: ignore[misc]
                "pickle enc": lambda e=event: pickle.dumps(e, 5),
                "pickle dec": lambda p=plain: pickle.loads(p),
            },
        )
        print(
            f"{event!r:36s} {best['encode'] / 1000:7.2f}µ {best['decode'] / 1000:7.2f}µ "
            f"{best['pickle enc'] / 1000:10.2f}µ {best['pickle dec'] / 1000:10.2f}µ"
            f"   ({len(payload)} vs {len(plain)} bytes)"
        )


if __name__ == "__main__":
    main()
