"""A game leaderboard: best score in ReducingState, average score in AggregatingState.

Demonstrates: ``ReducingState`` (each ``add`` folds the new value in with a ``ReduceFunction``;
here the best score so far) and ``AggregatingState`` (each ``add`` goes through an
``AggregateFunction``'s accumulator; here (sum, count), read back as the average) in a
``KeyedProcessFunction``, one leaderboard entry per player.

Input: (player, score). Expected output at ``-p 1`` (each player's lines are the same at any
parallelism; only the interleaving of players may change):

    alice scored 40: best 40, average 40.00 over 1 games
    bob scored 75: best 75, average 75.00 over 1 games
    alice scored 90: best 90, average 65.00 over 2 games
    carol scored 60: best 60, average 60.00 over 1 games
    bob scored 55: best 75, average 65.00 over 2 games
    alice scored 71: best 90, average 67.00 over 3 games
    bob scored 80: best 80, average 70.00 over 3 games
"""

from pyflink.common.typeinfo import Types
from pyflink.datastream import (
    AggregateFunction,
    KeyedProcessFunction,
    ReduceFunction,
    StreamExecutionEnvironment,
)
from pyflink.datastream.state import AggregatingStateDescriptor, ReducingStateDescriptor

env = StreamExecutionEnvironment.get_execution_environment()

# (player, score)
scores = env.from_collection(
    [
        ("alice", 40),
        ("bob", 75),
        ("alice", 90),
        ("carol", 60),
        ("bob", 55),
        ("alice", 71),
        ("bob", 80),
    ]
)


class Best(ReduceFunction):
    def reduce(self, value1, value2):
        return max(value1, value2)


class Average(AggregateFunction):
    """Accumulates (sum, count); the result is (average, count)."""

    def create_accumulator(self):
        return 0, 0

    def add(self, value, accumulator):
        return accumulator[0] + value, accumulator[1] + 1

    def get_result(self, accumulator):
        return accumulator[0] / accumulator[1], accumulator[1]

    def merge(self, acc_a, acc_b):
        return acc_a[0] + acc_b[0], acc_a[1] + acc_b[1]


class Leaderboard(KeyedProcessFunction):
    def open(self, runtime_context):
        self.best = runtime_context.get_reducing_state(
            ReducingStateDescriptor("best", Best(), Types.INT())
        )
        # The type given is the accumulator's, not the result's
        self.average = runtime_context.get_aggregating_state(
            AggregatingStateDescriptor(
                "average", Average(), Types.TUPLE([Types.LONG(), Types.LONG()])
            )
        )

    def process_element(self, value, ctx):
        player, score = value
        self.best.add(score)
        self.average.add(score)
        average, games = self.average.get()
        yield (
            f"{player} scored {score}: best {self.best.get()}, "
            f"average {average:.2f} over {games} games"
        )


scores.key_by(lambda s: s[0]).process(Leaderboard()).print()

env.execute("Leaderboard with ReducingState and AggregatingState")
