"""Revenue per shop in 10-second windows, with side outputs for big and late orders.

Demonstrates:
- a ``ProcessFunction`` that sends a copy of every big order (500 or more) to a side output by
  yielding ``(output_tag, value)``, read back with ``get_side_output``;
- tumbling event-time windows (``TumblingEventTimeWindows``) summing the amounts per shop in a
  ``ProcessWindowFunction`` that sees its window's start and end;
- ``allowed_lateness`` (a window's contents are kept 5 s of event time past its end, and an
  order arriving in that time fires it again) and ``side_output_late_data`` (orders arriving
  even later go to a side output instead of being dropped).

An order is late when the watermark has already passed its window's end plus the allowed
lateness. The watermark trails the largest event time seen by 1 s and these orders are never
more than 1 s out of order, so no order is late however often the periodic watermark (every
200 ms of wall-clock time) happens to advance while the input is read, and the late output
stays empty. (An order further behind would be late or not depending on whether a watermark
was emitted before it arrived, which is a matter of timing; so this example has none.) Every
window fires when the final watermark arrives at the end of the input, in order of window end.
Windows of different shops that end at the same time fire in an order Flink leaves open; the
one below is what real PyFlink 2.3 printed too.

Input: (order id, shop, amount, event time in ms). Expected output at ``-p 1`` (the three print
sinks each keep their own order; how their lines interleave is up to the engine):

    big> o2 paris 800
    big> o4 berlin 650
    big> o8 paris 900
    totals> berlin [0, 10000): 3 orders, 810
    totals> paris [0, 10000): 2 orders, 830
    totals> paris [10000, 20000): 2 orders, 970
    totals> berlin [10000, 20000): 2 orders, 75
"""

from pyflink.common import Duration, Time, WatermarkStrategy
from pyflink.common.typeinfo import Types
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import ProcessFunction, ProcessWindowFunction, StreamExecutionEnvironment
from pyflink.datastream.output_tag import OutputTag
from pyflink.datastream.window import TumblingEventTimeWindows

env = StreamExecutionEnvironment.get_execution_environment()

# (order id, shop, amount, event time in ms)
orders = env.from_collection(
    [
        ("o1", "berlin", 120, 1000),
        ("o2", "paris", 800, 2000),
        ("o3", "berlin", 40, 4000),
        ("o4", "berlin", 650, 9500),
        ("o5", "paris", 30, 9000),
        ("o6", "paris", 70, 12000),
        ("o7", "berlin", 15, 11500),
        ("o8", "paris", 900, 15000),
        ("o9", "berlin", 60, 19000),
    ]
)


class OrderTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[3]


watermarks = WatermarkStrategy.for_bounded_out_of_orderness(
    Duration.of_seconds(1)
).with_timestamp_assigner(OrderTime())

big_orders = OutputTag("big-orders", Types.STRING())
late_orders = OutputTag("late-orders")


class FlagBigOrders(ProcessFunction):
    def process_element(self, value, ctx):
        order_id, shop, amount, _ = value
        if amount >= 500:
            yield big_orders, f"{order_id} {shop} {amount}"
        # Every order, big or not, goes on to the revenue windows
        yield value


class ShopRevenue(ProcessWindowFunction):
    def process(self, key, context, elements):
        window = context.window()
        amounts = [order[2] for order in elements]
        yield f"{key} [{window.start}, {window.end}): {len(amounts)} orders, {sum(amounts)}"


checked = orders.assign_timestamps_and_watermarks(watermarks).process(FlagBigOrders())

revenue = (
    checked.key_by(lambda o: o[1])
    .window(TumblingEventTimeWindows.of(Time.seconds(10)))
    .allowed_lateness(5000)
    .side_output_late_data(late_orders)
    .process(ShopRevenue(), Types.STRING())
)

checked.get_side_output(big_orders).print("big")
revenue.print("totals")
revenue.get_side_output(late_orders).map(lambda o: f"{o[0]} {o[1]} {o[2]}").print("late")

env.execute("Shop revenue with big and late orders")
