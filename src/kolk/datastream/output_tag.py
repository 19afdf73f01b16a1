"""Side-output tags (mirrors ``pyflink.datastream.output_tag``).

A process function emits ``(output_tag, value)`` to send ``value`` to the side output named
by the tag; ``stream.get_side_output(output_tag)`` is the stream of those values.
"""

from __future__ import annotations

from typing import Any

from kolk.common.typeinfo import RowTypeInfo, TypeInformation, Types

__all__ = ["OutputTag"]


class OutputTag:
    """A named, typed tag for a side output.

    Args:
        tag_id: the side output's name (not empty).
        type_info: the values' type: a TypeInformation, a list of field types (a Row type), or
            None for pickled Python objects.

    Raises:
        ValueError: ``tag_id`` is empty.
        TypeError: ``type_info`` is of another kind.
    """

    def __init__(self, tag_id: str, type_info: TypeInformation | list[Any] | None = None) -> None:
        if not tag_id:
            raise ValueError("OutputTag tag_id cannot be None or empty string")
        self.tag_id = tag_id
        if type_info is None:
            self.type_info: TypeInformation = Types.PICKLED_BYTE_ARRAY()
        elif isinstance(type_info, list):
            self.type_info = RowTypeInfo(type_info)
        elif not isinstance(type_info, TypeInformation):
            raise TypeError("OutputTag type_info must be None, list or TypeInformation")
        else:
            self.type_info = type_info

    def get_java_output_tag(self) -> Any:
        """The Java ``OutputTag`` (kolk has no JVM)."""
        raise NotImplementedError("OutputTag.get_java_output_tag is not supported by kolk (no JVM)")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, OutputTag)
            and other.tag_id == self.tag_id
            and other.type_info == self.type_info
        )

    def __hash__(self) -> int:
        return hash(("OutputTag", self.tag_id))

    def __repr__(self) -> str:
        return f"OutputTag({self.tag_id!r}, {self.type_info!r})"
