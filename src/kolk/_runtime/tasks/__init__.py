"""tasks layer of the runtime."""
