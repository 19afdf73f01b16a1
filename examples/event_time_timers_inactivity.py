"""Inactive users, found with event-time timers.

Demonstrates: ``WatermarkStrategy.for_bounded_out_of_orderness`` with a ``TimestampAssigner``
that reads each event's time from the data; a ``KeyedProcessFunction`` that registers an
event-time timer 5 s (of event time) after every event with
``ctx.timer_service().register_event_time_timer``; ``on_timer`` reporting the users who sent
nothing in those 5 s.

Timers fire when the watermark passes them, in timestamp order. The watermark trails the
largest timestamp seen by 2 s; at the end of a bounded input the final watermark
(``Long.MAX_VALUE``) fires every timer still pending. The report is decided from event times
only (were there events of the user in the 5 s after this one?), and the events are out of
order by less than the 2 s bound, so the output is the same however often the periodic
watermark happened to advance while the input was read.

Input: (user, action, event time in ms). Expected output at ``-p 1`` (the same lines at any
parallelism; with several subtasks only the interleaving of users may change):

    alice inactive after 3000 ms (timer at 8000 ms)
    bob inactive after 4000 ms (timer at 9000 ms)
    alice inactive after 11000 ms (timer at 16000 ms)
    carol inactive after 12000 ms (timer at 17000 ms)
    bob inactive after 13000 ms (timer at 18000 ms)
"""

from pyflink.common import Duration, WatermarkStrategy
from pyflink.common.typeinfo import Types
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ListStateDescriptor

TIMEOUT_MS = 5000

env = StreamExecutionEnvironment.get_execution_environment()

# (user, action, event time in ms); alice's click at 2500 arrives after the one at 3000,
# bob's at 9500 after alice's at 11000
events = env.from_collection(
    [
        ("alice", "login", 1000),
        ("bob", "login", 2000),
        ("alice", "click", 3000),
        ("alice", "click", 2500),
        ("bob", "click", 4000),
        ("alice", "click", 11000),
        ("bob", "click", 9500),
        ("carol", "login", 12000),
        ("bob", "logout", 13000),
    ]
)


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[2]


watermarks = WatermarkStrategy.for_bounded_out_of_orderness(
    Duration.of_seconds(2)
).with_timestamp_assigner(EventTime())


class InactivityDetector(KeyedProcessFunction):
    def open(self, runtime_context):
        # Event times of the user's events not yet checked by a timer
        self.seen = runtime_context.get_list_state(ListStateDescriptor("seen", Types.LONG()))

    def process_element(self, value, ctx):
        self.seen.add(ctx.timestamp())
        ctx.timer_service().register_event_time_timer(ctx.timestamp() + TIMEOUT_MS)

    def on_timer(self, timestamp, ctx):
        last_check = timestamp - TIMEOUT_MS
        seen = list(self.seen.get())
        if not any(last_check < t <= timestamp for t in seen):
            yield (
                f"{ctx.get_current_key()} inactive after {last_check} ms (timer at {timestamp} ms)"
            )
        # Later timers only look at events after their own event: forget the older ones
        self.seen.update([t for t in seen if t > last_check])


(
    events.assign_timestamps_and_watermarks(watermarks)
    .key_by(lambda e: e[0])
    .process(InactivityDetector())
    .print()
)

env.execute("Inactivity detection with event-time timers")
