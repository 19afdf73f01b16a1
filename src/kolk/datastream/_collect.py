"""The iterator ``execute_and_collect`` returns (public home: ``kolk.datastream.data_stream``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kolk.common.typeinfo import RowTypeInfo, TypeInformation
from kolk.common.types import Row, RowKind

__all__ = ["CloseableIterator", "to_python_object"]


def to_python_object(value: Any, type_info: TypeInformation | None) -> Any:
    """What PyFlink's ``convert_to_python_obj`` hands back: Rows for a Row type, else as is."""
    if isinstance(type_info, RowTypeInfo) and value is not None and not isinstance(value, Row):
        kind, *fields = type_info.to_internal_type(value)
        row = Row(*fields)
        row.set_field_names(type_info.get_field_names())
        row.set_row_kind(RowKind(kind))
        return row
    return value


class CloseableIterator:
    """An iterator over a job's collected results that is also a context manager.

    Args:
        results: the collected records (the job has finished).
        type_info: the stream's declared type, for the conversion PyFlink applies.
    """

    def __init__(self, results: list[Any], type_info: TypeInformation | None = None) -> None:
        self._iterator: Iterator[Any] = iter(results)
        self._type_info = type_info

    def __iter__(self) -> CloseableIterator:
        return self

    def __next__(self) -> Any:
        return self.next()

    def __enter__(self) -> CloseableIterator:
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.close()

    def next(self) -> Any:
        """The next result; StopIteration when there is none."""
        try:
            return to_python_object(next(self._iterator), self._type_info)
        except StopIteration:
            raise StopIteration("No more data.") from None

    def close(self) -> None:
        """Releases the results."""
        self._iterator = iter(())


CloseableIterator.__module__ = "kolk.datastream.data_stream"
