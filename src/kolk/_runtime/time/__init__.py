"""Time: clocks (and, later, watermarks and timer services)."""
