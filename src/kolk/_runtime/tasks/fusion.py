"""Fusing a chain's function operators into one per-record loop.

PyFlink runs consecutive Python operators of a chain as one fused operator: each record goes
through every function before the next record starts. kolk does the same, and fast: it
generates the source of one Python function per run of function operators, with each user
callable bound as a closure variable. For ``map -> filter`` that is::

    def segment(records):
        out = []
        append = out.append
        for v0 in records:
            v1 = f0(v0)
            if f1(v1):
                append(v1)
        if out:
            consumer0(out)

so the per-record cost is the user calls plus one loop iteration, the cost of a hand-written
loop (measured: benchmarks/bench_core.py W1). The outputs of the run are handed on as one list
to the next consumers (sinks and network writers), as PyFlink hands a bundle back to Java.

Errors raised while the segment runs are attributed to the operator whose line raised, using
the generated code's line numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kolk._runtime.errors import UserCodeError, describe_function
from kolk._runtime.key_groups import KeyGroupAssigner
from kolk._runtime.operators.base import FunctionOperator
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.watermark import NO_TIMESTAMP
from kolk.datastream.output_tag import OutputTag
from kolk.util.exceptions import KolkInternalError

__all__ = ["Consumer", "KeyExtraction", "SideOutputCollector", "compile_segment"]

#: ``consumer(records, timestamps=None)``.
Consumer = Callable[..., None]

_counter = itertools.count(1)


class SideOutputCollector:
    """Gathers one batch's side-output records by tag; :meth:`flush` hands them on.

    Records for a tag nobody consumes are dropped, as in Flink.
    """

    __slots__ = ("_consumers", "_pending")

    def __init__(self, consumers: dict[str, Consumer]) -> None:
        self._consumers = consumers
        self._pending: dict[str, tuple[list[Any], list[Any]]] = {}

    def collect(self, pair: tuple[Any, Any], timestamp: Any) -> None:
        """Adds ``pair = (output_tag, value)`` with its timestamp."""
        tag_id = pair[0].tag_id
        if tag_id not in self._consumers:
            return
        records, stamps = self._pending.setdefault(tag_id, ([], []))
        records.append(pair[1])
        stamps.append(timestamp)

    def flush(self) -> None:
        """Delivers the gathered records, tag by tag."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        for tag_id, (records, stamps) in pending.items():
            self._consumers[tag_id](records, stamps)


@dataclass(frozen=True)
class KeyExtraction:
    """How a keyed head finds the key of a record that arrives without it.

    Attributes:
        get_key: the user's key selector (bound ``get_key`` or the callable).
        assigner: key → key group.
        description: names the key selector in error messages.
    """

    get_key: Callable[[Any], Any]
    assigner: KeyGroupAssigner
    description: str

    def keys_of(self, records: list[Any]) -> tuple[list[Any], list[int]]:
        """The keys and key groups of a batch."""
        try:
            keys = list(map(self.get_key, records))
            return keys, list(map(self.assigner.assign, keys))
        except Exception as exc:
            raise UserCodeError("key_by", self.description, exc) from exc


