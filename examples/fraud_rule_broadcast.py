"""Fraud checks against rules that change over time: broadcast state.

Demonstrates: ``DataStream.broadcast(MapStateDescriptor)`` sending every rule update to every
parallel instance of the checker, ``connect`` of a keyed stream with that broadcast stream, and a
``KeyedBroadcastProcessFunction``: ``process_broadcast_element`` writes the rules into the
broadcast state (one copy per subtask), ``process_element`` and ``on_timer`` read them; the
transactions of each account wait in keyed ``ListState``.

Both streams carry event time, so each transaction is checked against the rules in force **at
its own event time**, whichever of the two inputs happened to be read first: a transaction
registers an event-time timer at its timestamp, and the timer fires only once the watermarks of
*both* inputs passed it, when every rule update up to that time has arrived. The rule history
is kept per rule name in the broadcast state. Alerts come out in event-time order.

Input: rule updates (rule, value, effective from ms) and transactions (account, amount, country,
event time in ms). The amount limit is lowered from 1000 to 300 at 5000 ms; country XX is blocked
from 3000 ms. Expected output at ``-p 1`` (the same lines at any parallelism; with several
subtasks only the interleaving of accounts may change):

    ok acc1 250 DE at 1000
    ok acc2 900 FR at 2000
    ok acc3 40 XX at 2500
    ALERT acc1 1200 DE at 4000: over 1000
    ALERT acc3 60 XX at 4500: blocked country XX
    ok acc2 280 FR at 6000
    ALERT acc1 400 DE at 7000: over 300
"""

from pyflink.common import Duration, WatermarkStrategy
from pyflink.common.typeinfo import Types
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import KeyedBroadcastProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ListStateDescriptor, MapStateDescriptor

env = StreamExecutionEnvironment.get_execution_environment()

# (rule, value, effective from ms)
rule_updates = env.from_collection(
    [
        ("max_amount", 1000, 0),
        ("blocked_countries", [], 0),
        ("blocked_countries", ["XX"], 3000),
        ("max_amount", 300, 5000),
    ]
)

# (account, amount, country, event time in ms)
transactions = env.from_collection(
    [
        ("acc1", 250, "DE", 1000),
        ("acc2", 900, "FR", 2000),
        ("acc3", 40, "XX", 2500),
        ("acc1", 1200, "DE", 4000),
        ("acc3", 60, "XX", 4500),
        ("acc2", 280, "FR", 6000),
        ("acc1", 400, "DE", 7000),
    ]
)


class LastField(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[-1]


def with_event_time(stream):
    return stream.assign_timestamps_and_watermarks(
        WatermarkStrategy.for_bounded_out_of_orderness(
            Duration.of_seconds(1)
        ).with_timestamp_assigner(LastField())
    )


# rule name -> its history: [(effective from, value), ...] in time order
RULES = MapStateDescriptor("rules", Types.STRING(), Types.PICKLED_BYTE_ARRAY())


def rule_at(rules, name, timestamp):
    value = None
    for effective_from, setting in rules.get(name) or []:
        if effective_from <= timestamp:
            value = setting
    return value


class FraudChecker(KeyedBroadcastProcessFunction):
    def open(self, runtime_context):
        self.pending = runtime_context.get_list_state(
            ListStateDescriptor("pending", Types.PICKLED_BYTE_ARRAY())
        )

    def process_broadcast_element(self, value, ctx):
        name, setting, effective_from = value
        rules = ctx.get_broadcast_state(RULES)
        history = (rules.get(name) or []) + [(effective_from, setting)]
        rules.put(name, sorted(history, key=lambda version: version[0]))

    def process_element(self, value, ctx):
        # Wait until the rules in force at the transaction's time are known
        self.pending.add(value)
        ctx.timer_service().register_event_time_timer(ctx.timestamp())

    def on_timer(self, timestamp, ctx):
        rules = ctx.get_broadcast_state(RULES)
        waiting = []
        for account, amount, country, at in self.pending.get():
            if at > timestamp:
                waiting.append((account, amount, country, at))
                continue
            limit = rule_at(rules, "max_amount", at)
            blocked = rule_at(rules, "blocked_countries", at) or []
            if country in blocked:
                yield f"ALERT {account} {amount} {country} at {at}: blocked country {country}"
            elif limit is not None and amount > limit:
                yield f"ALERT {account} {amount} {country} at {at}: over {limit}"
            else:
                yield f"ok {account} {amount} {country} at {at}"
        self.pending.update(waiting)


rules = with_event_time(rule_updates).broadcast(RULES)

(
    with_event_time(transactions)
    .key_by(lambda t: t[0])
    .connect(rules)
    .process(FraudChecker(), Types.STRING())
    .print()
)

env.execute("Fraud checks with broadcast rules")
