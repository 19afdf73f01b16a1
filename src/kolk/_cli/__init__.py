"""The ``kolk`` command line: ``kolk run``, ``kolk plan``, ``kolk --version``.

Entry point: :func:`kolk._cli.main.main`. This package imports nothing on purpose, so that
``python -m kolk._cli.main`` runs the module once.
"""
