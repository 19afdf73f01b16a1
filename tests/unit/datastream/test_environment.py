"""StreamExecutionEnvironment: settings, configuration, from_collection, execute, plan."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from kolk._cluster.client_options import get_client_options, set_client_options
from kolk._graph.config import JobConfig
from kolk._graph.transformations import ChainingStrategy, SourceTransformation, Transformation
from kolk._runtime.operators.factories import CollectionSourceFactory
from kolk.common import Configuration, Types
from kolk.datastream import StreamExecutionEnvironment
from kolk.datastream import stream_execution_environment as environment_module
from kolk.datastream._options import parse_duration_ms


def exactly(message: str) -> str:
    """A ``match=`` pattern for exactly this message."""
    return f"^{re.escape(message)}$"


@pytest.fixture(autouse=True)
def client_parallelism() -> Iterator[int]:
    """Environments start from a known default parallelism (as ``kolk run -p 3`` sets it)."""
    previous = get_client_options()
    set_client_options(parallelism=3)
    yield 3
    set_client_options(parallelism=previous.parallelism, target=previous.target)


@pytest.fixture
def env() -> StreamExecutionEnvironment:
    return StreamExecutionEnvironment.get_execution_environment()


class RecordingExecuteJob:
    """A stand-in for the cluster client: records what ``execute()`` submits."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Transformation], JobConfig]] = []

    def __call__(self, transformations: list[Transformation], config: JobConfig) -> str:
        self.calls.append((transformations, config))
        return "result"


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> RecordingExecuteJob:
    recorder = RecordingExecuteJob()
    monkeypatch.setattr(environment_module, "execute_job", recorder)
    return recorder


def config_of(values: dict[str, str]) -> Configuration:
    configuration = Configuration()
    for key, value in values.items():
        configuration.set_string(key, value)
    return configuration


# -- creation and settings --------------------------------------------------------------------


def test_each_call_returns_a_new_environment() -> None:
    first = StreamExecutionEnvironment.get_execution_environment()
    second = StreamExecutionEnvironment.get_execution_environment()
    assert first is not second
    first.set_parallelism(7)
    assert second.get_parallelism() == 3


def test_defaults(env: StreamExecutionEnvironment) -> None:
    assert env.get_parallelism() == 3
    assert env.get_max_parallelism() == -1
    assert env.get_buffer_timeout() == 100
    assert env.is_chaining_enabled() is True


def test_setters_return_the_environment(env: StreamExecutionEnvironment) -> None:
    assert env.set_parallelism(2) is env
    assert env.set_max_parallelism(256) is env
    assert env.set_buffer_timeout(0) is env
    assert env.disable_operator_chaining() is env
    assert (
        env.get_parallelism(),
        env.get_max_parallelism(),
        env.get_buffer_timeout(),
        env.is_chaining_enabled(),
    ) == (2, 256, 0, False)


def test_parallelism_accepts_default_marker(env: StreamExecutionEnvironment) -> None:
    env.set_parallelism(-1)
    assert env.get_parallelism() == -1


@pytest.mark.parametrize("value", [0, -2])
def test_parallelism_out_of_range(env: StreamExecutionEnvironment, value: int) -> None:
    with pytest.raises(
        ValueError,
        match=r"^Parallelism must be at least one, or "
        r"ExecutionConfig.PARALLELISM_DEFAULT \(use system default\).$",
    ):
        env.set_parallelism(value)


def test_parallelism_must_be_an_int(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(TypeError, match=exactly("parallelism must be an int, got float: 2.0")):
        env.set_parallelism(2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 32769])
def test_max_parallelism_out_of_range(env: StreamExecutionEnvironment, value: int) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^maxParallelism is out of bounds 0 < maxParallelism "
        rf"<= 32768. Found: {value}$",
    ):
        env.set_max_parallelism(value)


def test_buffer_timeout_below_minus_one(env: StreamExecutionEnvironment) -> None:
    env.set_buffer_timeout(-1)
    assert env.get_buffer_timeout() == -1
    with pytest.raises(ValueError, match=exactly("Timeout of buffer must be non-negative or -1")):
        env.set_buffer_timeout(-2)


# -- configuration ----------------------------------------------------------------------------


def test_configuration_sets_the_environment() -> None:
    env = StreamExecutionEnvironment.get_execution_environment(
        config_of(
            {
                "parallelism.default": "5",
                "pipeline.max-parallelism": "64",
                "execution.buffer-timeout.interval": "20 ms",
                "pipeline.operator-chaining.enabled": "false",
            }
        )
    )
    assert (
        env.get_parallelism(),
        env.get_max_parallelism(),
        env.get_buffer_timeout(),
        env.is_chaining_enabled(),
    ) == (5, 64, 20, False)


def test_configuration_1x_keys() -> None:
    env = StreamExecutionEnvironment.get_execution_environment(
        config_of({"execution.buffer-timeout": "1s", "pipeline.operator-chaining": "false"})
    )
    assert (env.get_buffer_timeout(), env.is_chaining_enabled()) == (1000, False)


