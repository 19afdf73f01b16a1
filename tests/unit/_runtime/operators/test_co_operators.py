"""The two-input operators, driven directly: co-map, co-flat-map, co-process, keyed co-process,
broadcast process and keyed broadcast process.

Each test sets an operator up as a chain would (a real KeyContext, HeapKeyedStateBackend and
InternalTimerService for keyed operators, a manual processing time), collects what it emits
through ``output`` and feeds it batches with ``process_batch1/2``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._runtime.errors import UserCodeError
from kolk._runtime.key_groups import KeyGroupAssigner
from kolk._runtime.operators.base import OperatorEnvironment, TwoInputOperator
from kolk._runtime.operators.co_broadcast import (
    BroadcastProcessOperator,
    KeyedBroadcastProcessOperator,
)
from kolk._runtime.operators.co_broadcast_state import (
    BroadcastStateStatistics,
    BroadcastStateStore,
)
from kolk._runtime.operators.co_map import CoFlatMapOperator, CoMapOperator
from kolk._runtime.operators.co_process import CoProcessOperator, KeyedCoProcessOperator
from kolk._runtime.operators.contexts import TaskTime
from kolk._runtime.operators.factories import (
    BroadcastProcessOperatorFactory,
    CoMapOperatorFactory,
    KeyedCoProcessOperatorFactory,
)
from kolk._runtime.operators.runtime_context import StreamingRuntimeContext
from kolk._runtime.state.heap import HeapKeyedStateBackend
from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.timer_service import InternalTimerService, Triggerable
from kolk._runtime.time.watermark import NO_TIMESTAMP
from kolk.common import Types
from kolk.datastream.functions import (
    BroadcastProcessFunction,
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
    RuntimeContext,
)
from kolk.datastream.state import MapStateDescriptor, ValueStateDescriptor
from kolk.datastream.time_domain import TimeDomain
from kolk.util.exceptions import KolkInternalError, StateAccessException

MAX_PARALLELISM = 128
ASSIGNER = KeyGroupAssigner(MAX_PARALLELISM)
RULES = MapStateDescriptor("rules", Types.STRING(), Types.INT())


@contextlib.contextmanager
def user_error(kind: type[BaseException], pattern: str) -> Iterator[None]:
    """Expects a UserCodeError caused by a ``kind`` whose message matches ``pattern``."""
    with pytest.raises(UserCodeError) as raised:
        yield
    cause = raised.value.__cause__
    assert isinstance(cause, kind), repr(cause)
    assert re.search(pattern, str(cause)), str(cause)


class Harness:
    """Sets an operator up like a chain and records its outputs as (records, timestamps)."""

    def __init__(
        self,
        operator: TwoInputOperator,
        keyed: bool,
        name: str = "Co-Op",
        timestamped_output: bool = False,
    ) -> None:
        self.operator = operator
        # As the chain sets it: False unless an input carries timestamps.
        operator.timestamped_output = timestamped_output  # type: ignore[attr-defined]
        self.now = 1_000
        self.scheduled: list[int] = []
        self.task_time = TaskTime()
        self.key_context = KeyContext() if keyed else None
        self.backend = (
            HeapKeyedStateBackend(self.key_context, MAX_PARALLELISM)
            if self.key_context is not None
            else None
        )
        self.timers: InternalTimerService | None = None
        self.emitted: list[tuple[list[Any], list[Any] | None]] = []
        runtime_context = StreamingRuntimeContext(
            "Co-Op", 0, 1, MAX_PARALLELISM, 0, {}, self.backend
        )
        operator.setup(
            OperatorEnvironment(
                name=name,
                task_name=name,
                subtask_index=0,
                parallelism=1,
                runtime_context=runtime_context,
                key_context=self.key_context,
                keyed_backend=self.backend,
                create_timer_service=self._create_timers if keyed else None,
                task_time=self.task_time,
            )
        )
        operator.output = self._collect
        operator.open()

    def _create_timers(self, triggerable: Triggerable) -> InternalTimerService:
        self.timers = InternalTimerService(
            self.key_context, triggerable, lambda: self.now, self.scheduled.append
        )
        return self.timers

    def _collect(self, records: list[Any], timestamps: list[Any] | None = None) -> None:
        self.emitted.append((list(records), None if timestamps is None else list(timestamps)))

    def input1(self, records: list[Any], timestamps: list[Any] | None = None, key: Any = None):
        self.operator.process_batch1(records, *self._keys(records, key), timestamps)

    def input2(self, records: list[Any], timestamps: list[Any] | None = None, key: Any = None):
        self.operator.process_batch2(records, *self._keys(records, key), timestamps)

    @staticmethod
    def _keys(records: list[Any], key: Any) -> tuple[list[Any] | None, list[int] | None]:
        if key is None:
            return None, None
        keys = [key(r) for r in records]
        return keys, [ASSIGNER.assign(k) for k in keys]

    def records(self) -> list[Any]:
        return [r for batch, _ in self.emitted for r in batch]

    def take(self) -> list[tuple[list[Any], list[Any] | None]]:
        emitted, self.emitted = self.emitted, []
        return emitted


# -- co-map, co-flat-map --------------------------------------------------------------------------


class Tagging(CoMapFunction):
    """Tags elements by input; drops None results; records its life cycle."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def open(self, runtime_context: RuntimeContext) -> None:
        self.calls.append(f"open {runtime_context.get_task_name()}")

    def map1(self, value: Any) -> Any:
        return None if value == "skip" else f"1:{value}"

    def map2(self, value: Any) -> Any:
        return f"2:{value * 10}"

    def close(self) -> None:
        self.calls.append("close")


