"""The part of PyFlink's ``StreamExecutionEnvironment`` surface kolk does not support yet.

Every method exists with PyFlink 2.3's exact signature (checked by
``tests/architecture/test_public_surface.py``) and raises ``NotImplementedError`` naming the
method: a program that relies on one fails loudly at the call, never silently later.
Implementing a method means moving it to ``stream_execution_environment.py``.
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["UnsupportedEnvironmentMethods", "not_supported"]


def not_supported(owner: str, method: str) -> NotImplementedError:
    """The error every not-yet-supported PyFlink method raises."""
    return NotImplementedError(f"{owner}.{method} is not supported by kolk yet")


def _fail(method: str) -> NoReturn:
    raise not_supported("StreamExecutionEnvironment", method)


class UnsupportedEnvironmentMethods:
    """Mixin of :class:`StreamExecutionEnvironment` methods that raise NotImplementedError."""

    __slots__ = ()

    def get_config(self) -> NoReturn:
        """Not supported yet (PyFlink: the ExecutionConfig)."""
        _fail("get_config")

    def register_slot_sharing_group(self, slot_sharing_group: Any) -> NoReturn:
        """Not supported yet (PyFlink: registers a slot sharing group's resources)."""
        _fail("register_slot_sharing_group")

    def set_runtime_mode(self, execution_mode: Any) -> NoReturn:
        """Not supported yet (PyFlink: STREAMING, BATCH or AUTOMATIC)."""
        _fail("set_runtime_mode")

    def is_chaining_of_operators_with_different_max_parallelism_enabled(self) -> NoReturn:
        """Not supported yet."""
        _fail("is_chaining_of_operators_with_different_max_parallelism_enabled")

    def get_checkpoint_config(self) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("get_checkpoint_config")

    def enable_checkpointing(self, interval: Any, mode: Any = None) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("enable_checkpointing")

    def get_checkpoint_interval(self) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("get_checkpoint_interval")

    def get_checkpointing_mode(self) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("get_checkpointing_mode")

    def get_checkpointing_consistency_mode(self) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("get_checkpointing_consistency_mode")

    def enable_changelog_state_backend(self, enabled: Any) -> NoReturn:
        """Not supported yet (state backends)."""
        _fail("enable_changelog_state_backend")

    def is_changelog_state_backend_enabled(self) -> NoReturn:
        """Not supported yet (state backends)."""
        _fail("is_changelog_state_backend_enabled")

    def set_default_savepoint_directory(self, directory: Any) -> NoReturn:
        """Not supported yet (savepoints)."""
        _fail("set_default_savepoint_directory")

    def get_default_savepoint_directory(self) -> NoReturn:
        """Not supported yet (savepoints)."""
        _fail("get_default_savepoint_directory")

    def add_python_file(self, file_path: Any) -> NoReturn:
        """Not supported yet (Python dependency management)."""
        _fail("add_python_file")

    def set_python_requirements(
        self, requirements_file_path: Any, requirements_cache_dir: Any = None
    ) -> NoReturn:
        """Not supported yet (Python dependency management)."""
        _fail("set_python_requirements")

    def add_python_archive(self, archive_path: Any, target_dir: Any = None) -> NoReturn:
        """Not supported yet (Python dependency management)."""
        _fail("add_python_archive")

    def set_python_executable(self, python_exec: Any) -> NoReturn:
        """Not supported yet (Python dependency management)."""
        _fail("set_python_executable")

    def add_jars(self, *jars_path: Any) -> NoReturn:
        """Not supported yet (Java dependencies)."""
        _fail("add_jars")

    def add_classpaths(self, *classpaths: Any) -> NoReturn:
        """Not supported yet (Java dependencies)."""
        _fail("add_classpaths")

    def get_default_local_parallelism(self) -> NoReturn:
        """Not supported yet."""
        _fail("get_default_local_parallelism")

    def set_default_local_parallelism(self, parallelism: Any) -> NoReturn:
        """Not supported yet."""
        _fail("set_default_local_parallelism")

    def execute_async(self, job_name: Any = "Flink Streaming Job") -> NoReturn:
        """Not supported yet (PyFlink: submits the job and returns a JobClient)."""
        _fail("execute_async")

    def register_cached_file(self, file_path: Any, name: Any, executable: Any = False) -> NoReturn:
        """Not supported yet (distributed cache)."""
        _fail("register_cached_file")

    def create_input(self, input_format: Any, type_info: Any = None) -> NoReturn:
        """Not supported yet (input formats)."""
        _fail("create_input")

    def add_source(
        self, source_func: Any, source_name: Any = "Custom Source", type_info: Any = None
    ) -> NoReturn:
        """Not supported yet (SourceFunction sources)."""
        _fail("add_source")

    def is_unaligned_checkpoints_enabled(self) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("is_unaligned_checkpoints_enabled")

    def is_force_unaligned_checkpoints(self) -> NoReturn:
        """Not supported yet (checkpointing)."""
        _fail("is_force_unaligned_checkpoints")
