from typing import Any

def split(
    records: list[Any],
    keys: list[Any],
    timestamps: list[Any] | None,
    cache: dict[Any, int],
    channel_of_key_group: list[int],
    num_channels: int,
) -> list[tuple[list[Any], list[Any], list[int], list[Any] | None] | None] | None: ...