def test_co_map_calls_map1_and_map2_and_drops_none() -> None:
    function = Tagging()
    h = Harness(CoMapOperator(function), keyed=False)
    h.input1(["a", "skip", "b"])
    h.input2([1, 2])
    h.input1(["skip"])
    h.operator.close()
    assert h.take() == [(["1:a", "1:b"], None), (["2:10", "2:20"], None)]
    assert function.calls == ["open Co-Op", "close"]


def test_by_default_every_batch_goes_out_with_timestamps() -> None:
    # Safe without the chain's flag: consumers of an output without timestamps ignore them.
    operator = CoMapOperator(Tagging())
    assert operator.timestamped_output is True
    h = Harness(operator, keyed=False, timestamped_output=True)
    h.input1(["a"])
    assert h.take() == [(["1:a"], [None])]


def test_co_map_outputs_keep_their_input_timestamps() -> None:
    h = Harness(CoMapOperator(Tagging()), keyed=False)
    h.input1(["a", "skip", "b"], [5, 6, 7])
    h.input2([3], [None])
    assert h.take() == [(["1:a", "1:b"], [5, 7]), (["2:30"], [None])]


def test_an_unstamped_batch_gets_none_timestamps_on_a_timestamped_output() -> None:
    h = Harness(CoMapOperator(Tagging()), keyed=False, timestamped_output=True)
    h.input2([1, 2])
    assert h.take() == [(["2:10", "2:20"], [None, None])]


