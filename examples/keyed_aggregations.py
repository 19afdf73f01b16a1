"""Weather station summaries: the built-in rolling aggregations of a KeyedStream.

Demonstrates: ``sum``, ``min``, ``max``, ``min_by`` and ``max_by`` on tuples, by field position.
Each emits one record per input record: the running aggregate of that record's key. ``sum``,
``min`` and ``max`` only update the chosen field and keep the other fields of the key's *first*
record (oslo's running minimum still says "mon"); ``min_by`` and ``max_by`` return the whole
record holding the extreme value, the first one on a tie (oslo's rainiest day stays "tue" when
"wed" has as much rain). The readings are declared as ``Types.TUPLE``, so they print as Flink's
Java tuples do: ``(oslo,mon,3,5)``.

Each aggregation runs as its own small job (``execute`` once per aggregation), so that the
outputs of the five do not interleave.

Input: (station, day, temperature in C, rainfall in mm). Expected output at ``-p 1`` (the same
lines at any parallelism; with several subtasks only the interleaving of stations may change):

    sum of rainfall, sum(3)
    (oslo,mon,3,5)
    (rome,mon,18,0)
    (oslo,mon,3,17)
    (rome,mon,18,3)
    (oslo,mon,3,29)
    (rome,mon,18,11)
    lowest temperature, min(2)
    (oslo,mon,3,5)
    (rome,mon,18,0)
    (oslo,mon,-2,5)
    (rome,mon,18,0)
    (oslo,mon,-2,5)
    (rome,mon,16,0)
    highest temperature, max(2)
    (oslo,mon,3,5)
    (rome,mon,18,0)
    (oslo,mon,3,5)
    (rome,mon,21,0)
    (oslo,mon,3,5)
    (rome,mon,21,0)
    coldest day, min_by(2)
    (oslo,mon,3,5)
    (rome,mon,18,0)
    (oslo,tue,-2,12)
    (rome,mon,18,0)
    (oslo,tue,-2,12)
    (rome,wed,16,8)
    rainiest day, max_by(3)
    (oslo,mon,3,5)
    (rome,mon,18,0)
    (oslo,tue,-2,12)
    (rome,tue,21,3)
    (oslo,tue,-2,12)
    (rome,wed,16,8)
"""

from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()

# (station, day, temperature in C, rainfall in mm)
READINGS = [
    ("oslo", "mon", 3, 5),
    ("rome", "mon", 18, 0),
    ("oslo", "tue", -2, 12),
    ("rome", "tue", 21, 3),
    ("oslo", "wed", 1, 12),
    ("rome", "wed", 16, 8),
]
READING_TYPE = Types.TUPLE([Types.STRING(), Types.STRING(), Types.INT(), Types.INT()])

AGGREGATIONS = [
    ("sum of rainfall, sum(3)", lambda stations: stations.sum(3)),
    ("lowest temperature, min(2)", lambda stations: stations.min(2)),
    ("highest temperature, max(2)", lambda stations: stations.max(2)),
    ("coldest day, min_by(2)", lambda stations: stations.min_by(2)),
    ("rainiest day, max_by(3)", lambda stations: stations.max_by(3)),
]

for title, aggregate in AGGREGATIONS:
    stations = env.from_collection(READINGS, type_info=READING_TYPE).key_by(lambda r: r[0])
    aggregate(stations).print()
    print(title, flush=True)
    env.execute(title)
