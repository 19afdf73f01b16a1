"""kolk's optional C extensions (built by setup.py), each loaded once or None.

An extension is None when it was not built (no C compiler at install time) or when the
environment variable ``KOLK_NO_EXTENSIONS`` is set to a non-empty value; its callers then do the
same work in pure Python, with the same results. Both ends of a channel load the same
extensions: they run the same installation (workers inherit the client's environment).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

__all__ = ["native_extension"]


def native_extension(name: str) -> ModuleType | None:
    """The module ``kolk._runtime.network.<name>``, or None (see the module docstring)."""
    if os.environ.get("KOLK_NO_EXTENSIONS"):
        return None
    try:
        return importlib.import_module(f"kolk._runtime.network.{name}")
    except ImportError:
        return None
