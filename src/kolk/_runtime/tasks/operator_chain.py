"""The operators of one task, wired together (Flink's ``OperatorChain``).

Chained operators call each other directly: runs of function operators are fused into one
per-record loop (:mod:`.fusion`); their output lists go to sinks and to the task's record
writers. The chain opens lazily, when the first records reach it, and closes only if it
opened (PyFlink's rule: ``open``/``close`` run once per subtask that received records).
Opening goes from the tail to the head, closing from the head to the tail, as in Flink.

Every consumer takes ``(records, timestamps=None)``; a keyed head also has
:attr:`OperatorChain.process_keyed` for batches that arrive with their keys. Watermarks enter
through :meth:`OperatorChain.process_watermark`: the head fires its event-time timers, then
the watermark goes on to every output (a timestamp assigner in the chain stops all but the
final one and emits its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kolk._runtime.errors import UserCodeError, describe_function
from kolk._runtime.key_groups import KeyGroupAssigner
from kolk._runtime.network.writer import RecordWriter
from kolk._runtime.operators.base import (
    BatchOperator,
    FunctionOperator,
    InputOperator,
    OperatorEnvironment,
    SourceOperator,
    StreamOperator,
    TwoInputOperator,
)
from kolk._runtime.operators.contexts import TaskTime
from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.operators.timestamps import TimestampsAndWatermarksOperator
from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.tasks.deployment import OperatorConfig, TaskConfig
from kolk._runtime.tasks.fusion import Consumer, KeyExtraction, compile_segment
from kolk._runtime.time.timer_service import InternalTimerService, Triggerable
from kolk._runtime.time.valve import WatermarkStatus
from kolk._runtime.time.watermark import MAX_WATERMARK, Watermark
from kolk.datastream.functions import KeySelector
from kolk.util.exceptions import KolkInternalError

__all__ = ["OperatorChain", "TimerServiceFactory"]

#: Builds a timer service for a keyed operator: (key context, triggerable) -> service.
TimerServiceFactory = Callable[[KeyContext, Triggerable], InternalTimerService]


class OperatorChain:
    """Creates, wires, opens and closes the operators of one subtask.

    Args:
        config: the task's configuration.
        writers: one record writer per entry of ``config.outputs``.
        timer_services: builds timer services wired to the task's processing time.
        task_time: the task's current watermark, read by process-function contexts.
        processing_time: the task's clock in ms (state TTL); the wall clock by default.
    """

    def __init__(
        self,
        config: TaskConfig,
        writers: list[RecordWriter],
        timer_services: TimerServiceFactory,
        task_time: TaskTime | None = None,
        processing_time: Callable[[], int] | None = None,
    ) -> None:
        self.config = config
        self._processing_time = processing_time
        self.writers = writers
        self.task_time = task_time or TaskTime()
        self._timer_services = timer_services
        self.operators: list[StreamOperator] = []
        self.opened = False
        self._open_operators: list[StreamOperator] = []
        for op_config in config.operators:
            self.operators.append(self._create(op_config))
        self._consumers: dict[int, Callable[..., None]] = {}
        head = self.operators[0]
        self.source: SourceOperator | None = head if isinstance(head, SourceOperator) else None
        #: The timestamp assigners of the chain (they emit watermarks periodically).
        self.assigners = [
            op for op in self.operators if isinstance(op, TimestampsAndWatermarksOperator)
        ]
        #: Keyed heads only: takes ``(records, keys, key_groups, timestamps=None)``.
        self.process_keyed: Callable[..., None] = self._reject_keys
        #: Two-input heads only: one entry per input, each taking
        #: ``(records, keys=None, key_groups=None, timestamps=None)``.
        self.process_input: tuple[Callable[..., None], Callable[..., None]] | None = None
        #: Takes a batch: ``(records, timestamps=None)``.
        self.process: Callable[..., None] = self._head_entry()

    def _create(self, op_config: OperatorConfig) -> StreamOperator:
        config = self.config
        operator = op_config.factory.create()
        key_context = KeyContext() if op_config.keyed else None
        backend = (
            HeapKeyedStateBackend(
                key_context, config.max_parallelism, time_provider=self._processing_time
            )
            if key_context is not None
            else None
        )
        runtime_context = StreamingRuntimeContext(
            config.vertex_name,
            config.subtask_index,
            config.parallelism,
            config.max_parallelism,
            config.attempt,
            config.job_parameters,
            backend,
        )
        create_timer_service = None
        if key_context is not None:
            factory = self._timer_services
            context = key_context

            def create_timer_service(triggerable: Triggerable) -> InternalTimerService:
                return factory(context, triggerable)

        operator.setup(
            OperatorEnvironment(
                name=op_config.name,
                task_name=config.vertex_name,
                subtask_index=config.subtask_index,
                parallelism=config.parallelism,
                runtime_context=runtime_context,
                key_context=key_context,
                keyed_backend=backend,
                create_timer_service=create_timer_service,
                task_time=self.task_time,
            )
        )
        return operator

    # -- wiring -------------------------------------------------------------------------------

    def _outputs_of(self, index: int) -> list[tuple[str, Consumer]]:
        op_config = self.config.operators[index]
        outputs = [
            (self.config.operators[c].name, self._consumer(c)) for c in op_config.chained_outputs
        ]
        outputs += [
            (self.writers[w].partition.name, self.writers[w].emit)
            for w in op_config.network_outputs
        ]
        return outputs

    def _side_outputs_of(self, index: int) -> dict[str, Consumer]:
        """The consumers of operator ``index``'s side outputs, by tag id."""
        op_config = self.config.operators[index]
        by_tag: dict[str, list[Consumer]] = {}
        for tag, c in op_config.side_chained_outputs:
            by_tag.setdefault(tag, []).append(self._consumer(c))
        for tag, w in op_config.side_network_outputs:
            by_tag.setdefault(tag, []).append(self.writers[w].emit)
        return {tag: _fan_out(consumers) for tag, consumers in by_tag.items()}

    def _consumer(self, index: int) -> Callable[..., None]:
        consumer = self._consumers.get(index)
        if consumer is None:
            consumer = self._consumers[index] = self._build_consumer(index)
        return consumer

    def _fused_run(self, index: int) -> tuple[list[FunctionOperator], int]:
        """The function operators fused from ``index`` on, and the index of the last one."""
        operator = self.operators[index]
        assert isinstance(operator, FunctionOperator)
        operator.side_outputs = self._side_outputs_of(index) or None
        run = [operator]
        last = index
        while True:
            cfg = self.config.operators[last]
            if len(cfg.chained_outputs) != 1 or cfg.network_outputs:
                break
            nxt = cfg.chained_outputs[0]
            nxt_op = self.operators[nxt]
            if not isinstance(nxt_op, FunctionOperator) or self.config.operators[nxt].keyed:
                break
            nxt_op.side_outputs = self._side_outputs_of(nxt) or None
            run.append(nxt_op)
            last = nxt
        return run, last

    def _build_consumer(self, index: int) -> Callable[..., None]:
        operator = self.operators[index]
        op_config = self.config.operators[index]
        stamped = op_config.timestamped_input
        if isinstance(operator, BatchOperator):
            if op_config.chained_outputs or op_config.network_outputs:
                raise KolkInternalError(f"sink '{op_config.name}' cannot have outputs")
            guarded = _guard_batch(operator)
            if op_config.keyed:
                # A keyed sink (KeyedStream.print()) ignores keys shipped with the records.
                self.process_keyed = lambda records, keys, key_groups, ts=None: guarded(records)
            return guarded
        if isinstance(operator, InputOperator):
            operator.output = _fan_out([c for _, c in self._outputs_of(index)])
            operator.side_outputs = self._side_outputs_of(index)
            return self._input_operator_entry(operator, op_config)
        if isinstance(operator, TwoInputOperator):
            operator.output = _fan_out([c for _, c in self._outputs_of(index)])
            operator.side_outputs = self._side_outputs_of(index)
            # Without timestamps on either input, no timestamp lists need to travel on.
            operator.timestamped_output = op_config.timestamped_input
            self.process_input = self._two_input_entries(operator, op_config)
            return self._reject_keys
        if isinstance(operator, FunctionOperator):
            run, last = self._fused_run(index)
            outputs = self._outputs_of(last)
            if not op_config.keyed:
                return compile_segment(run, outputs, timestamped_input=stamped)
            key_context = operator.env.key_context
            after_head = compile_segment(run[1:], outputs, timestamped_input=stamped)
            set_output = getattr(operator, "set_timer_output", None)
            if set_output is not None:
                set_output(after_head, stamped)
            # A keyed head takes records with their keys (several consumer channels: the
            # producer computed them to route) or without (one channel: it computes them).
            self.process_keyed = compile_segment(
                run, outputs, key_context, timestamped_input=stamped
            )
            return compile_segment(
                run, outputs, key_context, self._key_extraction(op_config), stamped
            )
        raise KolkInternalError(f"operator '{op_config.name}' cannot be chained here")

    def _input_operator_entry(
        self, operator: InputOperator, op_config: OperatorConfig
    ) -> Callable[..., None]:
        extraction = self._key_extraction(op_config)
        process = operator.process_batch

        def with_keys(
            records: list[Any],
            keys: list[Any],
            key_groups: list[int],
            timestamps: list[Any] | None = None,
        ) -> None:
            _guard(operator, process, records, keys, key_groups, timestamps)

        def without_keys(records: list[Any], timestamps: list[Any] | None = None) -> None:
            keys, key_groups = extraction.keys_of(records)
            _guard(operator, process, records, keys, key_groups, timestamps)

        self.process_keyed = with_keys
        return without_keys

    def _two_input_entries(
        self, operator: TwoInputOperator, op_config: OperatorConfig
    ) -> tuple[Callable[..., None], Callable[..., None]]:
        """Entries ``(records, keys=None, key_groups=None, timestamps=None)`` per input."""
        entries = []
        for process, selector in (
            (operator.process_batch1, op_config.key_selector),
            (operator.process_batch2, op_config.key_selector2),
        ):
            extraction = None if selector is None else self._key_extraction(op_config, selector)

            def entry(
                records: list[Any],
                keys: list[Any] | None = None,
                key_groups: list[int] | None = None,
                timestamps: list[Any] | None = None,
                process: Callable[..., None] = process,
                extraction: KeyExtraction | None = extraction,
            ) -> None:
                if keys is None and extraction is not None:
                    keys, key_groups = extraction.keys_of(records)
                _guard(operator, process, records, keys, key_groups, timestamps)

            entries.append(entry)
        return entries[0], entries[1]

    def _key_extraction(self, op_config: OperatorConfig, selector: Any = None) -> KeyExtraction:
        selector = selector if selector is not None else op_config.key_selector
        get_key = selector.get_key if isinstance(selector, KeySelector) else selector
        return KeyExtraction(
            get_key,
            KeyGroupAssigner(self.config.max_parallelism, op_config.key_type),
            "key selector " + describe_function(get_key),
        )

    def _head_entry(self) -> Callable[..., None]:
        if self.source is None:
            return self._consumer(0)
        return _fan_out([consumer for _, consumer in self._outputs_of(0)])

    def _reject_keys(self, *batch: Any) -> None:
        raise KolkInternalError(f"{self.config.vertex_name} received keyed buffers")

    # -- watermarks ---------------------------------------------------------------------------

    def process_watermark(self, watermark: int) -> None:
        """The task's input watermark advanced: fire the head's timers, then pass it on."""
        head = self.operators[0]
        on_watermark = getattr(head, "process_watermark", None)
        if on_watermark is not None:
            on_watermark(watermark)
        if self.assigners and watermark != MAX_WATERMARK:
            return  # Flink's TimestampsAndWatermarksOperator forwards only the final watermark
        self.emit_watermark(watermark)

    def emit_watermark(self, watermark: int) -> None:
        """Sends a watermark to every output of the task."""
        self.task_time.watermark = watermark
        event = Watermark(watermark)
        for writer in self.writers:
            writer.broadcast_event(event)

    def emit_periodic_watermarks(self) -> None:
        """The assigners' periodic emission (``pipeline.auto-watermark-interval``); an assigner
        whose input went idle (``with_idleness``) or became active again announces it
        downstream (a ``WatermarkStatus`` event), so idle inputs do not hold event time back.
        Records make an input active at once; the status follows at the next emission."""
        for assigner in self.assigners:
            watermark = assigner.next_periodic_watermark()
            if watermark is not None:
                self.emit_watermark(watermark)
            if assigner.idle != assigner.announced_idle:
                assigner.announced_idle = assigner.idle
                status = WatermarkStatus(assigner.idle)
                for writer in self.writers:
                    writer.broadcast_event(status)

    # -- life cycle -----------------------------------------------------------------------------

    def open(self) -> None:
        """Opens every operator, tail first (called before the first records)."""
        self.opened = True
        for operator in reversed(self.operators):
            _call_user(operator, operator.open, "open")
            self._open_operators.append(operator)

    def finish(self) -> None:
        """End of input for every operator, head first."""
        for operator in self.operators:
            _call_user(operator, operator.finish, "finish")

    def close(self) -> None:
        """Closes the operators that were opened, head first."""
        opened = self._open_operators
        self._open_operators = []
        for operator in self.operators:
            if operator in opened:
                _call_user(operator, operator.close, "close")


