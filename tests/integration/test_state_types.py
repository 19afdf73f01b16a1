"""Keyed jobs using each state type through a KeyedProcessFunction, at parallelism 1, 2 and 4.

Each job prints what its state holds after every element. At p = 1 the output is compared
exactly; above it as a multiset (each key's records still reach one subtask in input order,
so every printed line is the same at any parallelism).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from printed_output import assert_records, parse_printed

from kolk.common.time import Time
from kolk.common.typeinfo import Types
from kolk.datastream import (
    AggregateFunction,
    KeyedProcessFunction,
    ProcessFunction,
    ReduceFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import (
    AggregatingStateDescriptor,
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    StateTtlConfig,
    ValueStateDescriptor,
)
from kolk.util.exceptions import JobExecutionException, StateAccessException

#: (user, page) clicks; users land on different subtasks at p = 2 and 4.
CLICKS = [
    ("user1", "home"),
    ("world", "cart"),
    ("user1", "cart"),
    ("flink", "home"),
    ("user1", "home"),
    ("world", "cart"),
    ("user2", "pay"),
    ("flink", "home"),
    ("world", "pay"),
]

#: (user, amount) purchases; an amount of 0 means "reset".
AMOUNTS = [("user1", 4), ("world", 10), ("user1", 2), ("world", 0), ("user1", 6), ("world", 5)]


def hour_ttl() -> StateTtlConfig:
    """A TTL no test outlives: TTL states must then behave as plain ones."""
    return StateTtlConfig.new_builder(Time.hours(1)).update_ttl_on_read_and_write().build()


def run(env: StreamExecutionEnvironment, records: list[Any], function: Any) -> None:
    env.from_collection(records).key_by(lambda r: r[0]).process(function).print()
    env.execute("state types")


# -- ListState ------------------------------------------------------------------------------------


class PagesSeen(KeyedProcessFunction):
    """ListState: the pages of a user in order; a second visit of "cart" starts over."""

    def __init__(self, ttl: bool = False) -> None:
        self.ttl = ttl

    def open(self, runtime_context: RuntimeContext) -> None:
        descriptor = ListStateDescriptor("pages", Types.STRING())
        if self.ttl:
            descriptor.enable_time_to_live(hour_ttl())
        self.pages = runtime_context.get_list_state(descriptor)

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[str]:
        page = value[1]
        if page == "cart" and "cart" in list(self.pages.get()):
            self.pages.update([page])
        else:
            self.pages.add(page)
        yield f"{ctx.get_current_key()} {list(self.pages)}"


PAGES_EXPECTED = [
    "user1 ['home']",
    "world ['cart']",
    "user1 ['home', 'cart']",
    "flink ['home']",
    "user1 ['home', 'cart', 'home']",
    "world ['cart']",
    "user2 ['pay']",
    "flink ['home', 'home']",
    "world ['cart', 'pay']",
]


@pytest.mark.parametrize("ttl", [False, True], ids=["plain", "ttl"])
def test_list_state(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    ttl: bool,
) -> None:
    run(env, CLICKS, PagesSeen(ttl))
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, PAGES_EXPECTED, parallelism)


# -- MapState -------------------------------------------------------------------------------------


class VisitsPerPage(KeyedProcessFunction):
    """MapState: visits per page of a user; "pay" forgets the cart."""

    def __init__(self, ttl: bool = False) -> None:
        self.ttl = ttl

    def open(self, runtime_context: RuntimeContext) -> None:
        descriptor = MapStateDescriptor("visits", Types.STRING(), Types.INT())
        if self.ttl:
            descriptor.enable_time_to_live(hour_ttl())
        self.visits = runtime_context.get_map_state(descriptor)

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[str]:
        user, page = value
        self.visits[page] = (self.visits.get(page) or 0) + 1
        if page == "pay":
            self.visits.remove("cart")
        counts = sorted(self.visits.items())
        yield f"{user} {counts} contains(cart)={self.visits.contains('cart')}"


VISITS_EXPECTED = [
    "user1 [('home', 1)] contains(cart)=False",
    "world [('cart', 1)] contains(cart)=True",
    "user1 [('cart', 1), ('home', 1)] contains(cart)=True",
    "flink [('home', 1)] contains(cart)=False",
    "user1 [('cart', 1), ('home', 2)] contains(cart)=True",
    "world [('cart', 2)] contains(cart)=True",
    "user2 [('pay', 1)] contains(cart)=False",
    "flink [('home', 2)] contains(cart)=False",
    "world [('pay', 1)] contains(cart)=False",
]


@pytest.mark.parametrize("ttl", [False, True], ids=["plain", "ttl"])
def test_map_state(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    ttl: bool,
) -> None:
    run(env, CLICKS, VisitsPerPage(ttl))
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, VISITS_EXPECTED, parallelism)


# -- ReducingState --------------------------------------------------------------------------------


class Add(ReduceFunction):
    def reduce(self, value1: Any, value2: Any) -> Any:
        return value1 + value2


class RunningTotals(KeyedProcessFunction):
    """ReducingState: a running sum (a ReduceFunction) and maximum (a lambda); 0 resets."""

    def __init__(self, ttl: bool = False) -> None:
        self.ttl = ttl

    def open(self, runtime_context: RuntimeContext) -> None:
        total = ReducingStateDescriptor("total", Add(), Types.LONG())
        largest = ReducingStateDescriptor("largest", lambda a, b: max(a, b), Types.LONG())
        if self.ttl:
            total.enable_time_to_live(hour_ttl())
            largest.enable_time_to_live(hour_ttl())
        self.total = runtime_context.get_reducing_state(total)
        self.largest = runtime_context.get_reducing_state(largest)

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[str]:
        user, amount = value
        if amount == 0:
            self.total.clear()
            self.largest.clear()
        else:
            self.total.add(amount)
            self.largest.add(amount)
        yield f"{user} total={self.total.get()} max={self.largest.get()}"


TOTALS_EXPECTED = [
    "user1 total=4 max=4",
    "world total=10 max=10",
    "user1 total=6 max=4",
    "world total=None max=None",
    "user1 total=12 max=6",
    "world total=5 max=5",
]


@pytest.mark.parametrize("ttl", [False, True], ids=["plain", "ttl"])
def test_reducing_state(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    ttl: bool,
) -> None:
    run(env, AMOUNTS, RunningTotals(ttl))
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, TOTALS_EXPECTED, parallelism)


# -- AggregatingState -----------------------------------------------------------------------------


class Mean(AggregateFunction):
    def create_accumulator(self) -> Any:
        return [0, 0]

    def add(self, value: Any, accumulator: Any) -> Any:
        accumulator[0] += value
        accumulator[1] += 1
        return accumulator

    def get_result(self, accumulator: Any) -> Any:
        return accumulator[0] / accumulator[1]

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        return [acc_a[0] + acc_b[0], acc_a[1] + acc_b[1]]


class RunningMean(KeyedProcessFunction):
    """AggregatingState: the mean amount of a user; 0 resets (by adding None)."""

    def __init__(self, ttl: bool = False) -> None:
        self.ttl = ttl

    def open(self, runtime_context: RuntimeContext) -> None:
        descriptor = AggregatingStateDescriptor("mean", Mean(), Types.PICKLED_BYTE_ARRAY())
        if self.ttl:
            descriptor.enable_time_to_live(hour_ttl())
        self.mean = runtime_context.get_aggregating_state(descriptor)

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[str]:
        user, amount = value
        self.mean.add(amount or None)
        yield f"{user} mean={self.mean.get()}"


MEANS_EXPECTED = [
    "user1 mean=4.0",
    "world mean=10.0",
    "user1 mean=3.0",
    "world mean=None",
    "user1 mean=4.0",
    "world mean=5.0",
]


@pytest.mark.parametrize("ttl", [False, True], ids=["plain", "ttl"])
def test_aggregating_state(
    env: StreamExecutionEnvironment,
    parallelism: int,
    capsys: pytest.CaptureFixture[str],
    ttl: bool,
) -> None:
    run(env, AMOUNTS, RunningMean(ttl))
    printed = parse_printed(capsys.readouterr().out, parallelism)
    assert_records(printed, MEANS_EXPECTED, parallelism)


# -- misuse ---------------------------------------------------------------------------------------


class ListStateOnPlainStream(ProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.events = runtime_context.get_list_state(ListStateDescriptor("events", Types.INT()))

    def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Iterator[Any]:
        yield value


def causes(error: BaseException) -> list[BaseException]:
    chain = []
    current: BaseException | None = error
    while current is not None:
        chain.append(current)
        current = current.__cause__
    return chain


def test_list_state_in_a_non_keyed_function_fails_the_job(
    env: StreamExecutionEnvironment,
) -> None:
    env.from_collection([1, 2]).process(ListStateOnPlainStream()).print()
    with pytest.raises(JobExecutionException) as raised:
        env.execute("misuse")
    errors = [c for c in causes(raised.value) if isinstance(c, StateAccessException)]
    assert [str(e) for e in errors] == [
        "This state is only accessible by functions executed on a KeyedStream. "
        "Apply key_by(...) before this operator to use keyed state."
    ]


class NameUsedTwice(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        runtime_context.get_state(ValueStateDescriptor("seen", Types.INT()))
        runtime_context.get_map_state(MapStateDescriptor("seen", Types.STRING(), Types.INT()))

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        yield value


def test_a_state_name_used_for_two_kinds_fails_the_job(env: StreamExecutionEnvironment) -> None:
    env.from_collection(["a", "b"]).key_by(lambda w: w).process(NameUsedTwice()).print()
    with pytest.raises(JobExecutionException) as raised:
        env.execute("misuse")
    errors = [c for c in causes(raised.value) if type(c) is ValueError]
    assert [str(e) for e in errors] == [
        "The state name 'seen' is already in use and not a map state."
    ]
