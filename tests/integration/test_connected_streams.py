"""Connected streams end to end at p = 1, 2, 4: a co-map merge, a keyed co-process join and a
fraud-rule broadcast.

Which of two inputs a two-input operator reads first is up to the schedule (Flink promises no
order between inputs), so the tests assert what does not depend on it: each input's own order,
multisets, the subtask a key lands on, and outputs made by timers at the final watermark, which
reaches the operator only after both inputs ended (its watermark is the minimum of the two).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from printed_output import assert_records, by_subtask, parse_printed, values

from kolk._runtime.key_groups import KeyGroupAssigner
from kolk.common import Types, WatermarkStrategy
from kolk.common.watermark_strategy import TimestampAssigner
from kolk.datastream import (
    BroadcastProcessFunction,
    CoFlatMapFunction,
    CoMapFunction,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
    ProcessFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor
from kolk.util.exceptions import JobExecutionException

#: Flink's default max parallelism for p <= 85 (128 key groups).
ASSIGNER = KeyGroupAssigner(128)

#: ``Long.MAX_VALUE``: the watermark at the end of bounded inputs; a timer here fires once both
#: inputs are done.
END_OF_INPUT = 2**63 - 1


# -- co-map: merging two streams ------------------------------------------------------------------


class Merge(CoMapFunction):
    def map1(self, value: int) -> str:
        return f"temperature {value}"

    def map2(self, value: str) -> str:
        return f"alarm {value}"


def test_co_map_merges_two_streams(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    temperatures = env.from_collection([21, 22, 35, 23])
    alarms = env.from_collection(["smoke", "door"])
    temperatures.connect(alarms).map(Merge(), Types.STRING()).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    first = [f"temperature {t}" for t in (21, 22, 35, 23)]
    second = ["alarm smoke", "alarm door"]
    assert values(printed) == Counter(first + second)
    if parallelism == 1:
        texts = [text for _, text in printed]
        # Each input keeps its order; how the two interleave is the schedule's choice.
        assert [t for t in texts if t.startswith("temperature")] == first
        assert [t for t in texts if t.startswith("alarm")] == second


class Words(CoFlatMapFunction):
    def flat_map1(self, value: str) -> Any:
        yield from value.split()

    def flat_map2(self, value: int) -> Any:
        return [str(value)] * value


def test_co_flat_map_emits_any_number_per_element(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    env.from_collection(["a b", "", "c"]).connect(env.from_collection([2, 0])).flat_map(
        Words()
    ).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert values(printed) == Counter(["a", "b", "c", "2", "2"])


# -- keyed co-process: joining orders and payments ------------------------------------------------

ORDERS = [("o1", "book"), ("o2", "pen"), ("o3", "ink"), ("o4", "lamp")]
PAYMENTS = [("o2", 3), ("o1", 12), ("o4", 40), ("o5", 9)]


class OrderPaymentJoin(KeyedCoProcessFunction):
    """Joins an order with its payment, whichever comes first; at the end of input reports
    orders never paid and payments without an order."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.order = runtime_context.get_state(ValueStateDescriptor("order", Types.STRING()))
        self.payment = runtime_context.get_state(ValueStateDescriptor("payment", Types.INT()))

    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        amount = self.payment.value()
        if amount is None:
            self.order.update(value[1])
            ctx.timer_service().register_event_time_timer(END_OF_INPUT)
        else:
            self.payment.clear()
            yield f"{ctx.get_current_key()} {value[1]} paid {amount}"

    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        item = self.order.value()
        if item is None:
            self.payment.update(value[1])
            ctx.timer_service().register_event_time_timer(END_OF_INPUT)
        else:
            self.order.clear()
            yield f"{ctx.get_current_key()} {item} paid {value[1]}"

    def on_timer(self, timestamp: int, ctx: KeyedCoProcessFunction.OnTimerContext) -> Any:
        if self.order.value() is not None:
            yield f"{ctx.get_current_key()} {self.order.value()} unpaid"
        if self.payment.value() is not None:
            yield f"{ctx.get_current_key()} payment {self.payment.value()} without order"


