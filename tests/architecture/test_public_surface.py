"""kolk's public classes against PyFlink 2.3's API surface.

The surface (``pyflink_api_surface.txt``, generated with ``inspect`` from the installed
apache-flink 2.3.0) lists, per module, every public class with its own and inherited methods.
For every class kolk exposes in a module that mirrors a PyFlink module (``kolk.x.y`` for
``pyflink.x.y``):

* the class exists in PyFlink's module (or is an allowed kolk addition);
* every PyFlink method exists, of the same kind (instance, static, class method), with the same
  parameter names, order, ``*``/``**`` markers and defaults (annotations are ignored);
* kolk exposes no public method PyFlink lacks (or it is an allowed kolk addition);
* enums have PyFlink's members and values.

Constructors that wrap a Java object in PyFlink (first parameter ``j_...``) are not compared:
users never call them, and kolk has no Java object to wrap.

The copy of the surface next to this file is preferred; ``../shared/reference`` is the fallback.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import kolk

SURFACE_NAME = "pyflink_api_surface.txt"

#: Classes kolk adds to a mirrored module, "module:qualname" -> reason. Empty: none yet.
KOLK_ADDED_CLASSES: dict[str, str] = {
    f"kolk.datastream.state:StateTtlConfig.CleanupStrategies.{name}": (
        "PyFlink class nested two levels deep, missing from the surface file"
    )
    for name in (
        "Strategies",
        "CleanupStrategy",
        "EmptyCleanupStrategy",
        "IncrementalCleanupStrategy",
        "RocksdbCompactFilterCleanupStrategy",
    )
}
#: Public methods kolk adds to a mirrored class, "module:qualname.method" -> reason.
KOLK_ADDED_METHODS: dict[str, str] = {
    **{
        f"kolk.datastream.data_stream:{cls}.evictor": (
            "Flink's WindowedStream.evictor; PyFlink 2.3 has no evictor API"
        )
        for cls in ("WindowedStream", "AllWindowedStream")
    },
    **{
        f"kolk.common.job_execution_result:JobExecutionResult.{method}": (
            "the job's final task metrics (Flink's REST API serves them; PyFlink's result "
            "has no access to them)"
        )
        for method in ("get_task_metrics", "get_vertex_metrics")
    },
}
#: Known differences still to fix, "module:qualname" -> what differs. Each is a strict xfail,
#: so fixing the class makes the test fail until its entry is removed here.
KNOWN_DIFFERENCES: dict[str, str] = {}


def surface_path() -> Path:
    """The copy beside this test if present, else the shared reference."""
    here = Path(__file__).resolve()
    local = here.parent / SURFACE_NAME
    if local.exists():
        return local
    return here.parents[2].parent / "shared" / "reference" / SURFACE_NAME


# -- parsing the surface ----------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One method of a PyFlink class: its kind and its parameters as (name, default) pairs.

    Parameter names carry ``*``/``**`` for variadics; defaults are source text or None.
    """

    name: str
    kind: str  # "def", "static", "class" or "attr"
    params: tuple[tuple[str, str | None], ...] = ()


@dataclass
class ClassSpec:
    """A PyFlink class: its members by name, and its enum members (name -> value text)."""

    qualname: str
    members: dict[str, Member] = field(default_factory=dict)
    enum_members: dict[str, str] | None = None


_MODULE = re.compile(r"^MODULE (\S+)$")
_CLASS = re.compile(r"^class ([\w.]+)\(.*\)$")
_MEMBER = re.compile(r"^\s+\[(?:own|inh:[\w.]+)\] (.*)$")
_ENUM = re.compile(r"^\s+enum members: (.*)$")
_CALLABLE = re.compile(r"^(def|@staticmethod|@classmethod) (\w+)\((.*)$")
_ATTR = re.compile(r"^attr (\w+) = ")


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Splits at separators outside brackets and quotes."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def parse_params(text: str) -> tuple[tuple[str, str | None], ...]:
    """``a: T = 1, *b: T`` -> (("a", "1"), ("*b", None)); ``text`` starts after "(" ."""
    depth, end = 1, len(text)
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            end = index
            break
    params = []
    for part in split_top_level(text[:end]):
        pieces = split_top_level(part, "=")
        head = pieces[0]
        default = "=".join(pieces[1:]).strip() if len(pieces) > 1 else None
        name = split_top_level(head, ":")[0].strip()
        params.append((name, default))
    return tuple(params)


