"""Running ``kolk`` as users do, in a child process, for the conformance tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["REFERENCE_DIR", "TIMEOUT_S", "run_kolk"]

REFERENCE_DIR = Path(__file__).parent / "reference"
"""Real PyFlink 2.3's seed programs and their recorded stdout (copied from shared/reference)."""

TIMEOUT_S = 60


def run_kolk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Runs ``kolk ARGS...`` through this interpreter; returns exit status, stdout, stderr.

    Raises:
        subprocess.TimeoutExpired: kolk did not finish within :data:`TIMEOUT_S` seconds.
    """
    return subprocess.run(
        [sys.executable, "-m", "kolk._cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        check=False,
    )
