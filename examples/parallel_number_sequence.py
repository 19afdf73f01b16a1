"""Load test for a billing pipeline: synthetic payments from a parallel number source.

Demonstrates: ``env.from_source(NumberSequenceSource(1, 36000), watermark_strategy, "payments")``,
a bounded source that, unlike ``from_collection``, is parallel: it runs at the default
parallelism, splits the range into one contiguous part per subtask and reads each part in
increasing order (at ``-p 2``, the first subtask generates payments 1 to 18000 and the second
the rest).
The ``WatermarkStrategy`` given to ``from_source`` stamps the records: payment n happens at
(n - 1) * 100 ms, so the 36,000 payments span one hour of event time, and its amount is
1 + n % 9 euros. ``window_all`` with tumbling 10-minute event-time windows totals the payments:
``reduce`` combines them as they arrive (a window keeps one value) and a
``ProcessAllWindowFunction`` adds the window's bounds. Every subtask's timestamps ascend, so the
monotonous watermarks never make a payment late, at any parallelism; the windows fire in order
of their end.

``kolk plan`` shows the source as the vertex ``Source: payments -> Map`` at the default
parallelism: Flink applies the watermark strategy inside the source operator (kolk runs it in
a step chained right after the source, which plans leave out as Flink's have none).

Expected output at ``-p 1`` (the same lines at any parallelism):

    [00:00, 00:10): payments 1 to 6000, 29997 EUR
    [00:10, 00:20): payments 6001 to 12000, 29997 EUR
    [00:20, 00:30): payments 12001 to 18000, 30006 EUR
    [00:30, 00:40): payments 18001 to 24000, 29997 EUR
    [00:40, 00:50): payments 24001 to 30000, 29997 EUR
    [00:50, 01:00): payments 30001 to 36000, 30006 EUR
"""

from pyflink.common import Time, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.number_seq import NumberSequenceSource
from pyflink.datastream.functions import ProcessAllWindowFunction
from pyflink.datastream.window import TumblingEventTimeWindows

env = StreamExecutionEnvironment.get_execution_environment()


class PaymentTime(TimestampAssigner):
    """Payment n happens at (n - 1) * 100 ms: ten payments a second."""

    def extract_timestamp(self, value, record_timestamp):
        return (value - 1) * 100


watermarks = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(PaymentTime())

payment_ids = env.from_source(NumberSequenceSource(1, 36000), watermarks, "payments")

# (first payment id, last payment id, amount in euros)
payments = payment_ids.map(lambda n: (n, n, 1 + n % 9))


def combine(a, b):
    return min(a[0], b[0]), max(a[1], b[1]), a[2] + b[2]


def clock(ms):
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}"


class WithWindow(ProcessAllWindowFunction):
    def process(self, context, elements):
        first, last, euros = next(iter(elements))
        window = context.window()
        yield (
            f"[{clock(window.start)}, {clock(window.end)}): payments {first} to {last}, {euros} EUR"
        )


payments.window_all(TumblingEventTimeWindows.of(Time.minutes(10))).reduce(
    combine, window_function=WithWindow()
).print()

env.execute("Synthetic payments from a parallel number sequence")