def test_buffer_timeout_disabled_by_configuration() -> None:
    env = StreamExecutionEnvironment.get_execution_environment(
        config_of(
            {
                "execution.buffer-timeout.enabled": "false",
                "execution.buffer-timeout.interval": "5 ms",
            }
        )
    )
    assert env.get_buffer_timeout() == -1


def test_configuration_without_environment_keys_keeps_defaults() -> None:
    env = StreamExecutionEnvironment.get_execution_environment(config_of({"foo.bar": "1"}))
    assert (env.get_parallelism(), env.get_buffer_timeout()) == (3, 100)


def test_configure_changes_only_given_keys(env: StreamExecutionEnvironment) -> None:
    env.set_buffer_timeout(7)
    env.configure(config_of({"parallelism.default": "4"}))
    assert (env.get_parallelism(), env.get_buffer_timeout()) == (4, 7)


def test_malformed_configuration_value() -> None:
    with pytest.raises(
        ValueError,
        match=exactly(
            "Could not parse value 'x' for key 'parallelism.default': expected an integer"
        ),
    ):
        StreamExecutionEnvironment.get_execution_environment(
            config_of({"parallelism.default": "x"})
        )


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("100", 100),
        ("100 ms", 100),
        ("2s", 2000),
        ("1 min", 60_000),
        ("3 h", 10_800_000),
        ("1d", 86_400_000),
        ("1500 us", 1),
        ("0", 0),
        (" 5 SECONDS ", 5000),
    ],
)
def test_parse_duration(text: str, millis: int) -> None:
    assert parse_duration_ms("k", text) == millis


