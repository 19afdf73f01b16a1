"""``Configuration``: string key/value settings (``pyflink.common.configuration``).

PyFlink's class wraps a Java ``Configuration``; kolk's keeps a ``dict[str, str]`` and
converts on read and write the way Java's ``ConfigurationUtils`` does: integers and floats
are stored as their Java text (``set_float(k, 1e20)`` stores ``"1.0E20"``), booleans as
``"true"``/``"false"``, byte arrays as standard Base64.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from kolk._util.java import java_double_to_string

__all__ = ["Configuration"]

_LONG_PATTERN = re.compile(r"[+-]?[0-9]+")

#: Substrings that mark a key as sensitive in Flink's ``GlobalConfiguration.isSensitive``;
#: ``str(conf)`` hides their values.
_SENSITIVE_KEYS = (
    "password",
    "secret",
    "fs.azure.account.key",
    "apikey",
    "api-key",
    "auth-params",
    "service-key",
    "token",
    "basic-auth",
    "jaas.config",
    "http-headers",
)
_HIDDEN_CONTENT = "******"


def _to_config_string(value: Any) -> str:
    """Renders a value as Java's ``ConfigurationUtils.convertToString`` would."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double_to_string(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


class Configuration:
    """A lightweight set of string key/value pairs.

    Invariant: keys and values are ``str``; typed setters store Java's text for the value
    and typed getters parse it back, raising ``ValueError`` (Java's
    ``IllegalArgumentException``) when the stored text does not parse.
    """

    def __init__(self, other: Configuration | None = None, j_configuration: Any = None) -> None:
        """Creates an empty configuration, or a copy of ``other``.

        Args:
            other: a configuration to copy.
            j_configuration: must be None: kolk has no JVM to wrap.

        Raises:
            TypeError: ``j_configuration`` was given.
        """
        if j_configuration is not None:
            raise TypeError(
                "Configuration(j_configuration=...) wraps a Java object, and kolk has no JVM; "
                "use Configuration() or Configuration.from_dict({...}) instead"
            )
        self._data: dict[str, str] = dict(other._data) if other is not None else {}

    @classmethod
    def from_dict(cls, map: Mapping[str, Any]):
        """Creates a configuration holding the entries of ``map`` (values as Java text)."""
        conf = cls()
        for key, value in map.items():
            conf._data[str(key)] = _to_config_string(value)
        return conf

    def get_string(self, key: str, default_value: str) -> str:
        """Returns the value of ``key``, or ``default_value`` if it is not set."""
        return self._data.get(key, default_value)

    def set_string(self, key: str, value: str) -> Configuration:
        """Sets ``key`` to ``value``; returns this configuration."""
        self._data[key] = _to_config_string(value)
        return self

    @staticmethod
    def parse_list_value(value: str):
        """Splits a list option: a YAML list (``[a, b]`` or ``- a`` lines), else on ``;``.

        Elements are returned as strings (PyFlink's YAML parser would turn ``[1, 2]`` into
        ints).
        """
        if not value:
            return []
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            inner = text[1:-1].strip()
            return [_unquote(item.strip()) for item in inner.split(",")] if inner else []
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") or line == "-" for line in lines):
            return [_unquote(line[1:].strip()) for line in lines]
        return value.split(";")

    def get_integer(self, key: str, default_value: int) -> int:
        """Returns the value of ``key`` as an int, or ``default_value`` if it is not set.

        Raises:
            ValueError: the stored text is not a Java long.
        """
        raw = self._data.get(key)
        if raw is None:
            return default_value
        text = raw.strip()
        if not _LONG_PATTERN.fullmatch(text):
            raise ValueError(f"Could not parse value '{raw}' for key '{key}'.")
        return int(text)

    def set_integer(self, key: str, value: int) -> Configuration:
        """Sets ``key`` to the integer ``value``; returns this configuration."""
        self._data[key] = str(int(value))
        return self

    def get_boolean(self, key: str, default_value: bool) -> bool:
        """Returns the value of ``key`` as a bool (``true``/``false``, any case).

        Raises:
            ValueError: the stored text is neither true nor false.
        """
        raw = self._data.get(key)
        if raw is None:
            return default_value
        lowered = raw.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise ValueError(
            f"Could not parse value '{raw}' for key '{key}': unrecognized option for boolean: "
            f"{raw}. Expected either true or false(case insensitive)"
        )

    def set_boolean(self, key: str, value: bool) -> Configuration:
        """Sets ``key`` to ``true`` or ``false``; returns this configuration."""
        self._data[key] = "true" if value else "false"
        return self

    def get_float(self, key: str, default_value: float) -> float:
        """Returns the value of ``key`` as a float (a Java double).

        Raises:
            ValueError: the stored text is not a number.
        """
        raw = self._data.get(key)
        if raw is None:
            return float(default_value)
        try:
            return float(raw.strip())
        except ValueError:
            raise ValueError(f"Could not parse value '{raw}' for key '{key}'.") from None

    def set_float(self, key: str, value: float) -> Configuration:
        """Sets ``key`` to ``value`` as Java's ``Double.toString`` text."""
        self._data[key] = java_double_to_string(float(value))
        return self

    def get_bytearray(self, key: str, default_value: bytearray) -> bytearray:
        """Returns the bytes stored under ``key`` (Base64 text), or ``default_value``.

        Raises:
            ValueError: the stored text is not Base64.
        """
        raw = self._data.get(key)
        if raw is None:
            return bytearray(default_value)
        try:
            return bytearray(base64.b64decode(raw, validate=True))
        except (binascii.Error, ValueError):
            raise ValueError(f"Could not parse value '{raw}' for key '{key}'.") from None

    def set_bytearray(self, key: str, value: bytearray) -> Configuration:
        """Stores ``value`` under ``key`` as standard Base64 text."""
        self._data[key] = base64.b64encode(bytes(value)).decode("ascii")
        return self

    def key_set(self) -> set[str]:
        """Returns the set of keys."""
        return set(self._data)

    def add_all_to_dict(self, target_dict: dict):
        """Copies every entry into ``target_dict``."""
        target_dict.update(self._data)

    def add_all(self, other: Configuration, prefix: str | None = None) -> Configuration:
        """Copies the entries of ``other`` into this one, keys prefixed with ``prefix``."""
        if prefix is None:
            self._data.update(other._data)
        else:
            for key, value in other._data.items():
                self._data[prefix + key] = value
        return self

    def contains_key(self, key: str) -> bool:
        """Whether ``key`` is set."""
        return key in self._data

    def to_dict(self) -> dict[str, str]:
        """Returns a copy of the entries as a dict of strings."""
        return dict(self._data)

    def remove_config(self, key: str) -> bool:
        """Removes ``key``; returns whether it was set."""
        return self._data.pop(key, None) is not None

    def __deepcopy__(self, memodict=None):
        return Configuration(self)

    def __eq__(self, other):
        return isinstance(other, Configuration) and self._data == other._data

    def __hash__(self):
        return hash(frozenset(self._data.items()))

    def __str__(self):
        entries = (
            f"{key}={_HIDDEN_CONTENT if _is_sensitive(key) else value}"
            for key, value in self._data.items()
        )
        return "{" + ", ".join(entries) + "}"

    def __repr__(self):
        return f"Configuration({self})"


def _is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return any(marker in lowered for marker in _SENSITIVE_KEYS)


def _unquote(item: str) -> str:
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1]
    return item