def test_keyed_co_process_joins_orders_and_payments_by_id(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = env.from_collection(ORDERS)
    payments = env.from_collection(PAYMENTS)
    orders.connect(payments).key_by(lambda o: o[0], lambda p: p[0]).process(
        OrderPaymentJoin(), Types.STRING()
    ).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    expected = {
        "o1": "o1 book paid 12",
        "o2": "o2 pen paid 3",
        "o3": "o3 ink unpaid",
        "o4": "o4 lamp paid 40",
        "o5": "o5 payment 9 without order",
    }
    assert values(printed) == Counter(expected.values())
    # Both inputs are partitioned by their own selector into one key space: each id is
    # printed by the subtask its key is assigned to.
    for index, text in printed:
        assert index == ASSIGNER.operator_index(text.split()[0], parallelism)


# -- keyed co-process in event time: payment deadlines --------------------------------------------

#: (id, item, event time); each order must be paid within 5 s of event time.
TIMED_ORDERS = [("o1", "book", 1000), ("o2", "pen", 2000), ("o3", "ink", 3000)]
#: (id, amount, event time)
TIMED_PAYMENTS = [("o2", 3, 2500), ("o3", 7, 7900), ("o1", 12, 9000)]


class ThirdField(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value[2])


class PaymentDeadline(KeyedCoProcessFunction):
    """An order registers an event-time timer at its deadline; the timer reports whether the
    payment came by then. Payments are stored with their event time."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.item = runtime_context.get_state(ValueStateDescriptor("item", Types.STRING()))
        self.paid_at = runtime_context.get_state(ValueStateDescriptor("paid_at", Types.LONG()))

    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        self.item.update(value[1])
        ctx.timer_service().register_event_time_timer(ctx.timestamp() + 5000)

    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        self.paid_at.update(ctx.timestamp())

    def on_timer(self, timestamp: int, ctx: KeyedCoProcessFunction.OnTimerContext) -> Any:
        paid_at = self.paid_at.value()
        verdict = "paid" if paid_at is not None and paid_at <= timestamp else "overdue"
        yield f"{ctx.get_current_key()} {self.item.value()} {verdict}"


class WithTimestamp(ProcessFunction):
    def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
        yield f"{value} @{ctx.timestamp()}"


def test_event_time_timers_fire_on_the_combined_watermark(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(ThirdField())
    orders = env.from_collection(TIMED_ORDERS).assign_timestamps_and_watermarks(strategy)
    payments = env.from_collection(TIMED_PAYMENTS).assign_timestamps_and_watermarks(strategy)
    orders.connect(payments).key_by(lambda o: o[0], lambda p: p[0]).process(
        PaymentDeadline()
    ).process(WithTimestamp()).print()

    env.execute()

    # A timer fires once the watermark of *both* inputs passed it, so o3's payment at 7900 is
    # in before its deadline (8000) fires; o1's at 9000 is late. Timer outputs carry the
    # timer's time, seen downstream as the record timestamp.
    expected = ["o1 book overdue @6000", "o2 pen paid @7000", "o3 ink paid @8000"]
    assert_records(parse_printed(capsys.readouterr().out, parallelism), expected, parallelism)


# -- broadcast state: fraud rules -----------------------------------------------------------------

RULES = MapStateDescriptor("rules", Types.STRING(), Types.PICKLED_BYTE_ARRAY())
RULE_UPDATES = [("max_amount", 500), ("blocked_countries", ("NK", "XX"))]
#: (account, amount, country)
PAYMENT_EVENTS = [
    ("acc1", 120, "DE"),
    ("acc2", 900, "FR"),
    ("acc1", 700, "DE"),
    ("acc3", 50, "XX"),
    ("acc2", 80, "FR"),
    ("acc4", 10, "NL"),
    ("acc3", 5000, "NK"),
]


class FraudDetector(KeyedBroadcastProcessFunction):
    """Rules arrive on the broadcast side (one map per subtask); each account's payments wait in
    ListState and are checked when both inputs ended (a timer at the final watermark), so the
    outcome does not depend on whether rules or payments came first."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.pending = runtime_context.get_list_state(
            ListStateDescriptor("pending", Types.PICKLED_BYTE_ARRAY())
        )
        self.subtask = runtime_context.get_index_of_this_subtask()

    def process_element(
        self, value: Any, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext
    ) -> Any:
        self.pending.add(value)
        ctx.timer_service().register_event_time_timer(END_OF_INPUT)

    def process_broadcast_element(
        self, value: Any, ctx: KeyedBroadcastProcessFunction.Context
    ) -> Any:
        name, setting = value
        ctx.get_broadcast_state(RULES).put(name, setting)
        yield f"subtask {self.subtask} loaded {name}"

    def on_timer(self, timestamp: int, ctx: KeyedBroadcastProcessFunction.OnTimerContext) -> Any:
        rules = ctx.get_broadcast_state(RULES)
        limit = rules.get("max_amount")
        blocked = rules.get("blocked_countries") or ()
        for account, amount, country in self.pending.get():
            if country in blocked:
                yield f"ALERT {account}: {amount} from blocked {country}"
            elif limit is not None and amount > limit:
                yield f"ALERT {account}: {amount} over {limit}"
        self.pending.clear()


