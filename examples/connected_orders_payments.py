"""Matching orders with their payments: connect, key_by and a KeyedCoProcessFunction.

Demonstrates: ``DataStream.connect`` of two streams of different shapes, ``key_by`` with one key
selector per input (both keyed by order id, so an order and its payment meet in the same keyed
state), and a ``KeyedCoProcessFunction``: ``process_element1`` sees orders, ``process_element2``
payments, both share the key's ``ValueState``; event-time timers give each order 10 s to be paid.

Both inputs carry event time. A timer fires once the watermarks of *both* inputs passed it, so
the verdict at an order's deadline depends only on event times, not on which input was read
first: the output is the same on every run. A payment whose order never came is reported 10 s
after the payment.

Input: orders (order id, item, amount, event time in ms) and payments (order id, amount paid,
event time in ms). Expected output at ``-p 1`` (the same lines at any parallelism; with several
subtasks only the interleaving of orders may change):

    o1 book: paid 12 at 9000
    o2 pen: paid 3 at 2500
    o3 lamp: underpaid, 25 of 40
    o4 ink: not paid by 16000
    o5: payment of 8 at 8000 without an order
"""

from pyflink.common import Duration, WatermarkStrategy
from pyflink.common.typeinfo import Types
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import KeyedCoProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor

DEADLINE_MS = 10000

env = StreamExecutionEnvironment.get_execution_environment()

# (order id, item, amount, event time in ms)
orders = env.from_collection(
    [
        ("o1", "book", 12, 1000),
        ("o2", "pen", 3, 2000),
        ("o3", "lamp", 40, 4000),
        ("o4", "ink", 9, 6000),
    ]
)

# (order id, amount paid, event time in ms)
payments = env.from_collection(
    [
        ("o2", 3, 2500),
        ("o3", 25, 7000),
        ("o5", 8, 8000),
        ("o1", 12, 9000),
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


class PaymentMatcher(KeyedCoProcessFunction):
    def open(self, runtime_context):
        # (item, amount, event time) and (amount paid, event time) of the current order id
        self.order = runtime_context.get_state(
            ValueStateDescriptor("order", Types.PICKLED_BYTE_ARRAY())
        )
        self.payment = runtime_context.get_state(
            ValueStateDescriptor("payment", Types.PICKLED_BYTE_ARRAY())
        )

    def process_element1(self, value, ctx):
        _, item, amount, at = value
        self.order.update((item, amount, at))
        ctx.timer_service().register_event_time_timer(at + DEADLINE_MS)

    def process_element2(self, value, ctx):
        _, paid, at = value
        self.payment.update((paid, at))
        ctx.timer_service().register_event_time_timer(at + DEADLINE_MS)

    def on_timer(self, timestamp, ctx):
        order_id = ctx.get_current_key()
        order, payment = self.order.value(), self.payment.value()
        # Only what happened up to the timer's time counts
        if order is not None and order[2] > timestamp:
            order = None
        if payment is not None and payment[1] > timestamp:
            payment = None
        if order is not None and order[2] + DEADLINE_MS == timestamp:
            item, amount, _ = order
            if payment is None:
                yield f"{order_id} {item}: not paid by {timestamp}"
            elif payment[0] < amount:
                yield f"{order_id} {item}: underpaid, {payment[0]} of {amount}"
            else:
                yield f"{order_id} {item}: paid {payment[0]} at {payment[1]}"
        elif order is None and payment is not None and payment[1] + DEADLINE_MS == timestamp:
            yield f"{order_id}: payment of {payment[0]} at {payment[1]} without an order"


(
    with_event_time(orders)
    .connect(with_event_time(payments))
    .key_by(lambda order: order[0], lambda payment: payment[0])
    .process(PaymentMatcher(), Types.STRING())
    .print()
)

env.execute("Orders matched with payments")
