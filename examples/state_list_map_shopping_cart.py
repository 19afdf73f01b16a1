"""Shopping carts kept in keyed ListState and MapState.

Demonstrates: ``ListState`` (the products in the order they were first put in the cart) and
``MapState`` (the quantity of each product) of a ``KeyedProcessFunction``, one cart per user;
``add``, ``get``, ``update`` and ``clear`` on the list, ``get``, ``put``, ``contains``,
``remove``, ``items`` and ``is_empty`` on the map. A checkout prints the bill and empties the
cart.

Input: (user, action, product, quantity). Expected output at ``-p 1`` (each user's lines are the
same at any parallelism; only the interleaving of users may change):

    alice added 2 apple -> ['apple'] {'apple': 2}
    bob added 1 bread -> ['bread'] {'bread': 1}
    alice added 1 milk -> ['apple', 'milk'] {'apple': 2, 'milk': 1}
    alice added 3 apple -> ['apple', 'milk'] {'apple': 5, 'milk': 1}
    bob added 6 eggs -> ['bread', 'eggs'] {'bread': 1, 'eggs': 6}
    alice removed milk -> ['apple'] {'apple': 5}
    bob checked out 7 items: bread x1, eggs x6
    alice added 1 tea -> ['apple', 'tea'] {'apple': 5, 'tea': 1}
    bob added 2 bread -> ['bread'] {'bread': 2}
    alice checked out 6 items: apple x5, tea x1
    carol checked out an empty cart
"""

from pyflink.common.typeinfo import Types
from pyflink.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ListStateDescriptor, MapStateDescriptor

env = StreamExecutionEnvironment.get_execution_environment()

# (user, action, product, quantity)
events = env.from_collection(
    [
        ("alice", "add", "apple", 2),
        ("bob", "add", "bread", 1),
        ("alice", "add", "milk", 1),
        ("alice", "add", "apple", 3),
        ("bob", "add", "eggs", 6),
        ("alice", "remove", "milk", 0),
        ("bob", "checkout", "", 0),
        ("alice", "add", "tea", 1),
        ("bob", "add", "bread", 2),
        ("alice", "checkout", "", 0),
        ("carol", "checkout", "", 0),
    ]
)


class ShoppingCart(KeyedProcessFunction):
    def open(self, runtime_context):
        # The products in the order they were first added ...
        self.products = runtime_context.get_list_state(
            ListStateDescriptor("products", Types.STRING())
        )
        # ... and how many of each: both are scoped to the current key (the user)
        self.quantities = runtime_context.get_map_state(
            MapStateDescriptor("quantities", Types.STRING(), Types.INT())
        )

    def process_element(self, value, ctx):
        user, action, product, quantity = value
        if action == "add":
            if not self.quantities.contains(product):
                self.products.add(product)
            self.quantities.put(product, (self.quantities.get(product) or 0) + quantity)
            yield f"{user} added {quantity} {product} -> {self.cart()}"
        elif action == "remove":
            self.quantities.remove(product)
            self.products.update([p for p in self.products.get() if p != product])
            yield f"{user} removed {product} -> {self.cart()}"
        elif action == "checkout":
            if self.quantities.is_empty():
                yield f"{user} checked out an empty cart"
            else:
                lines = [f"{p} x{self.quantities.get(p)}" for p in self.products.get()]
                total = sum(quantity for _, quantity in self.quantities.items())
                yield f"{user} checked out {total} items: {', '.join(lines)}"
            self.products.clear()
            self.quantities.clear()

    def cart(self):
        # MapState iterates in no particular order: list it in the order of the ListState
        products = list(self.products.get())
        quantities = {p: self.quantities.get(p) for p in products}
        return f"{products} {quantities}"


events.key_by(lambda e: e[0]).process(ShoppingCart()).print()

env.execute("Shopping carts with ListState and MapState")