def expected_alerts() -> list[tuple[str, str]]:
    """(account, alert) in the order the alerts fire on one subtask: accounts by first
    payment (their timers tie at the final watermark), payments in input order."""
    accounts = list(dict.fromkeys(account for account, _, _ in PAYMENT_EVENTS))
    alerts = []
    for account in accounts:
        for acc, amount, country in PAYMENT_EVENTS:
            if acc != account:
                continue
            if country in ("NK", "XX"):
                alerts.append((acc, f"ALERT {acc}: {amount} from blocked {country}"))
            elif amount > 500:
                alerts.append((acc, f"ALERT {acc}: {amount} over 500"))
    return alerts


def test_fraud_rules_are_broadcast_to_every_subtask(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = env.from_collection(RULE_UPDATES).broadcast(RULES)
    payments = env.from_collection(PAYMENT_EVENTS).key_by(lambda e: e[0])
    payments.connect(rules).process(FraudDetector(), Types.STRING()).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    alerts = expected_alerts()
    if parallelism == 1:
        assert [text for _, text in printed] == [
            "subtask 0 loaded max_amount",
            "subtask 0 loaded blocked_countries",
            *(alert for _, alert in alerts),
        ]
    # Every subtask loads every rule (before the final watermark, hence before its alerts),
    # then alerts for the accounts whose keys it owns.
    expected: dict[int, list[str]] = {
        i: [f"subtask {i} loaded max_amount", f"subtask {i} loaded blocked_countries"]
        for i in range(parallelism)
    }
    for account, alert in alerts:
        expected[ASSIGNER.operator_index(account, parallelism)].append(alert)
    assert by_subtask(printed) == expected


class Threshold(BroadcastProcessFunction):
    """Non-keyed: the broadcast side sets the threshold; events are checked at arrival (those
    seen before any rule pass unchecked, as they would in Flink)."""

    def process_element(self, value: Any, ctx: BroadcastProcessFunction.ReadOnlyContext) -> Any:
        limit = ctx.get_broadcast_state(RULES).get("max_amount")
        yield f"{value} {'checked' if limit is not None else 'unchecked'}"

    def process_broadcast_element(self, value: Any, ctx: BroadcastProcessFunction.Context) -> Any:
        ctx.get_broadcast_state(RULES).put(*value)
        yield f"rule {value[0]}"


def test_a_non_keyed_broadcast_reaches_every_subtask_once(
    env: StreamExecutionEnvironment, parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = env.from_collection([("max_amount", 500)]).broadcast(RULES)
    env.from_collection([1, 2, 3, 4, 5]).connect(rules).process(Threshold()).print()

    env.execute()

    printed = parse_printed(capsys.readouterr().out, parallelism)
    rule_lines = [index for index, text in printed if text == "rule max_amount"]
    assert sorted(rule_lines) == list(range(parallelism))
    events = sorted(int(text.split()[0]) for _, text in printed if not text.startswith("rule"))
    assert events == [1, 2, 3, 4, 5]


# -- failures -------------------------------------------------------------------------------------


class RejectsPayments(KeyedCoProcessFunction):
    def process_element1(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        yield value

    def process_element2(self, value: Any, ctx: KeyedCoProcessFunction.Context) -> Any:
        raise ValueError(f"payment {value[0]} rejected")


def test_a_failing_co_function_fails_the_job_naming_its_method(
    env: StreamExecutionEnvironment, parallelism: int
) -> None:
    env.from_collection(ORDERS).connect(env.from_collection(PAYMENTS)).key_by(
        lambda o: o[0], lambda p: p[0]
    ).process(RejectsPayments()).print()

    with pytest.raises(JobExecutionException) as raised:
        env.execute()

    message = str(raised.value)
    assert "operator 'Keyed Co-Process'" in message
    assert "RejectsPayments.process_element2" in message
    cause = raised.value.__cause__
    while cause is not None and not isinstance(cause, ValueError):
        cause = cause.__cause__
    assert isinstance(cause, ValueError)
    assert re.fullmatch(r"payment o\d rejected", str(cause))
