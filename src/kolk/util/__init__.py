"""Utilities of the public API (mirrors ``pyflink.util``)."""

__all__: list[str] = []