class CountingCoMap(CoMapFunction):
    """Keyed: counts each key's elements over both inputs in ValueState."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.INT()))

    def _bump(self, value: Any) -> str:
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        return f"{value}#{count}"

    def map1(self, value: Any) -> Any:
        return self._bump(value)

    def map2(self, value: Any) -> Any:
        return self._bump(value)


def test_keyed_co_map_runs_each_element_with_its_key() -> None:
    h = Harness(CoMapOperator(CountingCoMap()), keyed=True)
    h.input1(["a1", "b1", "a2"], key=lambda v: v[0])
    h.input2(["a3", "b2"], key=lambda v: v[0])
    assert h.records() == ["a1#1", "b1#1", "a2#2", "a3#3", "b2#2"]
    assert h.key_context is not None and h.key_context.key_group == -1


class Splitting(CoFlatMapFunction):
    def flat_map1(self, value: Any) -> Any:
        yield from value.split()

    def flat_map2(self, value: Any) -> Any:
        return [value] * value if value else None


def test_co_flat_map_emits_what_it_yields_or_returns() -> None:
    h = Harness(CoFlatMapOperator(Splitting()), keyed=False)
    h.input1(["a b", "", "c"], [1, 2, 3])
    h.input2([2, 0, 1])
    assert h.take() == [(["a", "b", "c"], [1, 1, 3]), ([2, 2, 1], None)]


def test_co_operators_check_their_function_type() -> None:
    with pytest.raises(TypeError, match=r"^ConnectedStreams.map expects a CoMapFunction, got"):
        CoMapOperator(Splitting())
    with pytest.raises(TypeError, match=r"^ConnectedStreams.flat_map expects a CoFlatMapFunction"):
        CoFlatMapOperator(Tagging())
    with pytest.raises(TypeError, match=r"^ConnectedStreams.process expects a CoProcessFunction"):
        CoProcessOperator(Tagging())
    with pytest.raises(TypeError, match=r"expects a KeyedCoProcessFunction or a CoProcessFunction"):
        KeyedCoProcessOperator(Tagging())
    with pytest.raises(TypeError, match=r"expects a BroadcastProcessFunction on a non-keyed"):
        BroadcastProcessOperator(Tagging(), [RULES])
    with pytest.raises(TypeError, match=r"expects a KeyedBroadcastProcessFunction on a"):
        KeyedBroadcastProcessOperator(Tagging(), [RULES])


def test_the_factory_gives_each_subtask_its_own_function() -> None:
    function = Tagging()
    factory = CoMapOperatorFactory(function)
    first, second = factory.create(), factory.create()
    assert isinstance(first, CoMapOperator) and isinstance(second, CoMapOperator)
    assert first.function is not second.function
    assert first.function is not function


# -- co-process -----------------------------------------------------------------------------------


class Describing(CoProcessFunction):
    """Emits what the context says; counts elements across both inputs on self."""

    def __init__(self) -> None:
        self.seen = 0

    def process_element1(self, value: Any, ctx: CoProcessFunction.Context) -> Any:
        self.seen += 1
        yield f"1:{value}@{ctx.timestamp()} wm={ctx.timer_service().current_watermark()}"

    def process_element2(self, value: Any, ctx: CoProcessFunction.Context) -> Any:
        self.seen += 1
        return [f"2:{value}@{ctx.timestamp()} seen={self.seen}"]


def test_co_process_context_gives_timestamps_and_the_watermark() -> None:
    h = Harness(CoProcessOperator(Describing()), keyed=False)
    h.input1(["a"])
    h.task_time.watermark = 40
    h.input1(["b"], [50])
    h.input2(["c"], [60])
    assert h.take() == [
        ([f"1:a@{NO_TIMESTAMP} wm={-(2**63)}"], None),
        (["1:b@50 wm=40"], [50]),
        (["2:c@60 seen=3"], [60]),
    ]


class RegistersTimer(CoProcessFunction):
    def process_element1(self, value: Any, ctx: CoProcessFunction.Context) -> Any:
        ctx.timer_service().register_event_time_timer(10)

    def process_element2(self, value: Any, ctx: CoProcessFunction.Context) -> Any:
        return None


def test_non_keyed_co_process_refuses_timers() -> None:
    h = Harness(CoProcessOperator(RegistersTimer()), keyed=False)
    h.input2(["fine"])
    with user_error(RuntimeError, r"^Setting timers is only supported on a keyed streams"):
        h.input1(["x"])


# -- keyed co-process -----------------------------------------------------------------------------


class OrderPaymentJoin(KeyedCoProcessFunction):
    """Orders (id, item) on input 1, payments (id, amount) on input 2, joined by id.

    Whatever arrives first waits in ValueState; a 100 ms event-time timer reports an order that
    is still unpaid.
    """

    def open(self, runtime_context: RuntimeContext) -> None:
        self.order = runtime_context.get_state(ValueStateDescriptor("order", Types.STRING()))
        self.paid = runtime_context.get_state(ValueStateDescriptor("paid", Types.INT()))

    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        _order_id, item = value
        amount = self.paid.value()
        if amount is not None:
            self.paid.clear()
            yield f"{ctx.get_current_key()}: {item} paid {amount}"
        else:
            self.order.update(item)
            ctx.timer_service().register_event_time_timer(ctx.timestamp() + 100)

    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        _order_id, amount = value
        item = self.order.value()
        if item is not None:
            self.order.clear()
            yield f"{ctx.get_current_key()}: {item} paid {amount}"
        else:
            self.paid.update(amount)

    def on_timer(self, timestamp: int, ctx: KeyedCoProcessFunction.OnTimerContext) -> Any:
        item = self.order.value()
        if item is not None:
            yield (
                f"{ctx.get_current_key()}: {item} unpaid at {timestamp} "
                f"({ctx.time_domain().name}, ts={ctx.timestamp()})"
            )


def order_id(value: tuple[Any, ...]) -> Any:
    return value[0]


def test_keyed_co_process_joins_by_key_with_value_state() -> None:
    operator = KeyedCoProcessOperator(OrderPaymentJoin())
    h = Harness(operator, keyed=True, name="Keyed Co-Process", timestamped_output=True)
    h.input1([("o1", "book"), ("o2", "pen")], [10, 20], key=order_id)
    h.input2([("o2", 5), ("o3", 7)], [30, 40], key=order_id)
    h.input1([("o3", "ink")], [50], key=order_id)
    assert h.take() == [(["o2: pen paid 5"], [30]), (["o3: ink paid 7"], [50])]
    assert h.timers is not None and h.timers.num_event_time_timers() == 2  # o1 and o2

    h.operator.process_watermark(115)
    # o1's timer fires (o1 still unpaid); o2's (at 120) waits.
    assert h.take() == [(["o1: book unpaid at 110 (EVENT_TIME, ts=110)"], [110])]
    h.operator.process_watermark(2**63 - 1)
    assert h.take() == []  # o2 was paid: its timer fires and emits nothing
    assert h.key_context is not None and h.key_context.key_group == -1


class ProcessingTimeAlarm(KeyedCoProcessFunction):
    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        ctx.timer_service().register_processing_time_timer(
            ctx.timer_service().current_processing_time() + 50
        )

    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        ctx.timer_service().delete_processing_time_timer(
            ctx.timer_service().current_processing_time() + 50
        )

    def on_timer(self, timestamp: int, ctx: KeyedCoProcessFunction.OnTimerContext) -> Any:
        return [(ctx.get_current_key(), timestamp, ctx.time_domain())]


def test_processing_time_timers_fire_with_their_key_and_no_timestamp() -> None:
    h = Harness(KeyedCoProcessOperator(ProcessingTimeAlarm()), keyed=True, timestamped_output=True)
    h.input1(["a", "b"], key=lambda v: v)
    h.input2(["b"], key=lambda v: v)  # b's timer is deleted again
    assert h.scheduled == [1_050]
    assert h.timers is not None
    h.timers.on_processing_time(1_050)
    assert h.take() == [([("a", 1_050, TimeDomain.PROCESSING_TIME)], [None])]


def test_timer_outputs_carry_no_timestamps_when_the_output_has_none() -> None:
    h = Harness(KeyedCoProcessOperator(OrderPaymentJoin()), keyed=True)
    h.input1([("o1", "book")], [0], key=order_id)
    h.operator.process_watermark(100)
    assert h.take() == [(["o1: book unpaid at 100 (EVENT_TIME, ts=100)"], None)]


class StatefulCoProcess(CoProcessFunction):
    """A plain CoProcessFunction on keyed streams: runs keyed (state, key), as in Flink."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.last = runtime_context.get_state(ValueStateDescriptor("last", Types.STRING()))

    def process_element1(self, value: Any, ctx: Any) -> Any:
        previous = self.last.value()
        self.last.update(value)
        yield f"{ctx.get_current_key()}:{previous}->{value}"

    def process_element2(self, value: Any, ctx: Any) -> Any:
        ctx.timer_service().register_event_time_timer(5)