def compile_segment(
    operators: Sequence[FunctionOperator],
    consumers: Sequence[tuple[str, Consumer]],
    key_context: KeyContext | None = None,
    extract_keys: KeyExtraction | None = None,
    timestamped_input: bool = False,
) -> Callable[..., None]:
    """Returns one function that runs ``operators`` per record over a batch.

    Args:
        operators: function operators, each feeding the next by direct call (may be empty:
            the batch then goes straight to the consumers).
        consumers: (name, consumer) pairs that receive the last operator's outputs as a list,
            with their timestamps when the segment's records carry them:
            ``consumer(records, timestamps)``.
        key_context: set for a keyed chain head: the segment then takes
            ``(records, keys, key_groups, timestamps=None)`` and sets the current key before
            each record.
        extract_keys: with ``key_context``, for records that arrive without their keys (a
            hash edge with one consumer channel ships plain records): the segment takes
            ``(records, timestamps=None)`` and computes each key itself, as Flink's keyed
            operators do (``setKeyContextElement``).
        timestamped_input: the batches come with a timestamps list parallel to the records.
            A record keeps its timestamp through map/filter/flat_map/process/reduce; the
            timestamp assigner (kind ``assign``) gives it a new one.

    Returns:
        ``segment(records, timestamps=None)`` (keyed with shipped keys:
        ``segment(records, keys, key_groups, timestamps=None)``); raises
        :class:`UserCodeError` naming the failing operator.
    """
    lines: list[str] = []
    owner: list[str | None] = []  # per generated line: the operator name it belongs to
    describe: dict[str, str] = {}

    def emit(text: str, depth: int, who: str | None = None) -> None:
        lines.append("    " * depth + text)
        owner.append(who)

    params: list[str] = ["NO_TS", "OutputTag"]
    values: list[Any] = [NO_TIMESTAMP, OutputTag]
    side_collectors: list[SideOutputCollector] = []
    shipped_keys = key_context is not None and extract_keys is None
    emit(
        "def segment(records, keys, key_groups, timestamps=None):"
        if shipped_keys
        else "def segment(records, timestamps=None):",
        1,
    )
    has_ts = timestamped_input
    emits_ts = has_ts or any(op.kind == "assign" for op in operators)
    if consumers:
        emit("out = []", 2)
        emit("append = out.append", 2)
        if emits_ts:
            emit("out_ts = []", 2)
            emit("append_ts = out_ts.append", 2)
    depth = 2
    if key_context is not None and extract_keys is not None:
        selector = f"key selector of {operators[0].name}"
        describe[selector] = extract_keys.description
        params += ["kc", "select", "cache_get", "assign"]
        values += [
            key_context,
            extract_keys.get_key,
            extract_keys.assigner.str_cache_get,
            extract_keys.assigner.assign,
        ]
        if has_ts:
            emit("for v0, ts in zip(records, timestamps):", depth)
        else:
            emit("for v0 in records:", depth)
        emit("key = select(v0)", depth + 1, selector)
        # Inlined cache hit for exact str keys (see HashRecordWriter._key_groups).
        emit("if key.__class__ is str:", depth + 1)
        emit("kg = cache_get(key)", depth + 2)
        emit("if kg is None:", depth + 2)
        emit("kg = assign(key)", depth + 3, selector)
        emit("else:", depth + 1)
        emit("kg = assign(key)", depth + 2, selector)
        emit("kc.key = key", depth + 1)
        emit("kc.key_group = kg", depth + 1)
    elif key_context is not None:
        params.append("kc")
        values.append(key_context)
        if has_ts:
            emit("for v0, key, kg, ts in zip(records, keys, key_groups, timestamps):", depth)
        else:
            emit("for v0, key, kg in zip(records, keys, key_groups):", depth)
        emit("kc.key = key", depth + 1)
        emit("kc.key_group = kg", depth + 1)
    elif has_ts:
        emit("for v0, ts in zip(records, timestamps):", depth)
    else:
        emit("for v0 in records:", depth)
    depth += 1
    cur = "v0"
    for i, op in enumerate(operators):
        name = op.name
        describe[name] = describe_function(op.call)
        params.append(f"f{i}")
        values.append(op.call)
        for key, value in op.bindings().items():
            params.append(f"{key}{i}")
            values.append(value)
        nxt = f"v{i + 1}"
        if op.kind == "map":
            emit(f"{nxt} = f{i}({cur})", depth, name)
            cur = nxt
        elif op.kind == "filter":
            emit(f"if f{i}({cur}):", depth, name)
            depth += 1
        elif op.kind == "flat_map":
            emit(f"for {nxt} in f{i}({cur}):", depth, name)
            depth += 1
            cur = nxt
        elif op.kind == "process":
            if has_ts:
                emit(f"c{i}.ts = ts", depth)
            emit(f"r{i} = f{i}({cur}, c{i})", depth, name)
            emit(f"if r{i} is not None:", depth, name)
            emit(f"for {nxt} in r{i}:", depth + 1, name)
            depth += 2
            cur = nxt
            if op.side_outputs:
                # PyFlink's rule: an operator whose side outputs are used sends a yielded
                # (OutputTag, value) pair to that side output.
                collector = SideOutputCollector(op.side_outputs)
                side_collectors.append(collector)
                params += [f"side{i}", f"flush{i}"]
                values += [collector.collect, collector.flush]
                emit(
                    f"if {cur}.__class__ is tuple and len({cur}) == 2 "
                    f"and isinstance({cur}[0], OutputTag):",
                    depth,
                )
                emit(f"side{i}({cur}, {'ts' if has_ts else 'NO_TS'})", depth + 1, name)
                emit("continue", depth + 1)
        elif op.kind == "reduce":
            emit(f"a{i} = s{i}.value()", depth, name)
            emit(f"{nxt} = {cur} if a{i} is None else f{i}(a{i}, {cur})", depth, name)
            emit(f"s{i}.update({nxt})", depth, name)
            cur = nxt
        elif op.kind == "assign":
            # f: extract_timestamp(value, previous timestamp); g: the watermark generator.
            emit(f"ts = f{i}({cur}, {'ts' if has_ts else 'NO_TS'})", depth, name)
            emit(f"g{i}({cur}, ts)", depth, name)
            has_ts = True
        else:
            raise KolkInternalError(f"no fusion template for operator kind {op.kind!r}")
    if consumers:
        emit(f"append({cur})", depth)
        if has_ts:
            emit("append_ts(ts)", depth)
    else:
        emit("pass", depth)
    if key_context is not None:
        # Leave the keyed context: state used later (close(), ...) must fail loudly.
        emit("kc.key_group = -1", 2)
        emit("kc.key = None", 2)
    if consumers:
        emit("if out:", 2)
        for j, (consumer_name, consumer) in enumerate(consumers):
            params.append(f"consumer{j}")
            values.append(consumer)
            emit(f"consumer{j}(out{', out_ts' if has_ts else ''})", 3, consumer_name)
    # Side outputs go on after the main output, as in PyFlink, where the side output passes
    # through an extra Python operator whose bundle finishes after the main results.
    for i, op in enumerate(operators):
        if op.side_outputs and op.kind == "process":
            emit(f"flush{i}()", 2, op.name)
    emit("return segment", 1)
    source = f"def factory({', '.join(params)}):\n" + "\n".join(lines) + "\n"
    names = " -> ".join(op.name for op in operators) or "outputs"
    filename = f"<kolk fused chain {next(_counter)}: {names}>"
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), namespace)
    segment: Callable[..., None] = namespace["factory"](*values)
    code = segment.__code__  # type: ignore[attr-defined]
    # Line 1 is "def factory(...)"; generated line k is source line k + 1.
    line_owner = {k + 2: who for k, who in enumerate(owner)}
    first_name = operators[0].name if operators else names

    def run(*batch: Any) -> None:
        try:
            segment(*batch)
        except (UserCodeError, KolkInternalError):
            raise
        except Exception as exc:
            who = None
            tb = exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code is code:
                    who = line_owner.get(tb.tb_lineno)
                tb = tb.tb_next
            operator_name = who or first_name
            raise UserCodeError(
                operator_name, describe.get(operator_name, "function"), exc
            ) from exc

    return run
