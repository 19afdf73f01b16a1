"""Keyed state: key contexts, state backends organised by key group, state handles."""
