"""Small rules shared by the stream builders: node names, argument checks, declared types."""

from __future__ import annotations

from typing import Any, Protocol

from kolk._graph.transformations import SinkTransformation, SourceTransformation, Transformation
from kolk.common import TypeInformation, Types

__all__ = [
    "PRINT_SINK_NAME",
    "ProgramRecorder",
    "check_function",
    "check_slot_sharing_group",
    "declared_type",
    "node_name",
    "user_name",
]


class ProgramRecorder(Protocol):
    """What streams need from their environment: ids, and a record of the program's operators.

    ``StreamExecutionEnvironment`` is the implementation. The streams see it through this
    protocol so that ``data_stream`` never imports the environment module (the environment
    imports the streams: it creates them; import-linter keeps the direction).
    """

    def _new_id(self) -> int:
        """Returns the next transformation id of the program (1, 2, 3, ...)."""

    def _add_operator(self, transformation: Transformation) -> None:
        """Records an operator or sink as part of the program (Flink's ``addOperator``)."""

    def execute(self, job_name: str | None = None) -> Any:
        """Runs the program's operators as one job (``StreamExecutionEnvironment.execute``)."""


#: Flink's print sink is named "Print to Std. Out"; its node reads "Sink: Print to Std. Out".
PRINT_SINK_NAME = "Sink: Print to Std. Out"

# Flink names a source node "Source: <name>" and a sink node "Sink: <name>" (its
# transformation translators add the prefix). kolk stores the node name on the transformation,
# so the prefix is added by name() and removed by get_name().
_NAME_PREFIXES = ((SourceTransformation, "Source: "), (SinkTransformation, "Sink: "))


def node_name(transformation: Transformation, name: str) -> str:
    """The node name for a user-given name: prefixed for sources and sinks."""
    for kind, prefix in _NAME_PREFIXES:
        if isinstance(transformation, kind):
            return prefix + name
    return name


def user_name(transformation: Transformation) -> str:
    """The name as the user gave it (Flink's ``getName()``), without the node prefix."""
    for kind, prefix in _NAME_PREFIXES:
        if isinstance(transformation, kind) and transformation.name.startswith(prefix):
            return transformation.name[len(prefix) :]
    return transformation.name


def check_function(func: Any, interface: type, message: str) -> None:
    """PyFlink's check: a Function of the interface, or any callable.

    Raises:
        TypeError: PyFlink's message, then what was given.
    """
    if not isinstance(func, interface) and not callable(func):
        raise TypeError(f"{message}, got {type(func).__name__}: {func!r}")


def check_slot_sharing_group(owner: str, slot_sharing_group: Any) -> str:
    """Slot sharing groups are given by name; ``SlotSharingGroup`` objects are not supported.

    Raises:
        NotImplementedError: anything but a str was given.
    """
    if not isinstance(slot_sharing_group, str):
        raise NotImplementedError(
            f"{owner}.slot_sharing_group with a {type(slot_sharing_group).__name__} is not "
            f"supported by kolk yet; pass the group's name (a str)"
        )
    return slot_sharing_group


def declared_type(output_type: Any) -> Any:
    """Normalises ``output_type``: None (pickled), a TypeInformation, or a list (a Row type).

    Raises:
        TypeError: anything else (PyFlink's wording, then what was given).
    """
    if output_type is None or isinstance(output_type, TypeInformation):
        return output_type
    if isinstance(output_type, list):
        return Types.ROW(output_type)
    raise TypeError(
        f"output_type must be None, list or TypeInformation, got "
        f"{type(output_type).__name__}: {output_type!r}"
    )
