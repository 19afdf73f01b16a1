from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()

# Create a data stream of (userID, clicks) with a declared tuple type
data_stream = env.from_collection(
    [("user1", 1), ("user2", 2), ("user1", 3), ("user3", 4), ("user2", 5)],
    type_info=Types.TUPLE([Types.STRING(), Types.INT()]))

# key_by turns the DataStream into a KeyedStream: all records with the same key
# go to the same parallel instance, which keeps the state of that key
keyed_stream = data_stream.key_by(lambda x: x[0])

# reduce combines each new record with the running result of its key
total_clicks = keyed_stream.reduce(lambda a, b: (a[0], a[1] + b[1]))

# The declared tuple type prints as Flink's Java tuples do: (user1,4)
total_clicks.print()

env.execute("Creating a KeyedStream")
