"""Connectors: sources and sinks for external systems (mirrors ``pyflink.datastream.connectors``).

kolk has the unified :class:`Source` base (``pyflink.datastream.connectors.base``) and
:class:`~kolk.datastream.connectors.number_seq.NumberSequenceSource`
(``pyflink.datastream.connectors.number_seq``), read with ``env.from_source(...)``. As in
PyFlink, ``__all__`` names the base classes only, and ``NumberSequenceSource`` is also
available here for programs that import it from this package (PyFlink keeps it here "for
backward compatibility").
"""

from __future__ import annotations

from kolk.datastream.connectors.base import Source
from kolk.datastream.connectors.number_seq import NumberSequenceSource as NumberSequenceSource

__all__ = ["Source"]
