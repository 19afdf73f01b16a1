"""Job graphs: Transformations → StreamGraph → JobGraph (operator chaining) → plan JSON.

Mirrors Flink's ``org.apache.flink.streaming.api.graph``. Builders (the public
``DataStream`` API) record :mod:`kolk._graph.transformations`; ``execute()`` turns them into a
:class:`~kolk._graph.stream_graph.StreamGraph`, then a :class:`~kolk._graph.job_graph.JobGraph`
whose vertices are operator chains.
"""
