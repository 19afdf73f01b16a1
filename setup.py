"""Builds kolk's one optional C extension; everything else is in pyproject.toml.

``kolk._runtime.network._route`` splits a ``key_by`` batch into its channels in one C pass.
It is optional: without a C compiler the build goes on and kolk routes in pure Python (the
same result, slower; see src/kolk/_runtime/network/writer.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "kolk._runtime.network._route",
            ["src/kolk/_runtime/network/_route.c"],
            optional=True,
        )
    ]
)