def _fan_out(consumers: list[Consumer]) -> Callable[..., None]:
    if len(consumers) == 1:
        return consumers[0]
    if not consumers:
        return _discard

    def fan_out(records: list[Any], timestamps: list[Any] | None = None) -> None:
        for consumer in consumers:
            consumer(records, timestamps)

    return fan_out


def _discard(records: list[Any], timestamps: list[Any] | None = None) -> None:
    """An operator whose outputs nobody consumes: the records end here."""


def _call_user(operator: StreamOperator, method: Callable[[], None], what: str) -> None:
    try:
        method()
    except (UserCodeError, KolkInternalError):
        raise
    except Exception as exc:
        function = getattr(operator, "function", None)
        target = describe_function(getattr(function, what, function)) if function else what
        raise UserCodeError(operator.name, f"{what}() of {target}", exc) from exc


def _guard(operator: StreamOperator, method: Callable[..., None], *args: Any) -> None:
    try:
        method(*args)
    except (UserCodeError, KolkInternalError):
        raise
    except Exception as exc:
        raise UserCodeError(operator.name, describe_function(method), exc) from exc


def _guard_batch(operator: BatchOperator) -> Callable[..., None]:
    process = operator.process_batch

    def run(records: list[Any], timestamps: list[Any] | None = None) -> None:
        try:
            process(records)
        except (UserCodeError, KolkInternalError):
            raise
        except Exception as exc:
            raise UserCodeError(operator.name, "sink", exc) from exc

    return run
