"""Compatibility with programs written for PyFlink.

:func:`install_pyflink_alias` makes ``import pyflink...`` resolve to the ``kolk`` module of
the same dotted path, so that a PyFlink program runs on kolk unchanged (``kolk run`` installs
it before running a program).
"""

from __future__ import annotations

from kolk._compat.pyflink_alias import (
    install_pyflink_alias,
    is_pyflink_alias_installed,
    uninstall_pyflink_alias,
)

__all__ = ["install_pyflink_alias", "is_pyflink_alias_installed", "uninstall_pyflink_alias"]
