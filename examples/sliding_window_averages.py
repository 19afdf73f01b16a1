"""Moving average of a greenhouse's temperature: sliding event-time windows.

Demonstrates: ``SlidingEventTimeWindows.of(size, slide)`` (10-second windows starting every
5 s, so each reading falls into two windows, the first of them starting before 0) and
``aggregate(AggregateFunction, ProcessWindowFunction)``: the ``AggregateFunction`` keeps only a
(sum, count) accumulator per window while readings arrive, and the ``ProcessWindowFunction``
gets the one result together with the key and the window when the window fires.

The stream is keyed by sensor, so every sensor gets windows of its own; this input has one
sensor. (Windows of several keys that end at the same time fire in an order Flink leaves open.)
All windows fire when the final watermark arrives at the end of the input, in order of window
end; the readings are out of order by less than the watermark's 1 s, so none is late.

Input: (sensor, temperature, event time in ms). Expected output at ``-p 1`` (the same at any
parallelism, each line then prefixed by the subtask that owns the sensor):

    greenhouse [-5000, 5000): avg 21.0, n=2
    greenhouse [0, 10000): avg 22.5, n=4
    greenhouse [5000, 15000): avg 26.5, n=4
    greenhouse [10000, 20000): avg 29.0, n=2
"""

from pyflink.common import Duration, Time, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import AggregateFunction, ProcessWindowFunction, StreamExecutionEnvironment
from pyflink.datastream.window import SlidingEventTimeWindows

env = StreamExecutionEnvironment.get_execution_environment()

# (sensor, temperature, event time in ms)
readings = env.from_collection(
    [
        ("greenhouse", 20.0, 1000),
        ("greenhouse", 22.0, 4000),
        ("greenhouse", 25.0, 7000),
        ("greenhouse", 23.0, 6500),
        ("greenhouse", 30.0, 12000),
        ("greenhouse", 28.0, 11500),
    ]
)


class ReadingTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[2]


watermarks = WatermarkStrategy.for_bounded_out_of_orderness(
    Duration.of_seconds(1)
).with_timestamp_assigner(ReadingTime())


class AverageTemperature(AggregateFunction):
    """Accumulates (sum, count) per window; the result is (average, count)."""

    def create_accumulator(self):
        return 0.0, 0

    def add(self, value, accumulator):
        return accumulator[0] + value[1], accumulator[1] + 1

    def get_result(self, accumulator):
        return accumulator[0] / accumulator[1], accumulator[1]

    def merge(self, acc_a, acc_b):
        return acc_a[0] + acc_b[0], acc_a[1] + acc_b[1]


class LabelWindow(ProcessWindowFunction):
    def process(self, key, context, elements):
        window = context.window()
        for average, count in elements:
            yield f"{key} [{window.start}, {window.end}): avg {average:.1f}, n={count}"


(
    readings.assign_timestamps_and_watermarks(watermarks)
    .key_by(lambda r: r[0])
    .window(SlidingEventTimeWindows.of(Time.seconds(10), Time.seconds(5)))
    .aggregate(AverageTemperature(), LabelWindow())
    .print()
)

env.execute("Moving averages with sliding windows")
