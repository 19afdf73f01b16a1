"""Reading Flink configuration options given to ``get_execution_environment(configuration)``.

Only the options the environment itself owns are read here (Flink's
``StreamExecutionEnvironment.configure``): ``parallelism.default``,
``pipeline.max-parallelism``, ``execution.buffer-timeout.enabled``,
``execution.buffer-timeout.interval`` (1.x key ``execution.buffer-timeout``) and
``pipeline.operator-chaining.enabled`` (1.x key ``pipeline.operator-chaining``). The whole
configuration still travels to the job as string key/values (``JobConfig.configuration``).

Values are strings, as in Flink's ``Configuration``; a malformed value raises ``ValueError``
naming the key, as Flink's ``IllegalArgumentException`` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["EnvironmentOptions", "parse_duration_ms", "read_environment_options"]

PARALLELISM_KEY = "parallelism.default"
MAX_PARALLELISM_KEY = "pipeline.max-parallelism"
BUFFER_TIMEOUT_ENABLED_KEY = "execution.buffer-timeout.enabled"
BUFFER_TIMEOUT_KEYS = ("execution.buffer-timeout.interval", "execution.buffer-timeout")
CHAINING_KEYS = ("pipeline.operator-chaining.enabled", "pipeline.operator-chaining")

# Flink's TimeUtils.parseDuration: a number, optional blanks, an optional unit (default ms).
_DURATION = re.compile(r"^\s*(\d+)\s*([a-zµ]*)\s*$")
_UNIT_TO_MS: dict[str, float] = {}
for _names, _factor in (
    (("d", "day", "days"), 86_400_000.0),
    (("h", "hour", "hours"), 3_600_000.0),
    (("min", "m", "minute", "minutes"), 60_000.0),
    (("s", "sec", "secs", "second", "seconds"), 1_000.0),
    (("", "ms", "milli", "millis", "millisecond", "milliseconds"), 1.0),
    (("µs", "us", "micro", "micros", "microsecond", "microseconds"), 0.001),
    (("ns", "nano", "nanos", "nanosecond", "nanoseconds"), 0.000_001),
):
    for _name in _names:
        _UNIT_TO_MS[_name] = _factor


@dataclass(frozen=True)
class EnvironmentOptions:
    """The environment settings found in a configuration; None where the key is absent."""

    parallelism: int | None = None
    max_parallelism: int | None = None
    buffer_timeout: int | None = None
    chaining_enabled: bool | None = None


def parse_duration_ms(key: str, text: str) -> int:
    """Parses a Flink duration (``"100 ms"``, ``"2s"``, ``"100"`` = ms) into milliseconds.

    Raises:
        ValueError: the text is not a duration.
    """
    match = _DURATION.match(text.lower())
    if match is None or match.group(2) not in _UNIT_TO_MS:
        raise ValueError(
            f"Could not parse value '{text}' for key '{key}': expected a duration such as "
            f"'100 ms', '2 s' or '100' (milliseconds)"
        )
    return int(int(match.group(1)) * _UNIT_TO_MS[match.group(2)])


def _parse_int(key: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(
            f"Could not parse value '{text}' for key '{key}': expected an integer"
        ) from None


def _parse_bool(key: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(
            f"Could not parse value '{text}' for key '{key}': expected 'true' or 'false'"
        )
    return lowered == "true"


def _first(values: Mapping[str, str], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for key in keys:
        if key in values:
            return key, values[key]
    return None


def read_environment_options(values: Mapping[str, str]) -> EnvironmentOptions:
    """Extracts the environment's own options from string key/values.

    ``execution.buffer-timeout.enabled: false`` means a buffer timeout of -1 (flush only when
    a buffer is full), whatever the interval says, as in Flink 2.x.

    Raises:
        ValueError: a value cannot be parsed.
    """
    parallelism = (
        _parse_int(PARALLELISM_KEY, values[PARALLELISM_KEY]) if PARALLELISM_KEY in values else None
    )
    max_parallelism = (
        _parse_int(MAX_PARALLELISM_KEY, values[MAX_PARALLELISM_KEY])
        if MAX_PARALLELISM_KEY in values
        else None
    )
    buffer_timeout = None
    found = _first(values, BUFFER_TIMEOUT_KEYS)
    if found is not None:
        buffer_timeout = parse_duration_ms(*found)
    if BUFFER_TIMEOUT_ENABLED_KEY in values and not _parse_bool(
        BUFFER_TIMEOUT_ENABLED_KEY, values[BUFFER_TIMEOUT_ENABLED_KEY]
    ):
        buffer_timeout = -1
    chaining = None
    found = _first(values, CHAINING_KEYS)
    if found is not None:
        chaining = _parse_bool(*found)
    return EnvironmentOptions(parallelism, max_parallelism, buffer_timeout, chaining)
