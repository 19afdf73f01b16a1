"""User code that fails while a job runs: the job fails, loudly, and says where and why.

``env.execute()`` must raise :class:`~kolk.util.exceptions.JobExecutionException` (never return
normally: a failed job that returned would lose records silently). Its message names the
operator as kolk names it (``Map``, ``KEYED PROCESS``, ...), the task with its subtask in
Flink's ``Name (i/n)`` form, the exception type and the user's source line; its ``__cause__``
chain reaches the very exception the user's code raised.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kolk._runtime.key_groups import KeyGroupAssigner
from kolk.common import Types
from kolk.datastream import (
    KeyedProcessFunction,
    MapFunction,
    ProcessFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)
from kolk.datastream.state import ValueStateDescriptor
from kolk.util.exceptions import JobExecutionException, RemoteTraceback

ASSIGNER = KeyGroupAssigner(128)
THIS_FILE = __file__


@pytest.fixture(params=[1, 2, 4], ids=lambda p: f"p{p}")
def parallelism(request: pytest.FixtureRequest) -> int:
    """The default parallelism of the failing job (as tests/integration's fixture)."""
    return int(request.param)


def environment(parallelism: int) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    return env


def fail(env: StreamExecutionEnvironment) -> JobExecutionException:
    """Runs the job, which must fail; returns the failure."""
    with pytest.raises(JobExecutionException) as raised:
        env.execute("failing job")
    return raised.value


def causes(error: BaseException) -> list[BaseException]:
    """The ``__cause__`` chain, the error first."""
    chain = []
    current: BaseException | None = error
    while current is not None:
        chain.append(current)
        current = current.__cause__
    return chain


def user_error(error: BaseException, kind: type[BaseException]) -> BaseException:
    """The first exception of ``kind`` in the cause chain, raised from this file."""
    for cause in causes(error):
        if type(cause) is kind:
            return cause
    raise AssertionError(f"no {kind.__name__} in the cause chain of {error!r}")


def raised_here(error: BaseException) -> bool:
    """True if the error's traceback ends in this test file (the user's code).

    An error raised in a worker process arrives without its traceback object; the text of the
    traceback is chained to it as a RemoteTraceback.
    """
    if error.__traceback__ is None and isinstance(error.__cause__, RemoteTraceback):
        files = re.findall(r'File "([^"]+)"', str(error.__cause__))
        return bool(files) and files[-1] == THIS_FILE
    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    return last is not None and last.tb_frame.f_code.co_filename == THIS_FILE


def task_pattern(parallelism: int) -> str:
    return rf"\((\d+)/{parallelism}\)"


# -- an exception in a user function -------------------------------------------------------------


def test_exception_in_a_map_lambda(parallelism: int) -> None:
    env = environment(parallelism)
    env.from_collection([1, 2, 3]).map(lambda x: 10 // (x - 2)).print()

    failure = fail(env)

    message = str(failure)
    assert "'Map'" in message
    assert re.search(task_pattern(parallelism), message)
    assert "ZeroDivisionError" in message
    assert "10 // (x - 2)" in message, "the user's source line"
    assert THIS_FILE in message
    assert "kolk/_runtime" not in message, "kolk's own frames are hidden"
    assert failure.job_name == "failing job"
    assert failure.task_name is not None
    assert failure.task_name in message
    assert re.search(task_pattern(parallelism) + "$", failure.task_name)
    assert raised_here(user_error(failure, ZeroDivisionError))


def test_exception_at_p1_names_subtask_1_of_1() -> None:
    env = environment(1)
    env.from_collection([1]).map(lambda x: x / 0).print()

    failure = fail(env)

    assert failure.task_name == "Source: Collection Source -> Map -> Sink: Print to Std. Out (1/1)"
    assert "(1/1)" in str(failure)


class FailOnKey(KeyedProcessFunction):
    def __init__(self, bad_key: str) -> None:
        self.bad_key = bad_key

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context) -> Any:
        if ctx.get_current_key() == self.bad_key:
            raise KeyError(f"no route for {value}")
        yield value


def test_exception_in_a_keyed_process_function_names_its_subtask(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # At p = 2 "world" is on subtask index 0 and "user1" on index 1: the failure is (2/2).
    env = environment(2)
    env.from_collection(["world", "user1"]).key_by(lambda w: w).process(FailOnKey("user1")).print()

    failure = fail(env)

    message = str(failure)
    assert "'KEYED PROCESS'" in message
    assert "(2/2)" in message
    assert failure.task_name == "KEYED PROCESS -> Sink: Print to Std. Out (2/2)"
    assert "KeyError" in message
    assert "no route for user1" in message
    assert 'raise KeyError(f"no route for {value}")' in message
    assert raised_here(user_error(failure, KeyError))
    assert capsys.readouterr().out == "1> world\n", "the healthy subtask's record is printed"


def test_exception_in_a_keyed_process_function_at_any_parallelism(parallelism: int) -> None:
    env = environment(parallelism)
    env.from_collection(["world", "user1", "flink"]).key_by(lambda w: w).process(
        FailOnKey("user1")
    ).print()

    failure = fail(env)

    subtask = ASSIGNER.operator_index("user1", parallelism)
    assert f"({subtask + 1}/{parallelism})" in str(failure)
    assert raised_here(user_error(failure, KeyError))


class FailLazily(ProcessFunction):
    """A generator: the error surfaces while the output is iterated, after one output."""

    def process_element(self, value: int, ctx: ProcessFunction.Context) -> Any:
        yield value
        raise ValueError(f"gave up after {value}")


def test_exception_in_a_generator_process_function(parallelism: int) -> None:
    env = environment(parallelism)
    env.from_collection([7]).process(FailLazily()).print()

    failure = fail(env)

    assert "'PROCESS'" in str(failure)
    assert "gave up after 7" in str(failure)
    assert raised_here(user_error(failure, ValueError))


def test_exception_in_a_function_chained_after_a_keyed_one_names_that_function() -> None:
    env = environment(2)
    env.from_collection(["world", "user1"]).key_by(lambda w: w).process(FailOnKey("none")).map(
        lambda w: w.nope
    ).print()

    failure = fail(env)

    message = str(failure)
    assert "operator 'Map'" in message
    assert "AttributeError" in message
    assert "lambda w: w.nope" in message


# -- key selectors -------------------------------------------------------------------------------


def test_key_selector_that_raises(parallelism: int) -> None:
    env = environment(parallelism)
    env.from_collection([{"id": 1}, {}]).key_by(lambda d: d["id"]).process(FailOnKey("")).print()

    failure = fail(env)

    message = str(failure)
    assert "key selector" in message
    assert "KeyError" in message
    assert 'lambda d: d["id"]' in message
    assert re.search(r"\(1/1\)", message), "the key is computed in the source's task"
    assert raised_here(user_error(failure, KeyError))


def test_key_selector_returning_none_is_a_valid_key(parallelism: int, capsys) -> None:
    # PyFlink pickles keys, so None is a key like any other: every record lands on the
    # subtask of None's key group and shares its state.
    env = environment(parallelism)
    env.from_collection(["a", "b"]).key_by(lambda s: None).reduce(lambda x, y: x + y).print()
    env.execute()
    lines = capsys.readouterr().out.splitlines()
    expected = KeyGroupAssigner(128).operator_index(None, parallelism)
    prefix = f"{expected + 1}> " if parallelism > 1 else ""
    assert lines == [f"{prefix}a", f"{prefix}ab"]


# -- open() and close() --------------------------------------------------------------------------


class FailingOpen(MapFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        raise ConnectionError("cannot reach the lookup service")

    def map(self, value: Any) -> Any:
        return value


class FailingClose(MapFunction):
    def map(self, value: Any) -> Any:
        return value

    def close(self) -> None:
        raise OSError("cannot flush the side file")


def test_exception_in_open(parallelism: int, capsys: pytest.CaptureFixture[str]) -> None:
    env = environment(parallelism)
    env.from_collection([1, 2, 3]).map(FailingOpen()).print()

    failure = fail(env)

    message = str(failure)
    assert "'Map'" in message
    assert "open()" in message
    assert "ConnectionError: cannot reach the lookup service" in message
    assert 'raise ConnectionError("cannot reach the lookup service")' in message
    assert re.search(task_pattern(parallelism), message)
    assert raised_here(user_error(failure, ConnectionError))
    assert capsys.readouterr().out == "", "no record passes a function that did not open"


def test_exception_in_close(parallelism: int, capsys: pytest.CaptureFixture[str]) -> None:
    env = environment(parallelism)
    env.from_collection([1, 2, 3]).map(FailingClose()).print()

    failure = fail(env)

    message = str(failure)
    assert "'Map'" in message
    assert "close()" in message
    assert "OSError: cannot flush the side file" in message
    assert raised_here(user_error(failure, OSError))
    assert re.search(task_pattern(parallelism), message)
    # Records processed before close() are printed once each (none twice, none invented).
    printed = [line.split("> ")[-1] for line in capsys.readouterr().out.splitlines()]
    assert len(set(printed)) == len(printed)
    assert set(printed) <= {"1", "2", "3"}


def test_exception_in_close_at_p1_comes_after_every_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = environment(1)
    env.from_collection([1, 2, 3]).map(FailingClose()).print()

    fail(env)

    assert capsys.readouterr().out == "1\n2\n3\n"


# -- keyed state misuse --------------------------------------------------------------------------


class StateOnPlainStream(ProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.state = runtime_context.get_state(ValueStateDescriptor("count", Types.INT()))

    def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Any:
        yield value


def test_keyed_state_in_a_non_keyed_process_function(parallelism: int) -> None:
    # PyFlink: Exception("This state is only accessible by functions executed on a
    # KeyedStream.") (fn_execution/datastream/process/runtime_context.py L111).
    env = environment(parallelism)
    env.from_collection([1, 2]).process(StateOnPlainStream()).print()

    failure = fail(env)

    message = str(failure)
    assert "This state is only accessible by functions executed on a KeyedStream" in message
    assert "'PROCESS'" in message
    assert "key_by" in message, "says what to do"
    assert re.search(task_pattern(parallelism), message)
    assert "runtime_context.get_state(" in message, "the user's source line"
    assert any(
        str(c).startswith("This state is only accessible by functions executed on a KeyedStream")
        for c in causes(failure)
    )


class ValueInOpen(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.state = runtime_context.get_state(ValueStateDescriptor("count", Types.INT()))
        self.state.value()

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
        yield value


class UpdateInClose(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.state = runtime_context.get_state(ValueStateDescriptor("count", Types.INT()))

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Any:
        yield value

    def close(self) -> None:
        self.state.update(0)


@pytest.mark.parametrize(("function", "method"), [(ValueInOpen, "open"), (UpdateInClose, "close")])
def test_keyed_state_used_without_a_current_key(
    parallelism: int, function: type[KeyedProcessFunction], method: str
) -> None:
    env = environment(parallelism)
    env.from_collection(["world", "flink"]).key_by(lambda w: w).process(function()).print()

    failure = fail(env)

    message = str(failure)
    assert "outside a keyed context" in message
    assert "'count'" in message, "names the state"
    assert f"{method}()" in message
    assert "'KEYED PROCESS'" in message
    assert re.search(task_pattern(parallelism), message)


# -- print() -------------------------------------------------------------------------------------


def test_printing_a_bytes_record(parallelism: int, capsys: pytest.CaptureFixture[str]) -> None:
    # PyFlink's job crashes on it (AttributeError: 'bytes' object has no attribute 'encode').
    env = environment(parallelism)
    env.from_collection([b"\x00raw"]).print()

    failure = fail(env)

    message = str(failure)
    assert "bytes" in message
    assert "decode" in message, "says what to do"
    assert "Sink: Print to Std. Out" in message
    assert capsys.readouterr().out == ""


def test_a_record_that_does_not_fit_its_declared_type_names_the_type() -> None:
    env = environment(1)
    env.from_collection(["a"], type_info=Types.INT()).print()

    failure = fail(env)

    assert re.search(r"Types\.INT\(\)|Integer", str(failure))


# -- never silent --------------------------------------------------------------------------------


def test_a_failure_on_the_last_record_still_fails_the_job(
    parallelism: int, capsys: pytest.CaptureFixture[str]
) -> None:
    records = list(range(100))
    env = environment(parallelism)
    env.from_collection(records).map(lambda x: 1 // (x - 99)).print()

    returned = None
    with pytest.raises(JobExecutionException):
        returned = env.execute()
    assert returned is None, "execute() never returns for a failed job"
    assert len(capsys.readouterr().out.splitlines()) < len(records)


def test_a_failing_job_leaves_the_environment_usable(capsys: pytest.CaptureFixture[str]) -> None:
    env = environment(2)
    env.from_collection([0]).map(lambda x: 1 // x).print()
    fail(env)

    env.from_collection([1, 2]).map(lambda x: x * 10).print()
    env.execute()

    assert sorted(line[3:] for line in capsys.readouterr().out.splitlines()) == ["10", "20"]
