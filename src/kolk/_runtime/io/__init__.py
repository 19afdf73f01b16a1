"""io layer of the runtime."""
