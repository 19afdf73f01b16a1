"""The current key of a keyed operator (Flink's ``KeyContext``)."""

from __future__ import annotations

from typing import Any

__all__ = ["NO_KEY_GROUP", "KeyContext"]

#: ``key_group`` value while no record or timer is being processed.
NO_KEY_GROUP = -1


class KeyContext:
    """The key (and its key group) of the record being processed.

    The operator sets both before calling user code; state handles read them. While no key is
    set ``key_group`` is :data:`NO_KEY_GROUP` and state access raises.
    """

    __slots__ = ("key", "key_group")

    def __init__(self) -> None:
        self.key: Any = None
        self.key_group = NO_KEY_GROUP

    def set_current_key(self, key: Any, key_group: int) -> None:
        """Makes ``key`` (in ``key_group``) the current key."""
        self.key = key
        self.key_group = key_group

    def clear(self) -> None:
        """Leaves the keyed context."""
        self.key = None
        self.key_group = NO_KEY_GROUP
