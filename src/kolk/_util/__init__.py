"""Leaf helpers with no kolk dependencies (standard library only).

Everything here may be imported from any layer; nothing here imports kolk.
"""

from __future__ import annotations

__all__: list[str] = []
