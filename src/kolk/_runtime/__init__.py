"""The runtime: tasks on mailbox loops, operators, the credit-based network, state, time.

Mirrors flink-runtime. It imports the public *contracts* (functions, state descriptors,
type information) and never the builders, ``_graph``, ``_cluster``, ``_web`` or ``_cli``.
"""