def test_a_co_process_function_on_keyed_streams_runs_keyed() -> None:
    h = Harness(KeyedCoProcessOperator(StatefulCoProcess()), keyed=True, name="Keyed Co-Process")
    h.input1(["a1", "b1", "a2"], key=lambda v: v[0])
    assert h.records() == ["a:None->a1", "b:None->b1", "a:a1->a2"]
    h.input2(["a9"], key=lambda v: v[0])
    with pytest.raises(
        UserCodeError,
        match=r"has no on_timer\(\); use a KeyedCoProcessFunction to handle timers",
    ):
        h.operator.process_watermark(10)


class FailingTimer(KeyedCoProcessFunction):
    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        ctx.timer_service().register_event_time_timer(1)

    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        raise ValueError(f"bad payment {value}")

    def on_timer(self, timestamp: int, ctx: KeyedCoProcessFunction.OnTimerContext) -> Any:
        raise KeyError("gone")


def test_on_timer_errors_name_the_operator_and_the_function() -> None:
    h = Harness(KeyedCoProcessOperator(FailingTimer()), keyed=True, name="Keyed Co-Process")
    h.input1(["x"], key=lambda v: v)
    with pytest.raises(UserCodeError) as raised:
        h.operator.process_watermark(1)
    assert raised.value.operator_name == "Keyed Co-Process"
    assert raised.value.function_name.startswith("function FailingTimer.on_timer (")
    assert isinstance(raised.value.__cause__, KeyError)


