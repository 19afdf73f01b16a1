"""The one rule deciding operator chaining (Flink's ``StreamingJobGraphGenerator.isChainable``).

An edge up → down is chained, so both operators run in one task and records pass by direct
call, iff all of:

1. chaining is enabled for the job (``disable_operator_chaining()`` turns it off);
2. down has exactly one input edge (no union, no second input);
3. both are in the same slot sharing group;
4. the edge is FORWARD (so ``key_by``, ``rebalance()``, ... always cut the chain);
5. both have the same parallelism;
6. up is not NEVER (``disable_chaining()``) and down is ALWAYS (HEAD = ``start_new_chain()``,
   NEVER = ``disable_chaining()`` both refuse a predecessor).
"""

from __future__ import annotations

from kolk._graph.stream_graph import StreamEdge, StreamGraph
from kolk._graph.transformations import ChainingStrategy, ShipStrategy

__all__ = ["is_chainable"]


def is_chainable(edge: StreamEdge, graph: StreamGraph) -> bool:
    """True if ``edge`` joins its two operators into one chain (see the module docstring)."""
    up = graph.nodes[edge.source_id]
    down = graph.nodes[edge.target_id]
    return (
        graph.config.chaining_enabled
        and len(down.in_edges) == 1
        and up.slot_sharing_group == down.slot_sharing_group
        and edge.ship_strategy is ShipStrategy.FORWARD
        and up.parallelism == down.parallelism
        and up.chaining_strategy is not ChainingStrategy.NEVER
        and down.chaining_strategy is ChainingStrategy.ALWAYS
    )
