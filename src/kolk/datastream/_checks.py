"""Argument checks shared by the builders, with Flink's rules and wording.

Flink throws ``IllegalArgumentException`` from ``Preconditions.checkArgument``; PyFlink lets it
surface through py4j. kolk raises the Python equivalent, ``ValueError``, with Flink's message
(so that a search for the message finds Flink's documentation), and ``TypeError`` for a value
of the wrong type, which Flink's static types would have rejected before running.
"""

from __future__ import annotations

from typing import Any

from kolk._graph.transformations import PARALLELISM_DEFAULT

__all__ = [
    "UPPER_BOUND_MAX_PARALLELISM",
    "check_buffer_timeout",
    "check_environment_max_parallelism",
    "check_environment_parallelism",
    "check_operator_max_parallelism",
    "check_operator_parallelism",
    "require_int",
]

#: Flink's ``KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM`` (2^15).
UPPER_BOUND_MAX_PARALLELISM = 32768


def require_int(name: str, value: Any) -> int:
    """Returns the value if it is an int (not a bool).

    Raises:
        TypeError: the value is not an int.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    return value


def check_environment_parallelism(parallelism: Any) -> int:
    """Flink's ``ExecutionConfig.setParallelism`` rule: >= 1, or -1 (the default).

    Raises:
        ValueError: the parallelism is out of range.
    """
    require_int("parallelism", parallelism)
    if parallelism < 1 and parallelism != PARALLELISM_DEFAULT:
        raise ValueError(
            "Parallelism must be at least one, or ExecutionConfig.PARALLELISM_DEFAULT "
            "(use system default)."
        )
    return int(parallelism)


def check_environment_max_parallelism(max_parallelism: Any) -> int:
    """Flink's ``StreamExecutionEnvironment.setMaxParallelism`` rule: 0 < m <= 32768.

    Raises:
        ValueError: the max parallelism is out of range.
    """
    require_int("max_parallelism", max_parallelism)
    if not 0 < max_parallelism <= UPPER_BOUND_MAX_PARALLELISM:
        raise ValueError(
            f"maxParallelism is out of bounds 0 < maxParallelism <= "
            f"{UPPER_BOUND_MAX_PARALLELISM}. Found: {max_parallelism}"
        )
    return int(max_parallelism)


def check_operator_parallelism(parallelism: Any, can_be_parallel: bool) -> int:
    """Flink's ``OperatorValidationUtils.validateParallelism``.

    Raises:
        ValueError: a non-parallel operator (``from_collection``) given a parallelism other than
            1, or a parallelism below 1 other than -1.
    """
    require_int("parallelism", parallelism)
    if not can_be_parallel and parallelism != 1:
        raise ValueError(
            "The parallelism of non parallel operator must be 1. This operator (for example "
            "from_collection, always a single-subtask source) runs with parallelism 1; set the "
            "parallelism on the operators that follow it instead."
        )
    if parallelism < 1 and parallelism != PARALLELISM_DEFAULT:
        raise ValueError(
            "The parallelism of an operator must be at least 1, or "
            "ExecutionConfig.PARALLELISM_DEFAULT (use system default)."
        )
    return int(parallelism)


def check_operator_max_parallelism(max_parallelism: Any, can_be_parallel: bool) -> int:
    """Flink's ``OperatorValidationUtils.validateMaxParallelism`` (upper bound 32768).

    Raises:
        ValueError: the max parallelism is not positive, not 1 on a non-parallel operator,
            or above 32768.
    """
    require_int("max_parallelism", max_parallelism)
    if max_parallelism <= 0:
        raise ValueError("The maximum parallelism must be greater than 0.")
    if not can_be_parallel and max_parallelism != 1:
        raise ValueError("The maximum parallelism of non parallel operator must be 1.")
    if max_parallelism > UPPER_BOUND_MAX_PARALLELISM:
        raise ValueError(
            f"Maximum parallelism must be between 1 and {UPPER_BOUND_MAX_PARALLELISM}. "
            f"Found: {max_parallelism}"
        )
    return int(max_parallelism)


def check_buffer_timeout(timeout_millis: Any, message: str) -> int:
    """Buffer timeouts are >= -1 (Flink's ``ExecutionOptions.DISABLED_NETWORK_BUFFER_TIMEOUT``).

    Args:
        timeout_millis: the timeout to check.
        message: Flink's message for this call site (the environment and the operator word it
            differently).

    Raises:
        ValueError: the timeout is below -1.
    """
    require_int("timeout_millis", timeout_millis)
    if timeout_millis < -1:
        raise ValueError(message)
    return int(timeout_millis)
