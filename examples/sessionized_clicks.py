"""Browsing sessions: clicks grouped per user into event-time session windows.

Demonstrates: ``EventTimeSessionWindows.with_gap`` (a session ends after 3 s of event time
without a click of that user) and a ``ProcessWindowFunction`` that reads its window's start and
end from ``context.window()``; the result is a declared ``Types.TUPLE``, which prints as Flink's
Java tuples do: ``(alice,1000,7000,3)``. Session windows merge: carol's click at 12500 arrives
after the one at 14000 and joins her two sessions ([10000, 13000) and [14000, 17000)) into one.

A session window ends 3 s after its last click and fires when the watermark passes that end;
here, at the end of the input, in order of window end. The clicks are out of order by at most
the 2 s the watermark allows for, so no click is late and the output is the same on every run.

Input: (user, page, event time in ms). Expected output at ``-p 1`` (the same lines at any
parallelism; with several subtasks only the interleaving of users may change):

    (bob,2000,5000,1)
    (alice,1000,7000,3)
    (bob,5500,11000,2)
    (alice,9000,12000,1)
    (carol,10000,17000,3)
"""

from pyflink.common import Duration, Time, WatermarkStrategy
from pyflink.common.typeinfo import Types
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import ProcessWindowFunction, StreamExecutionEnvironment
from pyflink.datastream.window import EventTimeSessionWindows

env = StreamExecutionEnvironment.get_execution_environment()

# (user, page, event time in ms)
clicks = env.from_collection(
    [
        ("alice", "home", 1000),
        ("bob", "home", 2000),
        ("alice", "shoes", 2500),
        ("alice", "cart", 4000),
        ("bob", "hats", 5500),
        ("carol", "home", 10000),
        ("alice", "home", 9000),
        ("bob", "pay", 8000),
        ("carol", "shoes", 14000),
        ("carol", "cart", 12500),
    ]
)


class ClickTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[2]


watermarks = WatermarkStrategy.for_bounded_out_of_orderness(
    Duration.of_seconds(2)
).with_timestamp_assigner(ClickTime())


class SessionSummary(ProcessWindowFunction):
    def process(self, key, context, elements):
        window = context.window()
        yield key, window.start, window.end, len(list(elements))


(
    clicks.assign_timestamps_and_watermarks(watermarks)
    .key_by(lambda c: c[0])
    .window(EventTimeSessionWindows.with_gap(Time.seconds(3)))
    .process(
        SessionSummary(), Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG(), Types.INT()])
    )
    .print()
)

env.execute("Sessionized clicks")
