"""What the two-input operators share: the user function's life cycle, the per-batch loop,
output timestamps and the keyed machinery (key context, timers, ``on_timer``).

Records and their outputs. Each call of a user method returns its outputs (an iterable, or None
for none); the operator collects the outputs of a whole batch and hands them on with one
``output(records, timestamps)`` call, as PyFlink hands a bundle back to Java. An output
carries the timestamp of the element that produced it, as Flink's ``TimestampedCollector``
does. Timer outputs carry the timer's time in event time and no timestamp in processing time
(Flink's ``KeyedCoProcessOperator.onEventTime`` / ``onProcessingTime``).

Keys. A keyed operator (the chain gave it a key context) receives the keys and key groups of
its keyed inputs with the records, sets the key context per record and leaves it afterwards
(also when user code raises), so keyed state used outside an element or timer fails loudly.
Records of a non-keyed input of a keyed operator (the broadcast side) run with no key set.

Errors. An exception raised by a user method (``process_element*``, ``map*``, ``flat_map*``,
``on_timer``) is wrapped in a :class:`~kolk._runtime.errors.UserCodeError` naming the operator
and that method, with the user's exception as its cause (the chain passes UserCodeErrors on
unchanged; its own wrapping would name this operator's ``process_batch*`` instead).

Life cycle: ``setup`` (contexts, timers), ``open`` (the user function's ``open``), then batches,
watermarks and timers on the task thread, ``close`` (the function's ``close``).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from typing import Any

from kolk._runtime.errors import UserCodeError, describe_function
from kolk._runtime.operators.base import OperatorEnvironment, TwoInputOperator
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.timer_service import InternalTimer, InternalTimerService
from kolk._runtime.time.watermark import NO_TIMESTAMP
from kolk.datastream.functions import Function
from kolk.datastream.time_domain import TimeDomain
from kolk.util.exceptions import KolkInternalError

__all__ = ["CoFunctionOperator", "ElementCall", "KeyedCoFunctionOperator"]

#: A user method in process shape: ``call(value, ctx)`` returns the outputs or None. Co-map
#: and co-flat-map functions are adapted to it.
ElementCall = Callable[[Any, Any], "Iterable[Any] | None"]


class CoFunctionOperator(TwoInputOperator):
    """Base of the two-input operators: one user function serving both inputs.

    Attributes:
        function: this subtask's copy of the user function.
        timestamped_output: whether the operator's output stream carries timestamps (it does
            when either input does: the StreamGraph marks the node ``timestamped``). When
            True, every emitted batch has a timestamps list: None entries for records of an
            input without timestamps and for processing-time timer outputs, the timer's time
            for event-time timer outputs. When False, batches of an input without timestamps
            and all timer outputs go out without a list. The default is True, which is
            correct either way (consumers of an output without timestamps ignore the list);
            the chain may set it to ``OperatorConfig.timestamped_input`` to spare the lists
            when no input carries timestamps.
    """

    timestamped_output: bool = True

    def __init__(self, function: Any) -> None:
        self.function = function
        self._key_context: KeyContext | None = None

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        self._key_context = env.key_context

    def open(self) -> None:
        if isinstance(self.function, Function):
            self.function.open(self.env.runtime_context)

    def close(self) -> None:
        if isinstance(self.function, Function):
            self.function.close()

    #: Per input: (element call, its context, the user method named in errors).
    _input1: tuple[ElementCall, Any, Any]
    _input2: tuple[ElementCall, Any, Any]
    #: False when the second input runs without a key (the broadcast side).
    _second_input_keyed = True
    #: True for keyed operators: their keyed inputs' records must come with keys.
    _requires_keys = False

    def _require_keys(self, keys: list[Any] | None, input_number: int) -> None:
        if keys is None:
            raise KolkInternalError(
                f"operator '{self.name}' received records of its keyed input {input_number} "
                f"without their keys"
            )

    def process_batch1(
        self,
        records: list[Any],
        keys: list[Any] | None,
        key_groups: list[int] | None,
        timestamps: list[Any] | None,
    ) -> None:
        call, ctx, user_function = self._input1
        if self._requires_keys:
            self._require_keys(keys, 1)
        self._run(call, ctx, records, keys, key_groups, timestamps, user_function)

    def process_batch2(
        self,
        records: list[Any],
        keys: list[Any] | None,
        key_groups: list[int] | None,
        timestamps: list[Any] | None,
    ) -> None:
        call, ctx, user_function = self._input2
        if not self._second_input_keyed:
            keys = key_groups = None
        elif self._requires_keys:
            self._require_keys(keys, 2)
        self._run(call, ctx, records, keys, key_groups, timestamps, user_function)

    def _run(
        self,
        call: ElementCall,
        ctx: Any,
        records: list[Any],
        keys: list[Any] | None,
        key_groups: list[int] | None,
        timestamps: list[Any] | None,
        user_function: Any,
    ) -> None:
        """Calls ``call(value, ctx)`` per record, then emits the batch's outputs.

        With a key context and keys, each record runs with its key set; with a key context and
        no keys (the non-keyed input of a keyed operator) the records run with no key set.
        ``ctx.ts`` is set to each record's timestamp (``Long.MIN_VALUE`` without timestamps).

        Raises:
            UserCodeError: ``call`` raised; names the operator and ``user_function`` (the
                user's method behind ``call``) and chains the user's exception.
        """
        try:
            out, out_ts = self._collect(call, ctx, records, keys, key_groups, timestamps)
        except (UserCodeError, KolkInternalError):
            raise
        except Exception as exc:
            raise UserCodeError(self.name, describe_function(user_function), exc) from exc
        if out:
            if out_ts is None and self.timestamped_output:
                out_ts = [None] * len(out)
            self.output(out, out_ts)

    def _collect(
        self,
        call: ElementCall,
        ctx: Any,
        records: list[Any],
        keys: list[Any] | None,
        key_groups: list[int] | None,
        timestamps: list[Any] | None,
    ) -> tuple[list[Any], list[Any] | None]:
        """The outputs of a batch, with their timestamps (None if the batch has none).

        Hot path: one loop per batch with the list methods bound to locals; the four loop
        variants avoid per-record tests of what is fixed for the batch. The key context is
        left afterwards, also when user code raises.
        """
        out: list[Any] = []
        extend = out.extend
        kc = self._key_context
        if kc is not None:
            kc.clear()
        if timestamps is None:
            ctx.ts = NO_TIMESTAMP
            if kc is None or keys is None:
                for value in records:
                    result = call(value, ctx)
                    if result is not None:
                        extend(result)
            else:
                assert key_groups is not None
                try:
                    for value, key, key_group in zip(records, keys, key_groups, strict=True):
                        kc.key = key
                        kc.key_group = key_group
                        result = call(value, ctx)
                        if result is not None:
                            extend(result)
                finally:
                    kc.clear()
            return out, None
        out_ts: list[Any] = []
        extend_ts = out_ts.extend
        if kc is None or keys is None:
            for value, ts in zip(records, timestamps, strict=True):
                ctx.ts = ts
                result = call(value, ctx)
                if result is not None:
                    before = len(out)
                    extend(result)
                    extend_ts([ts] * (len(out) - before))
        else:
            assert key_groups is not None
            try:
                for value, key, key_group, ts in zip(
                    records, keys, key_groups, timestamps, strict=True
                ):
                    kc.key = key
                    kc.key_group = key_group
                    ctx.ts = ts
                    result = call(value, ctx)
                    if result is not None:
                        before = len(out)
                        extend(result)
                        extend_ts([ts] * (len(out) - before))
            finally:
                kc.clear()
        return out, out_ts


class KeyedCoFunctionOperator(CoFunctionOperator):
    """A two-input operator with keyed state and timers (keyed co-process, keyed broadcast).

    Subclasses create their timer context in :meth:`_create_timer_context` and name the user's
    ``on_timer`` in :meth:`_on_timer`.
    """

    _requires_keys = True

    def setup(self, env: OperatorEnvironment) -> None:
        super().setup(env)
        if env.key_context is None or env.create_timer_service is None:
            raise KolkInternalError(
                f"operator '{env.name}' is keyed but was set up without a key context"
            )
        self._timers: InternalTimerService = env.create_timer_service(self)

    def process_watermark(self, watermark: int) -> None:
        """Fires the event-time timers up to the watermark (before it is forwarded)."""
        self._timers.advance_watermark(watermark)

    def on_event_time(self, timer: InternalTimer) -> None:
        """Triggerable: an event-time timer fired (outputs carry the timer's time)."""
        self._fire(timer, TimeDomain.EVENT_TIME, timer.timestamp)

    def on_processing_time(self, timer: InternalTimer) -> None:
        """Triggerable: a processing-time timer fired (outputs carry no timestamp)."""
        self._fire(timer, TimeDomain.PROCESSING_TIME, None)

    @abc.abstractmethod
    def _timer_context(self) -> Any:
        """The context passed to ``on_timer``; it has ``fire(timestamp, domain)``."""

    def _on_timer(self) -> Callable[[int, Any], Any]:
        """The user's ``on_timer``."""
        return self.function.on_timer  # type: ignore[no-any-return]

    def _fire(self, timer: InternalTimer, domain: TimeDomain, stamp: Any) -> None:
        ctx = self._timer_context()
        ctx.fire(timer.timestamp, domain)
        try:
            result = self._on_timer()(timer.timestamp, ctx)
            outputs = [] if result is None else list(result)
        except Exception as exc:
            on_timer = getattr(self.function, "on_timer", None) or self.function
            raise UserCodeError(self.name, describe_function(on_timer), exc) from exc
        if outputs:
            if self.timestamped_output:
                self.output(outputs, [stamp] * len(outputs))
            else:
                self.output(outputs, None)
