"""Builds kolk's optional C extensions; everything else is in pyproject.toml.

- ``kolk._runtime.network._route`` splits a ``key_by`` batch into its channels in one pass
  (see src/kolk/_runtime/network/writer.py);
- ``kolk._runtime.network._flat`` encodes and decodes buffers of flat records for another
  process (see src/kolk/_runtime/network/serialization.py).

Both are optional: without a C compiler the build goes on and kolk does the same in pure
Python (the same results, slower). ``KOLK_NO_EXTENSIONS=1`` turns them off at run time.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "kolk._runtime.network._route",
            ["src/kolk/_runtime/network/_route.c"],
            optional=True,
        ),
        Extension(
            "kolk._runtime.network._flat",
            ["src/kolk/_runtime/network/_flat.c"],
            optional=True,
        ),
    ]
)
