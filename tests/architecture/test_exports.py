"""The public modules' exports (httpx's ``tests/test_exported_members.py`` idea).

* Every public module (no ``_``-prefixed part in its name) defines ``__all__``.
* Every name in ``__all__`` resolves.
* Every public class exported reports a public home: its ``__module__`` is a public module
  that has it under its ``__qualname__`` (so reprs, pickles and docs name the public path).
* ``kolk.datastream`` exports only names of PyFlink's ``pyflink.datastream.__all__`` and
  loads them lazily: importing a contract never loads the builders.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import kolk

#: Public modules that lack ``__all__`` for now: module -> reason (each is a strict xfail,
#: so adding ``__all__`` makes the test fail until the entry is removed here).
PENDING_ALL: dict[str, str] = {}

#: ``pyflink.datastream.__all__`` (Flink 2.x), the names kolk.datastream may export.
PYFLINK_DATASTREAM_ALL = frozenset(
    {
        "StreamExecutionEnvironment",
        "DataStream",
        "KeyedStream",
        "WindowedStream",
        "ConnectedStreams",
        "BroadcastStream",
        "BroadcastConnectedStream",
        "DataStreamSink",
        "MapFunction",
        "CoMapFunction",
        "FlatMapFunction",
        "CoFlatMapFunction",
        "ReduceFunction",
        "FilterFunction",
        "ProcessFunction",
        "KeyedProcessFunction",
        "CoProcessFunction",
        "KeyedCoProcessFunction",
        "WindowFunction",
        "ProcessWindowFunction",
        "AggregateFunction",
        "BroadcastProcessFunction",
        "KeyedBroadcastProcessFunction",
        "RuntimeContext",
        "TimerService",
        "CheckpointingMode",
        "CheckpointConfig",
        "ExternalizedCheckpointRetention",
        "StateBackend",
        "HashMapStateBackend",
        "EmbeddedRocksDBStateBackend",
        "CustomStateBackend",
        "CheckpointStorage",
        "JobManagerCheckpointStorage",
        "FileSystemCheckpointStorage",
        "CustomCheckpointStorage",
        "RuntimeExecutionMode",
        "Window",
        "TimeWindow",
        "CountWindow",
        "GlobalWindow",
        "WindowAssigner",
        "MergingWindowAssigner",
        "TriggerResult",
        "Trigger",
        "TimeDomain",
        "KeySelector",
        "Partitioner",
        "SourceFunction",
        "SinkFunction",
        "SlotSharingGroup",
        "MemorySize",
        "OutputTag",
    }
)


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


MODULES = public_modules()


def _with_pending(module: ModuleType) -> object:
    reason = PENDING_ALL.get(module.__name__)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(module, marks=marks, id=module.__name__)


@pytest.mark.parametrize("module", [_with_pending(m) for m in MODULES])
def test_public_module_defines_all(module: ModuleType) -> None:
    assert isinstance(getattr(module, "__all__", None), (list, tuple))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_exported_name_resolves(module: ModuleType) -> None:
    missing = [name for name in getattr(module, "__all__", ()) if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_exported_classes_report_their_public_home(module: ModuleType) -> None:
    wrong = []
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name)
        if not isinstance(value, type):
            continue
        home = value.__module__
        if any(part.startswith("_") for part in home.split(".")):
            wrong.append(f"{name}: __module__ {home} is private")
            continue
        found: object = importlib.import_module(home)
        for part in value.__qualname__.split("."):
            found = getattr(found, part, None)
        if found is not value:
            wrong.append(f"{name}: {home}.{value.__qualname__} is not this class")
    assert wrong == []


def test_datastream_exports_only_pyflink_names() -> None:
    import kolk.datastream

    assert set(kolk.datastream.__all__) <= PYFLINK_DATASTREAM_ALL
    assert {
        "StreamExecutionEnvironment",
        "DataStream",
        "KeyedStream",
        "DataStreamSink",
        "MapFunction",
        "FlatMapFunction",
        "FilterFunction",
        "ReduceFunction",
        "ProcessFunction",
        "KeyedProcessFunction",
        "RuntimeContext",
        "TimerService",
        "TimeDomain",
        "KeySelector",
    } <= set(kolk.datastream.__all__)


def test_datastream_unknown_name_raises_attribute_error() -> None:
    import kolk.datastream

    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        kolk.datastream.NoSuchThing  # noqa: B018


def _modules_loaded_by(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(output.split())


BUILDERS = {"kolk.datastream.data_stream", "kolk.datastream.stream_execution_environment"}


@pytest.mark.parametrize(
    "statement",
    [
        "import kolk.datastream",
        "import kolk.datastream.functions",
        "import kolk.datastream.state",
        "from kolk.datastream import "
        "KeyedProcessFunction, RuntimeContext, TimeDomain, TimerService",
    ],
)
def test_contracts_load_without_the_builders(statement: str) -> None:
    assert _modules_loaded_by(statement) & BUILDERS == set()


def test_builders_load_on_first_access() -> None:
    loaded = _modules_loaded_by(
        "import kolk.datastream as ds\nassert ds.StreamExecutionEnvironment.__name__"
    )
    assert loaded >= BUILDERS