def parse_surface(text: str) -> dict[str, dict[str, ClassSpec]]:
    """Module name -> class qualname -> spec."""
    modules: dict[str, dict[str, ClassSpec]] = {}
    classes: dict[str, ClassSpec] | None = None
    current: ClassSpec | None = None
    for line in text.splitlines():
        if match := _MODULE.match(line):
            classes = modules.setdefault(match.group(1), {})
            current = None
        elif (match := _CLASS.match(line)) and classes is not None:
            current = classes[match.group(1)] = ClassSpec(match.group(1))
        elif current is not None and (match := _ENUM.match(line)):
            current.enum_members = {
                name.strip(): value.strip()
                for name, value in (item.split("=", 1) for item in split_top_level(match.group(1)))
            }
        elif current is not None and (match := _MEMBER.match(line)):
            body = match.group(1)
            if call := _CALLABLE.match(body):
                kind = {"def": "def", "@staticmethod": "static", "@classmethod": "class"}
                member = Member(call.group(2), kind[call.group(1)], parse_params(call.group(3)))
            elif attr := _ATTR.match(body):
                member = Member(attr.group(1), "attr")
            else:  # pragma: no cover - a new line kind in the surface file
                raise AssertionError(f"unparsed surface line: {line!r}")
            current.members[member.name] = member
    return modules


SURFACE = parse_surface(surface_path().read_text(encoding="utf-8"))


# -- kolk's side ------------------------------------------------------------------------------


def public_modules() -> list[ModuleType]:
    """Every importable kolk module with no ``_``-prefixed part in its name."""
    found = [kolk]
    packages = [kolk]
    while packages:
        package = packages.pop()
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if info.name.rsplit(".", 1)[1].startswith("_"):
                continue
            module = importlib.import_module(info.name)
            found.append(module)
            if info.ispkg:
                packages.append(module)
    return sorted(found, key=lambda m: m.__name__)


def exposed_classes(module: ModuleType) -> list[type]:
    """Public classes defined in (or given their home in) the module, nested ones included."""
    roots = [
        value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and isinstance(value, type)
        and value.__module__ == module.__name__
        and "." not in value.__qualname__
    ]
    found: list[type] = []
    while roots:
        cls = roots.pop()
        found.append(cls)
        for name, value in vars(cls).items():
            if (
                not name.startswith("_")
                and isinstance(value, type)
                and value.__qualname__ == f"{cls.__qualname__}.{name}"
            ):
                roots.append(value)
    return sorted(found, key=lambda c: c.__qualname__)


def mirrored_classes() -> list[Any]:
    params = []
    for module in public_modules():
        pyflink_module = "pyflink" + module.__name__[len("kolk") :]
        if pyflink_module not in SURFACE:
            continue
        for cls in exposed_classes(module):
            key = f"{module.__name__}:{cls.__qualname__}"
            reason = KNOWN_DIFFERENCES.get(key)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(module.__name__, pyflink_module, cls, id=key, marks=marks))
    return params


MIRRORED = mirrored_classes()


def kolk_params(function: Any) -> tuple[tuple[str, str | None], ...]:
    prefixes = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return tuple(
        (
            prefixes.get(p.kind, "") + p.name,
            None if p.default is inspect.Parameter.empty else repr(p.default),
        )
        for p in inspect.signature(function).parameters.values()
    )


