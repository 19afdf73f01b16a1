from typing import Any

def encode(
    prefix: bytes,
    records: list[Any],
    timestamps: list[Any] | None,
    key_groups: list[int] | None,
) -> bytes | None: ...
def decode(body: bytes | memoryview) -> tuple[list[Any], list[Any] | None, list[int] | None]: ...
