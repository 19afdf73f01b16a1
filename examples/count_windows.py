"""Courier trips: every 3 parcels of a courier make one trip, summed with count windows.

Demonstrates: ``KeyedStream.count_window(3)`` (tumbling windows of 3 elements per key, no
timestamps or watermarks needed) with ``reduce`` (combines the parcels of a trip as they arrive,
so a window keeps one value, not three). A count window fires the moment its third element
arrives. A window that never fills never fires, not even at the end of the input: anna's last two
parcels (p6, p8) and ben's last one (p12) are in no trip.

Input: (courier, parcel, kg). Expected output at ``-p 1`` (the same lines at any parallelism;
with several subtasks only the interleaving of couriers may change):

    anna trip p1+p3+p4: 7 kg
    ben trip p2+p5+p7: 9 kg
    ben trip p9+p10+p11: 12 kg
"""

from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()

# (courier, parcel, kg)
parcels = env.from_collection(
    [
        ("anna", "p1", 2),
        ("ben", "p2", 5),
        ("anna", "p3", 1),
        ("anna", "p4", 4),
        ("ben", "p5", 3),
        ("anna", "p6", 2),
        ("ben", "p7", 1),
        ("anna", "p8", 3),
        ("ben", "p9", 6),
        ("ben", "p10", 2),
        ("ben", "p11", 4),
        ("ben", "p12", 1),
    ]
)

trips = (
    parcels.key_by(lambda p: p[0])
    .count_window(3)
    .reduce(lambda a, b: (a[0], f"{a[1]}+{b[1]}", a[2] + b[2]))
)

trips.map(lambda t: f"{t[0]} trip {t[1]}: {t[2]} kg").print()

env.execute("Courier trips with count windows")