def kolk_member(cls: type, name: str) -> tuple[str, tuple[tuple[str, str | None], ...]] | None:
    """(kind, params) of a kolk class member found through the MRO, or None if absent."""
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        return None
    if isinstance(raw, staticmethod):
        return "static", kolk_params(raw.__func__)
    if isinstance(raw, classmethod):
        return "class", kolk_params(raw.__func__)
    if inspect.isfunction(raw):
        return "def", kolk_params(raw)
    return "attr", ()


def is_java_wrapper_constructor(member: Member) -> bool:
    return (
        member.name == "__init__"
        and len(member.params) > 1
        and member.params[1][0].startswith("j_")
    )


# -- the tests --------------------------------------------------------------------------------


def test_surface_file_is_parsed() -> None:
    environment = SURFACE["pyflink.datastream.stream_execution_environment"][
        "StreamExecutionEnvironment"
    ]
    assert environment.members["get_execution_environment"] == Member(
        "get_execution_environment", "static", (("configuration", "None"),)
    )
    assert environment.members["execute_async"].params == (
        ("self", None),
        ("job_name", "'Flink Streaming Job'"),
    )
    broadcast = SURFACE["pyflink.datastream.data_stream"]["DataStream"].members["broadcast"]
    assert broadcast.params == (
        ("self", None),
        ("broadcast_state_descriptor", "None"),
        ("*other_broadcast_state_descriptors", None),
    )
    assert SURFACE["pyflink.datastream.time_domain"]["TimeDomain"].enum_members == {
        "EVENT_TIME": "0",
        "PROCESSING_TIME": "1",
    }


def test_kolk_mirrors_the_core_datastream_classes() -> None:
    ids = {param.id for param in MIRRORED}
    assert {
        "kolk.datastream.stream_execution_environment:StreamExecutionEnvironment",
        "kolk.datastream.data_stream:DataStream",
        "kolk.datastream.data_stream:KeyedStream",
        "kolk.datastream.data_stream:KeyedStream.AccumulateType",
        "kolk.datastream.data_stream:DataStreamSink",
        "kolk.datastream.functions:KeyedProcessFunction.OnTimerContext",
        "kolk.datastream.state:ValueStateDescriptor",
        "kolk.datastream.timerservice:TimerService",
        "kolk.datastream.time_domain:TimeDomain",
    } <= ids


@pytest.mark.parametrize(("module_name", "pyflink_module", "cls"), MIRRORED)
def test_class_matches_pyflink(module_name: str, pyflink_module: str, cls: type) -> None:
    key = f"{module_name}:{cls.__qualname__}"
    spec = SURFACE[pyflink_module].get(cls.__qualname__)
    if spec is None:
        assert key in KOLK_ADDED_CLASSES, (
            f"{key}: PyFlink's {pyflink_module} has no class {cls.__qualname__}; rename it, make "
            f"it private, or list it in KOLK_ADDED_CLASSES with a reason"
        )
        return

    if spec.enum_members is not None:
        assert issubclass(cls, enum.Enum), f"{key}: PyFlink's is an Enum"
        assert {m.name: repr(m.value) for m in cls} == spec.enum_members
        return

    problems = []
    for member in spec.members.values():
        if is_java_wrapper_constructor(member):
            continue
        found = kolk_member(cls, member.name)
        if found is None:
            problems.append(f"missing {member.name}{member.params}")
        elif member.kind != "attr" and found != (member.kind, member.params):
            problems.append(
                f"{member.name}: PyFlink {member.kind} {member.params}, kolk {found[0]} {found[1]}"
            )
    extras = sorted(
        name
        for name in dir(cls)
        if not name.startswith("_")
        and name not in spec.members
        and not isinstance(inspect.getattr_static(cls, name), type)
        and f"{key}.{name}" not in KOLK_ADDED_METHODS
    )
    if extras:
        problems.append(f"public methods PyFlink lacks: {extras}")
    assert not problems, f"{key} differs from PyFlink:\n  " + "\n  ".join(problems)
