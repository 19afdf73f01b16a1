"""``Row`` and ``RowKind``: PyFlink's row record and its changelog kind (``pyflink.common.types``).

A :class:`Row` behaves as PyFlink's does: positional (``Row(1, 'a')``) or named
(``Row(name='a', age=1)``, fields in the order given); ``Row('name', 'age')`` is a factory
whose call builds named rows; fields are read by index, by name (``row['name']``) or as
attributes (``row.name``). ``repr``/``str`` print ``Row(name='a', age=1)`` for named rows and
``<Row(1, 'a')>`` for positional ones, and ``RowKind`` prints ``+I``, ``-U``, ``+U``, ``-D``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["Row", "RowKind"]

_SHORT_STRINGS = ("+I", "-U", "+U", "-D")


class RowKind(Enum):
    """The kind of change a row describes in a changelog (Flink's ``RowKind``).

    The value is Flink's byte value (``RowKind.toByteValue()``), which also enters
    ``Row.hashCode()`` on the Java side.
    """

    INSERT = 0
    UPDATE_BEFORE = 1
    UPDATE_AFTER = 2
    DELETE = 3

    def __str__(self) -> str:
        return _SHORT_STRINGS[self.value]

    def short_string(self) -> str:
        """Returns Java's ``RowKind.shortString()``: ``+I``, ``-U``, ``+U`` or ``-D``.

        A kolk addition (PyFlink spells it ``str(kind)``, which returns the same text).
        """
        return _SHORT_STRINGS[self.value]

    def to_j_row_kind(self) -> Any:
        """Not supported: kolk has no JVM.

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError("RowKind.to_j_row_kind is not supported by kolk")


def _create_row(fields: list[str] | None, values: Any, row_kind: RowKind | None = None) -> Row:
    """Rebuilds a row; the target of ``Row.__reduce__`` and of the field-name factory."""
    row = Row(*values)
    if fields is not None:
        row._fields = list(fields)
    if row_kind is not None:
        row._row_kind = row_kind
    return row


class Row:
    """A row: a fixed sequence of field values with optional names and a :class:`RowKind`.

    Invariants: ``_values`` is a list; ``_fields`` is None (a positional row) or the list of
    names (a named row, same length as the values when built from keywords); the row kind
    defaults to ``RowKind.INSERT``. Equality compares kind and values (named rows by name,
    in any order); the hash is the hash of the values as a tuple.

    Example:
        >>> Row(name="Alice", age=11)
        Row(name='Alice', age=11)
        >>> Person = Row("name", "age")
        >>> Person("Alice", 11).name
        'Alice'
    """

    __slots__ = ("_fields", "_from_dict", "_row_kind", "_values")

    _fields: list[str] | None
    _values: list[Any]
    _row_kind: RowKind
    _from_dict: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("Can not use both args and kwargs to create Row")
        if kwargs:
            self._fields = list(kwargs)
            self._values = list(kwargs.values())
            self._from_dict = True
        else:
            self._fields = None
            self._values = list(args)
            self._from_dict = False
        self._row_kind = RowKind.INSERT

    def as_dict(self, recursive: bool = False) -> dict[str, Any]:
        """Returns the row as a dict from field name to value.

        Args:
            recursive: also turn nested rows (inside lists and dicts too) into dicts.

        Raises:
            TypeError: the row has no field names.
        """
        if self._fields is None:
            raise TypeError("Cannot convert a Row class into dict")
        if not recursive:
            return dict(zip(self._fields, self._values, strict=False))
        return {
            name: _as_plain(value) for name, value in zip(self._fields, self._values, strict=False)
        }

    def get_row_kind(self) -> RowKind:
        """Returns the row's kind (``RowKind.INSERT`` unless set)."""
        return self._row_kind

    def set_row_kind(self, row_kind: RowKind):
        """Sets the row's kind."""
        self._row_kind = row_kind

    def set_field_names(self, field_names: list):
        """Names the fields, turning a positional row into a named one."""
        self._fields = field_names

    def get_fields_by_names(self, names: list[str]):
        """Returns the values of the given fields, in the order of ``names``.

        A positional row, or ``names`` equal to the row's names, returns all values.

        Raises:
            ValueError: a name is not a field of this row (PyFlink raises a bare
                ``Exception`` with the same text).
        """
        if self._fields is None or names == self._fields:
            return self._values
        missing = [name for name in names if name not in self._fields]
        if missing:
            raise ValueError(f"Field names {missing} not exist in {self._fields}.")
        return [self._values[self._fields.index(name)] for name in names]

    @staticmethod
    def of_kind(row_kind: RowKind, *args: Any, **kwargs: Any) -> Row:
        """Builds a row as ``Row(*args, **kwargs)`` with the given kind."""
        row = Row(*args, **kwargs)
        row._row_kind = row_kind
        return row

    def _is_retract_msg(self) -> bool:
        return self._row_kind in (RowKind.UPDATE_BEFORE, RowKind.DELETE)

    def _is_accumulate_msg(self) -> bool:
        return self._row_kind in (RowKind.UPDATE_AFTER, RowKind.INSERT)

    def __contains__(self, item):
        if self._fields is not None:
            return item in self._fields
        return item in self._values

    def __call__(self, *args):
        """Uses this row's values as field names for a new named row of ``args``."""
        if len(args) > len(self):
            raise ValueError(
                f"Can not create Row with fields {self!r}, expected {len(self)} values "
                f"but got {args}"
            )
        return _create_row(self._values, args, self._row_kind)

    def __getitem__(self, item):
        if isinstance(item, (int, slice)):
            return self._values[item]
        if self._fields is None:
            raise AttributeError("_fields")
        try:
            return self._values[self._fields.index(item)]
        except IndexError:
            raise KeyError(item) from None
        except ValueError:
            raise ValueError(item) from None

    def __setitem__(self, key, value):
        if isinstance(key, (int, slice)):
            self._values[key] = value
            return
        if self._fields is None:
            raise KeyError(key)
        try:
            self._values[self._fields.index(key)] = value
        except IndexError:
            raise KeyError(key) from None
        except ValueError:
            raise ValueError(value) from None

    def __getattr__(self, item):
        # Only called when normal lookup fails: unset slots and field names.
        if item.startswith("_"):
            raise AttributeError(item)
        fields = self._fields
        if fields is None or item not in fields:
            raise AttributeError(item)
        index = fields.index(item)
        if index >= len(self._values):
            raise AttributeError(item)
        return self._values[index]

    def __setattr__(self, key, value):
        if key not in Row.__slots__:
            raise AttributeError(key)
        object.__setattr__(self, key, value)

    def __reduce__(self):
        return _create_row, (self._fields, tuple(self._values), self._row_kind)

    def __repr__(self):
        if self._fields is not None:
            return "Row({})".format(
                ", ".join(
                    f"{name}={value!r}"
                    for name, value in zip(self._fields, self._values, strict=False)
                )
            )
        return "<Row({})>".format(", ".join(repr(value) for value in self._values))

    def __eq__(self, other):
        if not isinstance(other, Row) or self.__class__ is not other.__class__:
            return False
        if self._row_kind != other._row_kind:
            return False
        if self._fields is None or other._fields is None:
            return self._fields is None and other._fields is None and self._values == other._values
        if sorted(self._fields) != sorted(other._fields):
            return False
        mine = dict(zip(self._fields, self._values, strict=False))
        theirs = dict(zip(other._fields, other._values, strict=False))
        return all(mine[name] == theirs[name] for name in mine)

    def __hash__(self):
        return hash(tuple(self._values))

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def _as_plain(value: Any) -> Any:
    """Turns nested rows (also inside lists and dicts) into dicts, for ``as_dict(True)``."""
    if isinstance(value, Row):
        return value.as_dict(True)
    if isinstance(value, list):
        return [_as_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_plain(item) for key, item in value.items()}
    return value
