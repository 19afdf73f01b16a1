"""The ``pyflink`` import alias resolves PyFlink's names to kolk's modules, nothing else."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

import pytest

import kolk
import kolk.util.exceptions
from kolk._compat import (
    install_pyflink_alias,
    is_pyflink_alias_installed,
    uninstall_pyflink_alias,
)
from kolk._compat.pyflink_alias import PyflinkAliasFinder


@pytest.fixture
def alias() -> Iterator[None]:
    install_pyflink_alias()
    yield
    uninstall_pyflink_alias()


def _finders() -> list[object]:
    return [f for f in sys.meta_path if isinstance(f, PyflinkAliasFinder)]


@pytest.mark.usefixtures("alias")
def test_pyflink_is_the_kolk_package() -> None:
    import pyflink  # type: ignore[import-not-found]

    assert pyflink is kolk


@pytest.mark.usefixtures("alias")
def test_submodules_are_the_same_module_objects() -> None:
    import pyflink.util.exceptions  # type: ignore[import-not-found]
    from pyflink.util.exceptions import KolkError  # type: ignore[import-not-found]

    assert pyflink.util.exceptions is kolk.util.exceptions
    assert KolkError is kolk.util.exceptions.KolkError
    assert sys.modules["pyflink.util"] is sys.modules["kolk.util"]


@pytest.mark.usefixtures("alias")
def test_kolk_modules_keep_their_own_identity() -> None:
    importlib.import_module("pyflink.util.exceptions")

    assert kolk.util.exceptions.__name__ == "kolk.util.exceptions"
    assert kolk.util.exceptions.__spec__ is not None
    assert kolk.util.exceptions.__spec__.name == "kolk.util.exceptions"
    assert kolk.__spec__ is not None
    assert kolk.__spec__.name == "kolk"


@pytest.mark.usefixtures("alias")
def test_a_module_kolk_lacks_is_not_faked() -> None:
    with pytest.raises(ModuleNotFoundError) as caught:
        importlib.import_module("pyflink.table")

    assert caught.value.name == "pyflink.table"
    assert str(caught.value) == (
        "No module named 'pyflink.table': kolk does not provide 'kolk.table' yet "
        "(kolk runs 'pyflink.*' imports as 'kolk.*')"
    )
    assert "pyflink.table" not in sys.modules


@pytest.mark.usefixtures("alias")
def test_a_missing_submodule_of_an_existing_package_names_both_names() -> None:
    with pytest.raises(ModuleNotFoundError, match=r"'pyflink\.util\.nope'.*'kolk\.util\.nope'"):
        importlib.import_module("pyflink.util.nope")


@pytest.mark.usefixtures("alias")
def test_other_names_are_left_to_the_other_finders() -> None:
    finder = _finders()[0]
    assert isinstance(finder, PyflinkAliasFinder)
    assert finder.find_spec("pyflinkish", None) is None
    assert finder.find_spec("json", None) is None


def test_install_is_idempotent_and_goes_first() -> None:
    install_pyflink_alias()
    install_pyflink_alias()
    try:
        assert len(_finders()) == 1
        assert isinstance(sys.meta_path[0], PyflinkAliasFinder)
        assert is_pyflink_alias_installed()
    finally:
        uninstall_pyflink_alias()


def test_uninstall_removes_the_finder_and_the_aliased_modules() -> None:
    install_pyflink_alias()
    importlib.import_module("pyflink.util.exceptions")

    uninstall_pyflink_alias()

    assert _finders() == []
    assert not is_pyflink_alias_installed()
    assert [name for name in sys.modules if name.split(".")[0] == "pyflink"] == []
    assert sys.modules["kolk.util.exceptions"] is kolk.util.exceptions
