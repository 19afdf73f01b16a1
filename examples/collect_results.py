"""Stock levels computed by a job and checked in the client: execute_and_collect.

Demonstrates: ``DataStream.execute_and_collect()``, which runs the job and hands its results back
to the Python program as an iterator (closed by the ``with`` block) instead of printing them in
a sink; the program then checks them with plain ``assert``s, as a test would. The job keeps a
running stock level per product with ``key_by`` + ``reduce``; the client keeps the last level
it received for each product (one product's updates arrive in order at any parallelism).

Input: (product, change in stock). Expected output at ``-p 1`` (at any parallelism; the lines
come from the client's own ``print`` calls, never from a print sink):

    received 8 running levels
    final stock: bolts=0, nuts=140, screws=75
    sold out: bolts
"""

from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()

# (product, change in stock): deliveries are positive, sales negative
movements = env.from_collection(
    [
        ("screws", 100),
        ("nuts", 200),
        ("screws", -30),
        ("bolts", 50),
        ("nuts", -60),
        ("bolts", -50),
        ("screws", 5),
        ("screws", 0),
    ]
)

levels = movements.key_by(lambda m: m[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))

final = {}
received = 0
with levels.execute_and_collect() as results:
    for product, level in results:
        final[product] = level
        received += 1

assert received == 8, received
assert final == {"screws": 75, "nuts": 140, "bolts": 0}, final
assert all(level >= 0 for level in final.values())

print(f"received {received} running levels")
print("final stock: " + ", ".join(f"{p}={final[p]}" for p in sorted(final)))
print("sold out: " + ", ".join(p for p in sorted(final) if final[p] == 0))
