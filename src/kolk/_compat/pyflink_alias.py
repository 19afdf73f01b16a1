"""The ``pyflink`` import alias: ``pyflink.x.y`` is ``kolk.x.y``, the same module object.

kolk mirrors PyFlink module by module (DESIGN.md §8), so the alias is a pure renaming of the
top-level package. A :data:`sys.meta_path` finder placed first answers every ``pyflink`` and
``pyflink.*`` name; its loader hands back the already imported (or freshly imported) kolk
module instead of creating a new one, so classes keep one identity::

    pyflink.datastream.StreamExecutionEnvironment is kolk.datastream.StreamExecutionEnvironment

Contracts:
    * Nothing is faked: a ``pyflink`` module without a kolk counterpart raises
      :class:`ModuleNotFoundError` naming both names. The finder raises rather than declining,
      so that a real PyFlink installed next to kolk is never half-mixed with kolk.
    * The kolk modules are not altered: the import system stamps the alias's spec onto the
      module it loads, and the loader puts the module's own ``__spec__`` back.
    * Installing twice installs once; :func:`uninstall_pyflink_alias` removes the finder and the
      ``pyflink`` entries of :data:`sys.modules` (the kolk modules stay imported).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["install_pyflink_alias", "is_pyflink_alias_installed", "uninstall_pyflink_alias"]

_ALIAS = "pyflink"
_TARGET = "kolk"


def _target_name(fullname: str) -> str | None:
    """Returns the kolk name for a ``pyflink`` name, or None if the name is not PyFlink's."""
    if fullname == _ALIAS or fullname.startswith(_ALIAS + "."):
        return _TARGET + fullname[len(_ALIAS) :]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias name by importing the kolk module and returning that very object."""

    def __init__(self, target: str) -> None:
        self._target = target
        self._target_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        """Returns the kolk module (imported now if it was not yet)."""
        module = importlib.import_module(self._target)
        self._target_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Undoes the import system's stamping of the alias spec; the module already ran."""
        module.__spec__ = self._target_spec


class PyflinkAliasFinder(importlib.abc.MetaPathFinder):
    """Meta path finder that answers ``pyflink`` names with their kolk modules."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """Returns an alias spec for ``pyflink`` names, None for every other name.

        Raises:
            ModuleNotFoundError: the name is PyFlink's but kolk has no such module.
        """
        kolk_name = _target_name(fullname)
        if kolk_name is None:
            return None
        if importlib.util.find_spec(kolk_name) is None:
            msg = (
                f"No module named {fullname!r}: kolk does not provide {kolk_name!r} yet "
                f"(kolk runs '{_ALIAS}.*' imports as '{_TARGET}.*')"
            )
            raise ModuleNotFoundError(msg, name=fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(kolk_name))


def _installed_finders() -> list[PyflinkAliasFinder]:
    return [f for f in sys.meta_path if isinstance(f, PyflinkAliasFinder)]


def is_pyflink_alias_installed() -> bool:
    """Tells whether ``import pyflink`` currently resolves to kolk."""
    return bool(_installed_finders())


def install_pyflink_alias() -> None:
    """Makes ``import pyflink`` and ``import pyflink.x.y`` resolve to ``kolk``, ``kolk.x.y``.

    Idempotent. The finder goes first on :data:`sys.meta_path`, ahead of a real PyFlink.
    """
    if not is_pyflink_alias_installed():
        sys.meta_path.insert(0, PyflinkAliasFinder())


def uninstall_pyflink_alias() -> None:
    """Removes the alias finder and forgets the ``pyflink`` modules imported through it."""
    for finder in _installed_finders():
        sys.meta_path.remove(finder)
    for name in [n for n in sys.modules if _target_name(n) is not None]:
        module = sys.modules[name]
        spec_name = getattr(getattr(module, "__spec__", None), "name", "")
        if spec_name == _target_name(name):
            del sys.modules[name]