def test_element_errors_name_the_users_method_and_leave_the_key_context() -> None:
    h = Harness(KeyedCoProcessOperator(FailingTimer()), keyed=True, name="Keyed Co-Process")
    with pytest.raises(UserCodeError) as raised:
        h.input2([7], key=lambda v: v)
    assert raised.value.operator_name == "Keyed Co-Process"
    assert raised.value.function_name.startswith("function FailingTimer.process_element2 (")
    assert isinstance(raised.value.__cause__, ValueError)
    assert str(raised.value.__cause__) == "bad payment 7"
    assert h.key_context is not None and h.key_context.key_group == -1


class BadMap(CoMapFunction):
    def map1(self, value: Any) -> Any:
        return 1 // value

    def map2(self, value: Any) -> Any:
        return value


def test_co_map_errors_name_map1_not_the_adapter() -> None:
    h = Harness(CoMapOperator(BadMap()), keyed=False, name="Co-Map")
    with pytest.raises(UserCodeError) as raised:
        h.input1([1, 0])
    assert raised.value.function_name.startswith("function BadMap.map1 (")
    assert isinstance(raised.value.__cause__, ZeroDivisionError)
    assert h.take() == []  # the batch failed as a whole


def test_keyed_state_outside_an_element_raises() -> None:
    function = OrderPaymentJoin()
    h = Harness(KeyedCoProcessOperator(function), keyed=True)
    h.input1([("o1", "book")], [0], key=order_id)
    with pytest.raises(StateAccessException, match=r"^Keyed state 'order' was accessed outside"):
        function.order.value()


def test_a_keyed_operator_needs_the_keys_of_its_keyed_inputs() -> None:
    h = Harness(KeyedCoProcessOperator(OrderPaymentJoin()), keyed=True, name="Keyed Co-Process")
    with pytest.raises(
        KolkInternalError,
        match=r"^operator 'Keyed Co-Process' received records of its keyed input 2 without",
    ):
        h.input2([("o1", 1)])


def test_a_keyed_operator_needs_a_key_context() -> None:
    with pytest.raises(KolkInternalError, match=r"is keyed but was set up without a key context"):
        Harness(KeyedCoProcessOperator(OrderPaymentJoin()), keyed=False)


def test_the_keyed_factory_creates_a_keyed_co_process_operator() -> None:
    operator = KeyedCoProcessOperatorFactory(OrderPaymentJoin()).create()
    assert isinstance(operator, KeyedCoProcessOperator)


# -- broadcast process ----------------------------------------------------------------------------


class Thresholds(BroadcastProcessFunction):
    """Rules (name, limit) on the broadcast side; events (name, value) checked against them."""

    def process_element(self, value: Any, ctx: BroadcastProcessFunction.ReadOnlyContext) -> Any:
        name, amount = value
        limit = ctx.get_broadcast_state(RULES).get(name)
        if limit is not None and amount > limit:
            yield f"{name}={amount} > {limit} @{ctx.timestamp()} wm={ctx.current_watermark()}"

    def process_broadcast_element(self, value: Any, ctx: BroadcastProcessFunction.Context) -> Any:
        name, limit = value
        state = ctx.get_broadcast_state(RULES)
        if limit is None:
            state.remove(name)
        else:
            state.put(name, limit)
        yield f"rule {name}={limit}"


def test_broadcast_elements_write_the_state_that_elements_read() -> None:
    operator = BroadcastProcessOperator(Thresholds(), [RULES])
    h = Harness(operator, keyed=False, name="Co-Process-Broadcast")
    h.input1([("cpu", 99)])  # no rule yet
    h.input2([("cpu", 90), ("mem", 50)], [1, 2])
    h.task_time.watermark = 7
    h.input1([("cpu", 95), ("mem", 40), ("cpu", 80)], [10, 11, 12])
    h.input2([("cpu", None)], [20])
    h.input1([("cpu", 100)], [30])
    assert h.take() == [
        (["rule cpu=90", "rule mem=50"], [1, 2]),
        (["cpu=95 > 90 @10 wm=7"], [10]),
        (["rule cpu=None"], [20]),
    ]
    assert operator.broadcast_states.statistics() == BroadcastStateStatistics((("rules", 1),))


