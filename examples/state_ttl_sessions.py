"""Login sessions whose state expires: StateTtlConfig on a ValueState.

Demonstrates: building a ``StateTtlConfig`` (time to live, when the TTL is refreshed, whether an
expired value may still be read, background cleanup) and attaching it to a
``ValueStateDescriptor`` with ``enable_time_to_live``. The state holds the pages a user viewed
in the current session; a user idle for more than 30 minutes would find it gone and start a
new session.

TTL in Flink counts **processing time** (the wall clock), never event time. This bounded input
is processed in well under 30 minutes, so nothing expires here and the state behaves like a
plain ValueState; the output is the same on every run.

Input: (user, page). Expected output at ``-p 1`` (each user's lines are the same at any
parallelism; only the interleaving of users may change):

    ttl 30 min, OnReadAndWrite, NeverReturnExpired
    alice: new session, pages ['home']
    bob: new session, pages ['search']
    alice: pages ['home', 'shoes']
    bob: pages ['search', 'hats']
    alice: pages ['home', 'shoes', 'cart']
    alice: logged out after 3 pages
    alice: new session, pages ['home']
"""

from pyflink.common.time import Time
from pyflink.common.typeinfo import Types
from pyflink.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import StateTtlConfig, ValueStateDescriptor

env = StreamExecutionEnvironment.get_execution_environment()

# (user, page); "logout" ends a session explicitly
views = env.from_collection(
    [
        ("alice", "home"),
        ("bob", "search"),
        ("alice", "shoes"),
        ("bob", "hats"),
        ("alice", "cart"),
        ("alice", "logout"),
        ("alice", "home"),
    ]
)

# A session lives 30 minutes after its last read or write; an expired session is never
# returned, even before it is cleaned up; full snapshots leave expired entries out.
session_ttl = (
    StateTtlConfig.new_builder(Time.minutes(30))
    .set_update_type(StateTtlConfig.UpdateType.OnReadAndWrite)
    .set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
    .cleanup_full_snapshot()
    .build()
)

print(
    f"ttl {session_ttl.get_ttl().to_milliseconds() // 60000} min, "
    f"{session_ttl.get_update_type().name}, {session_ttl.get_state_visibility().name}"
)


class SessionPages(KeyedProcessFunction):
    def open(self, runtime_context):
        descriptor = ValueStateDescriptor("session_pages", Types.LIST(Types.STRING()))
        descriptor.enable_time_to_live(session_ttl)
        self.pages = runtime_context.get_state(descriptor)

    def process_element(self, value, ctx):
        user, page = value
        pages = self.pages.value()
        if page == "logout":
            self.pages.clear()
            yield f"{user}: logged out after {len(pages or [])} pages"
        elif pages is None:
            # No session, or it expired: start a new one
            self.pages.update([page])
            yield f"{user}: new session, pages {[page]}"
        else:
            pages = [*pages, page]
            self.pages.update(pages)
            yield f"{user}: pages {pages}"


views.key_by(lambda v: v[0]).process(SessionPages()).print()

env.execute("Sessions with state TTL")
