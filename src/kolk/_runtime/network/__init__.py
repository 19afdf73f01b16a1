"""The network stack: buffers, result partitions, input gates and credit-based flow control.

Flink's names throughout (``ResultPartition``, ``ResultSubpartition``, ``InputGate``,
``InputChannel``, credit, backlog). Producers write records into buffers
(:mod:`.writer`); finished buffers queue in a subpartition (:mod:`.partition`); the transport
(:mod:`.transport`) moves a buffer to its consumer's input channel only against credit
(:mod:`.consumer`), and consumers announce credit as buffers free up.
"""