class Writer(BroadcastProcessFunction):
    """Tries to write broadcast state from the element side."""

    def process_element(self, value: Any, ctx: BroadcastProcessFunction.ReadOnlyContext) -> Any:
        state = ctx.get_broadcast_state(RULES)
        if value == "put":
            state.put("x", 1)  # type: ignore[attr-defined]
        elif value == "setitem":
            state["x"] = 1  # type: ignore[index]
        elif value == "has-put":
            yield hasattr(state, "put")
        elif value == "clear":
            state.clear()
            yield state.is_empty()

    def process_broadcast_element(self, value: Any, ctx: BroadcastProcessFunction.Context) -> Any:
        ctx.get_broadcast_state(RULES)[value] = len(value)


def test_the_element_side_reads_broadcast_state_only() -> None:
    h = Harness(BroadcastProcessOperator(Writer(), [RULES]), keyed=False)
    h.input2(["abc"])
    with user_error(
        AttributeError,
        r"^'ReadOnlyBroadcastState' object has no attribute 'put': broadcast state 'rules' "
        r"is read-only in process_element\(\) and on_timer\(\); update it in "
        r"process_broadcast_element\(\)$",
    ):
        h.input1(["put"])
    with user_error(TypeError, r"^broadcast state 'rules' is read-only in process_elem"):
        h.input1(["setitem"])
    h.input1(["has-put"])
    # clear() is State's: Flink's and PyFlink's read-only view is the state itself.
    h.input1(["clear"])
    assert h.records() == [False, True]


class UsesOtherState(BroadcastProcessFunction):
    def process_element(self, value: Any, ctx: BroadcastProcessFunction.ReadOnlyContext) -> Any:
        ctx.get_broadcast_state(value)

    def process_broadcast_element(self, value: Any, ctx: BroadcastProcessFunction.Context) -> Any:
        ctx.get_broadcast_state(value)


def test_only_registered_broadcast_states_exist() -> None:
    h = Harness(BroadcastProcessOperator(UsesOtherState(), [RULES]), keyed=False)
    other = MapStateDescriptor("other", Types.STRING(), Types.INT())
    message = (
        "The requested state does not exist. Check for typos in your state descriptor, or "
        "specify the state descriptor in the datastream.broadcast(...) call if you forgot to "
        "register it. Registered broadcast states: 'rules'."
    )
    with user_error(ValueError, f"^{re.escape(message)}$"):
        h.input2([other])
    with user_error(ValueError, f"^{re.escape(message)}$"):
        h.input1([other])
    with user_error(
        TypeError,
        r"^broadcast state is described by a MapStateDescriptor, got ValueStateDescriptor$",
    ):
        h.input1([ValueStateDescriptor("rules", Types.INT())])
    # Looked up by name, as Flink's MapStateDescriptor.equals.
    h.input2([MapStateDescriptor("rules", Types.STRING(), Types.LONG())])


def test_each_subtask_keeps_its_own_broadcast_state() -> None:
    factory = BroadcastProcessOperatorFactory(Thresholds(), (RULES,))
    first = Harness(factory.create(), keyed=False)
    second = Harness(factory.create(), keyed=False)
    first.input2([("cpu", 1)])
    second.input1([("cpu", 5)])
    first.input1([("cpu", 5)])
    assert second.records() == []
    assert first.records() == ["rule cpu=1", f"cpu=5 > 1 @{NO_TIMESTAMP} wm={-(2**63)}"]


def test_a_store_with_a_name_twice_keeps_one_state() -> None:
    store = BroadcastStateStore([RULES, MapStateDescriptor("rules", Types.INT(), Types.INT())])
    state = store.get_broadcast_state(RULES)
    state.put_all({"a": 1, "b": None})
    assert (state.get("a"), state.get("zz"), state.contains("b"), state.contains("a")) == (
        1,
        None,
        False,
        True,
    )
    assert list(store.get_read_only_broadcast_state(RULES).items()) == [("a", 1), ("b", None)]
    assert store.statistics() == BroadcastStateStatistics((("rules", 2),))
    with pytest.raises(TypeError, match=r"got str$"):
        BroadcastStateStore(["rules"])  # type: ignore[list-item]


