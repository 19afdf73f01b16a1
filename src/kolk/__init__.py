"""kolk: Apache Flink DataStream programs written in Python, on a Python runtime of their own.

Importing :mod:`kolk` is cheap: it defines the version only. The public API lives in the
modules that mirror PyFlink's (``kolk.datastream``, ``kolk.common``, ...).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
