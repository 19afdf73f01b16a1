"""operators layer of the runtime."""