@pytest.mark.parametrize("text", ["", "ms", "1.5 s", "-1", "3 fortnights"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=f"^Could not parse value '{text}' for key 'k'"):
        parse_duration_ms("k", text)


# -- from_collection --------------------------------------------------------------------------


def test_from_collection_records_a_non_parallel_source(env: StreamExecutionEnvironment) -> None:
    elements = [1, 2, 3]
    stream = env.from_collection(elements)
    source = stream._transformation
    assert isinstance(source, SourceTransformation)
    assert (
        source.id,
        source.name,
        source.parallelism,
        source.max_parallelism,
        source.non_parallel,
        source.output_type,
        source.chaining_strategy,
    ) == (1, "Source: Collection Source", 1, 1, True, None, ChainingStrategy.ALWAYS)
    assert isinstance(source.operator_factory, CollectionSourceFactory)
    assert source.operator_factory.elements == [1, 2, 3]
    elements.append(4)
    assert source.operator_factory.elements == [1, 2, 3]
    assert stream.get_name() == "Collection Source"


def test_from_collection_copies_any_iterable(env: StreamExecutionEnvironment) -> None:
    stream = env.from_collection(x * 2 for x in range(3))
    assert stream._transformation.operator_factory.elements == [0, 2, 4]


def test_from_collection_declared_type(env: StreamExecutionEnvironment) -> None:
    stream = env.from_collection([1], type_info=Types.INT())
    assert stream._transformation.output_type == Types.INT()
    assert stream.get_type() == Types.INT()


def test_from_collection_checks_elements_against_the_type(env: StreamExecutionEnvironment) -> None:
    tuples = Types.TUPLE([Types.STRING(), Types.INT()])
    env.from_collection([("a", 1), ["b", 2]], type_info=tuples)
    with pytest.raises(ValueError, match=exactly("Unexpected tuple 'c' with TupleTypeInfo")):
        env.from_collection([("a", 1), "c"], type_info=tuples)


def test_from_collection_rejects_a_non_iterable(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(
        TypeError,
        match="^from_collection needs a collection of elements "
        r"\(a list\), got int$",
    ):
        env.from_collection(5)  # type: ignore[arg-type]


def test_from_collection_is_not_an_operator(env: StreamExecutionEnvironment) -> None:
    env.from_collection([1])
    assert env._transformations == []


def test_collection_source_cannot_be_parallel(env: StreamExecutionEnvironment) -> None:
    stream = env.from_collection([1, 2])
    stream.set_parallelism(1)
    with pytest.raises(ValueError, match=r"^The parallelism of non parallel operator must be 1\."):
        stream.set_parallelism(2)
    with pytest.raises(
        ValueError,
        match=r"^The maximum parallelism of non parallel operator "
        r"must be 1\.$",
    ):
        stream.set_max_parallelism(4)
    assert stream._transformation.parallelism == 1


# -- execute and plan -------------------------------------------------------------------------


def test_execute_submits_the_operators_and_clears_them(
    env: StreamExecutionEnvironment, submitted: RecordingExecuteJob
) -> None:
    mapped = env.from_collection([1]).map(lambda x: x)
    sink = env.from_collection([2]).print()
    assert env.execute() == "result"
    [(transformations, config)] = submitted.calls
    assert transformations == [mapped._transformation, sink._transformation]
    assert config == JobConfig(
        job_name="Flink Streaming Job",
        parallelism=3,
        max_parallelism=-1,
        buffer_timeout=100,
        chaining_enabled=True,
        configuration={},
    )
    assert env._transformations == []
    with pytest.raises(RuntimeError):
        env.execute()


def test_execute_passes_the_settings(submitted: RecordingExecuteJob) -> None:
    env = StreamExecutionEnvironment.get_execution_environment(config_of({"x.y": "z"}))
    env.set_parallelism(2).set_max_parallelism(64).set_buffer_timeout(-1)
    env.disable_operator_chaining()
    env.from_collection([1]).print()
    env.execute("my job")
    [(_, config)] = submitted.calls
    assert config == JobConfig(
        job_name="my job",
        parallelism=2,
        max_parallelism=64,
        buffer_timeout=-1,
        chaining_enabled=False,
        configuration={"x.y": "z"},
    )


def test_default_parallelism_marker_resolves_at_execute(
    env: StreamExecutionEnvironment, submitted: RecordingExecuteJob
) -> None:
    env.set_parallelism(-1)
    env.from_collection([1]).print()
    env.execute()
    assert submitted.calls[0][1].parallelism == 3


def test_execute_clears_even_when_the_job_fails(
    env: StreamExecutionEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_job(transformations: list[Transformation], config: JobConfig) -> Any:
        raise OSError("boom")

    monkeypatch.setattr(environment_module, "execute_job", failing_job)
    env.from_collection([1]).print()
    with pytest.raises(OSError, match="boom"):
        env.execute()
    assert env._transformations == []


def test_execute_without_operators(env: StreamExecutionEnvironment) -> None:
    env.from_collection([1])
    with pytest.raises(
        RuntimeError, match=r"^No operators defined in streaming topology\. Cannot execute\.$"
    ):
        env.execute()


def test_ids_follow_creation_order_and_survive_execute(
    env: StreamExecutionEnvironment, submitted: RecordingExecuteJob
) -> None:
    source = env.from_collection([1])
    keyed = source.map(lambda x: x).key_by(lambda x: x)
    reduced = keyed.reduce(lambda a, b: a)
    assert [source._transformation.id, keyed._transformation.id, reduced._transformation.id] == [
        1,
        3,
        4,
    ]
    reduced.print()
    env.execute()
    assert env.from_collection([2])._transformation.id == 6


def test_execution_plan(env: StreamExecutionEnvironment) -> None:
    env.set_parallelism(2)
    env.from_collection([1, 2]).map(lambda x: x).print()
    plan = json.loads(env.get_execution_plan())
    assert [(n["id"], n["type"], n["parallelism"]) for n in plan["nodes"]] == [
        (1, "Source: Collection Source", 1),
        (2, "Map", 2),
        (3, "Sink: Print to Std. Out", 2),
    ]
    assert len(env._transformations) == 2


def test_execution_plan_without_operators(env: StreamExecutionEnvironment) -> None:
    with pytest.raises(
        RuntimeError, match=exactly("No operators defined in streaming topology. Cannot execute.")
    ):
        env.get_execution_plan()


def test_close_keeps_the_program(env: StreamExecutionEnvironment) -> None:
    env.from_collection([1]).print()
    assert env.close() is None
    assert len(env._transformations) == 1


# -- not supported yet ------------------------------------------------------------------------

UNSUPPORTED: list[tuple[str, tuple[Any, ...]]] = [
    ("get_config", ()),
    ("register_slot_sharing_group", (None,)),
    ("set_runtime_mode", (None,)),
    ("is_chaining_of_operators_with_different_max_parallelism_enabled", ()),
    ("get_checkpoint_config", ()),
    ("enable_checkpointing", (1000,)),
    ("get_checkpoint_interval", ()),
    ("get_checkpointing_mode", ()),
    ("get_checkpointing_consistency_mode", ()),
    ("enable_changelog_state_backend", (True,)),
    ("is_changelog_state_backend_enabled", ()),
    ("set_default_savepoint_directory", ("/x",)),
    ("get_default_savepoint_directory", ()),
    ("add_python_file", ("f.py",)),
    ("set_python_requirements", ("r.txt",)),
    ("add_python_archive", ("a.zip",)),
    ("set_python_executable", ("python",)),
    ("add_jars", ("a.jar", "b.jar")),
    ("add_classpaths", ("file:///x",)),
    ("get_default_local_parallelism", ()),
    ("set_default_local_parallelism", (2,)),
    ("execute_async", ()),
    ("register_cached_file", ("/f", "f")),
    ("create_input", (None,)),
    ("add_source", (None,)),
    ("is_unaligned_checkpoints_enabled", ()),
    ("is_force_unaligned_checkpoints", ()),
]


@pytest.mark.parametrize(("method", "args"), UNSUPPORTED, ids=[m for m, _ in UNSUPPORTED])
def test_unsupported_methods_raise(
    env: StreamExecutionEnvironment, method: str, args: tuple[Any, ...]
) -> None:
    with pytest.raises(
        NotImplementedError,
        match=rf"^StreamExecutionEnvironment\.{method} is not supported by kolk "
        rf"yet$",
    ):
        getattr(env, method)(*args)
