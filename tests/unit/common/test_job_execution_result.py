"""JobID and JobExecutionResult."""

from __future__ import annotations

import re

import pytest

from kolk.common import JobExecutionResult, JobID


def test_generated_job_ids_are_32_lowercase_hex_and_distinct() -> None:
    ids = {str(JobID._generate()) for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", text) for text in ids)


def test_job_id_from_bytes_and_hex() -> None:
    raw = bytes(range(16))
    job_id = JobID(raw)
    assert str(job_id) == "000102030405060708090a0b0c0d0e0f"
    assert repr(job_id) == "JobID('000102030405060708090a0b0c0d0e0f')"
    assert JobID(str(job_id)) == job_id
    assert hash(JobID(str(job_id))) == hash(job_id)
    assert job_id._to_bytes() == raw
    assert job_id != JobID(bytes(16))
    assert job_id != str(job_id)


@pytest.mark.parametrize(
    ("argument", "error"),
    [(b"short", ValueError), ("zz" * 16, ValueError), ("ab" * 15, ValueError), (5, TypeError)],
)
def test_job_id_rejects_bad_input(argument: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        JobID(argument)


def test_job_execution_result_accessors() -> None:
    job_id = JobID(bytes(range(16)))
    result = JobExecutionResult(job_id, 1234, {"count": 3})
    assert result.get_job_id() is job_id
    assert result.get_net_runtime() == 1234
    assert result.get_accumulator_result("count") == 3
    assert result.get_accumulator_result("missing") is None
    accumulators = result.get_all_accumulator_results()
    assert accumulators == {"count": 3}
    accumulators["count"] = 99
    assert result.get_accumulator_result("count") == 3
    assert JobExecutionResult(job_id, 5).get_all_accumulator_results() == {}


def test_job_execution_result_str_is_flinks() -> None:
    job_id = JobID(bytes(range(16)))
    assert str(JobExecutionResult(job_id, 5797)) == (
        "Program execution finished\n"
        "Job with JobID 000102030405060708090a0b0c0d0e0f has finished.\n"
        "Job Runtime: 5797 ms\n"
    )
    with_accumulators = JobExecutionResult(job_id, 1, {"n": 3, "items": [1, 2]})
    assert str(with_accumulators) == (
        "Program execution finished\n"
        "Job with JobID 000102030405060708090a0b0c0d0e0f has finished.\n"
        "Job Runtime: 1 ms\n"
        "Accumulator Results: \n"
        "- n (int): 3\n"
        "- items (list) [2 elements]\n"
        "\n"
    )


def test_job_execution_result_needs_a_job_id() -> None:
    with pytest.raises(TypeError, match="JobExecutionResult is built by kolk from a JobID"):
        JobExecutionResult("not an id", 1)
