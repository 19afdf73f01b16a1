"""W2 at parallelism 1 and 2 in instructions, per process: what two *full* cores would give.

Wall-clock speedups on a shared VM say as much about the host as about kolk
(``bench_parallel.py`` measures both). Instructions do not: ``valgrind --tool=callgrind``
counts the instructions each process executes, the same whatever else the machine does. On a
host whose two cores run one process each at the same speed, a job at parallelism 2 takes as
long as its busiest process, so

    projected speedup = instructions(p=1) / instructions(busiest process at p=2)

(an upper estimate: it assumes both processes keep the instructions-per-cycle of p=1, and
ignores the time a process waits for the other).

Method: each job runs under callgrind, its workers spawned (``kolk.start-method: spawn``) so
that every process is a fresh interpreter with a count of its own. Start-up, imports, job
shipping and one-off per-job costs are removed by running each job twice, with ``--records``
records and with 5% of them: a process's instructions *per record* are the difference over
the difference in records. (5% of 100,000 records is enough for every subtask to meet all
1,000 keys in both runs, so the one-off hashing of each key cancels out too.)

``--no-extensions`` runs the jobs with ``KOLK_NO_EXTENSIONS=1``: kolk's pure-Python routing
instead of its optional C extension.

Needs valgrind. Takes about two minutes per 100,000 records on two cores.

Run: python benchmarks/bench_instructions.py [--records N] [--workload NAME ...]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = ("W2 from_source", "W2 from_collection")
#: (parallelism, processes): p=1; p=2 with both subtasks in one process (what routing to two
#: channels costs); p=2 in two processes (what crossing them costs on top).
MODES = ((1, 1), (2, 1), (2, 2))


def run_job(workload: str, parallelism: int, processes: int, records: int) -> None:
    """The job itself (run under valgrind by :func:`count`)."""
    sys.path.insert(0, str(HERE))
    from bench_parallel import to_record, w2_collection, w2_sequence

    from kolk._cluster.client_options import set_client_options
    from kolk.common.configuration import Configuration

    set_client_options(processes=processes)
    configuration = Configuration()
    configuration.set_string("kolk.start-method", "spawn")
    run: Callable[[int], None]
    if workload == "W2 from_source":
        run = w2_sequence(records, configuration)
    else:
        run = w2_collection([to_record(i) for i in range(records)], configuration)
    run(parallelism)


def count(workload: str, parallelism: int, processes: int, records: int) -> list[tuple[bool, int]]:
    """Runs one job under callgrind; returns (is the client, instructions) per process."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--trace-children=yes",
                f"--callgrind-out-file={out}/cg.%p",
                sys.executable,
                __file__,
                "--job",
                workload,
                "--parallelism",
                str(parallelism),
                "--processes",
                str(processes),
                "--records",
                str(records),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes = []
        for path in sorted(glob.glob(f"{out}/cg.*")):
            text = Path(path).read_text()
            command = next(line for line in text.splitlines() if line.startswith("cmd:"))
            total = next(
                int(line.split()[1]) for line in text.splitlines() if line.startswith("summary:")
            )
            processes.append(("kolk._cluster.spawn" not in command, total))
    # The client first, then the workers in start order.
    return sorted(processes, key=lambda p: not p[0])


def per_record(records: int, workloads: list[str]) -> dict[tuple[str, int, int], list[float]]:
    """Instructions per job record of each process (the client first), fixed costs removed,
    for every workload in every mode of :data:`MODES`. The valgrind runs go one per core."""
    small = max(records // 20, 1)
    runs = [(w, p, k, n) for w in workloads for p, k in MODES for n in (records, small)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(runs, pool.map(lambda run: count(*run), runs), strict=True))
    result = {}
    for workload in workloads:
        for parallelism, processes in MODES:
            big = counts[workload, parallelism, processes, records]
            few = counts[workload, parallelism, processes, small]
            if len(big) != len(few):
                raise RuntimeError(f"{workload}: {len(big)} processes, then {len(few)}")
            result[workload, parallelism, processes] = [
                (b - f) / (records - small) for (_, b), (_, f) in zip(big, few, strict=True)
            ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--workload", action="append", choices=WORKLOADS, help="(repeatable)")
    parser.add_argument(
        "--no-extensions",
        action="store_true",
        help="run kolk without its optional C extension (KOLK_NO_EXTENSIONS=1)",
    )
    parser.add_argument("--job", choices=WORKLOADS, help=argparse.SUPPRESS)
    parser.add_argument("--parallelism", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--processes", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        run_job(args.job, args.parallelism, args.processes, args.records)
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench_instructions.py needs valgrind (apt-get install valgrind)")
    if args.no_extensions:
        os.environ["KOLK_NO_EXTENSIONS"] = "1"  # inherited by the jobs and their workers
    print(
        f"instructions per record (callgrind), {args.records:,} records, fixed costs removed"
        + (", without kolk's C extension" if args.no_extensions else "")
    )
    print(
        f"{'workload':<20}{'p=1':>8}{'p=2 in 1 proc':>15}{'p=2 client':>12}{'p=2 worker':>12}"
        f"{'p=2 total':>11}{'projected':>11}"
    )
    workloads = args.workload or list(WORKLOADS)
    counts = per_record(args.records, workloads)
    for workload in workloads:
        (one,), (together,), two = (counts[workload, p, k] for p, k in MODES)
        print(
            f"{workload:<20}{one:>8,.0f}{together:>15,.0f}{two[0]:>12,.0f}{two[1]:>12,.0f}"
            f"{sum(two):>11,.0f}{one / max(two):>10.2f}x"
        )
    print(
        f"python {sys.version.split()[0]}. p=2 in 1 proc: both subtasks in one process (the "
        "routing's cost); projected: p=1 over the busiest process at p=2 in two processes"
    )


if __name__ == "__main__":
    main()