# -- keyed broadcast process ----------------------------------------------------------------------


class PerUserLimit(KeyedBroadcastProcessFunction):
    """Per-user running totals (keyed state) checked against broadcast limits; a timer at
    ts + 10 reports the user's total."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.total = runtime_context.get_state(ValueStateDescriptor("total", Types.INT()))

    def process_element(
        self, value: Any, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext
    ) -> Any:
        _user, amount = value
        total = (self.total.value() or 0) + amount
        self.total.update(total)
        limit = ctx.get_broadcast_state(RULES).get("limit")
        ctx.timer_service().register_event_time_timer(ctx.timestamp() + 10)
        if limit is not None and total > limit:
            yield f"{ctx.get_current_key()} over {limit}: {total}"

    def process_broadcast_element(
        self, value: Any, ctx: KeyedBroadcastProcessFunction.Context
    ) -> Any:
        ctx.get_broadcast_state(RULES).put("limit", value)
        if value < 0:
            self.total.value()  # no key is set on the broadcast side
        return [f"limit={value} wm={ctx.current_watermark()}"]

    def on_timer(self, timestamp: int, ctx: KeyedBroadcastProcessFunction.OnTimerContext) -> Any:
        state = ctx.get_broadcast_state(RULES)
        yield (
            f"{ctx.get_current_key()} total {self.total.value()} at {timestamp} "
            f"limit {state.get('limit')} read-only {not hasattr(state, 'put')}"
        )


def user(value: tuple[Any, ...]) -> Any:
    return value[0]


def test_keyed_broadcast_has_keyed_state_and_timers_on_the_element_side() -> None:
    h = Harness(
        KeyedBroadcastProcessOperator(PerUserLimit(), [RULES]),
        keyed=True,
        name="Keyed-Co-Process-Broadcast",
        timestamped_output=True,
    )
    h.input1([("ann", 5), ("bob", 3)], [1, 2], key=user)
    h.input2([6])  # unstamped broadcast side on a timestamped output
    h.input1([("ann", 4), ("bob", 1)], [3, 4], key=user)
    assert h.take() == [
        (["limit=6 wm=-9223372036854775808"], [None]),
        (["ann over 6: 9"], [3]),
    ]
    h.operator.process_watermark(12)
    assert h.take() == [
        (["ann total 9 at 11 limit 6 read-only True"], [11]),
        (["bob total 4 at 12 limit 6 read-only True"], [12]),
    ]
    h.input2([7], [20])
    assert h.take() == [(["limit=7 wm=12"], [20])]


def test_keyed_state_on_the_broadcast_side_raises() -> None:
    h = Harness(KeyedBroadcastProcessOperator(PerUserLimit(), [RULES]), keyed=True)
    h.input1([("ann", 5)], [1], key=user)  # leaves a key behind in PyFlink; not here
    with user_error(StateAccessException, r"^Keyed state 'total' was accessed outside"):
        h.input2([-1])


class KeyOnBroadcastSide(KeyedBroadcastProcessFunction):
    def process_element(self, value: Any, ctx: Any) -> Any:
        return None

    def process_broadcast_element(self, value: Any, ctx: Any) -> Any:
        yield hasattr(ctx, "get_current_key"), hasattr(ctx, "timer_service")


def test_the_broadcast_side_context_has_no_key_and_no_timers() -> None:
    h = Harness(KeyedBroadcastProcessOperator(KeyOnBroadcastSide(), [RULES]), keyed=True)
    h.input2(["x"])
    assert h.records() == [(False, False)]


@pytest.fixture
def iterating_function() -> Iterator[BroadcastProcessFunction]:
    class Iterating(BroadcastProcessFunction):
        def process_element(self, value: Any, ctx: Any) -> Any:
            return None

        def process_broadcast_element(self, value: Any, ctx: Any) -> Any:
            state = ctx.get_broadcast_state(RULES)
            for key, _value in state.items():  # the state may change while iterating
                state.remove(key)
            state.put(value, 1)
            yield sorted(state.items())

    yield Iterating()


def test_broadcast_state_may_change_while_iterating(
    iterating_function: BroadcastProcessFunction,
) -> None:
    h = Harness(BroadcastProcessOperator(iterating_function, [RULES]), keyed=False)
    h.input2(["a", "b"])
    assert h.records() == [[("a", 1)], [("b", 1)]]
