"""``JobID``: the identifier of a job (``pyflink.common.job_id``).

Flink's ``JobID`` is 16 random bytes printed as 32 lowercase hex characters; kolk's is the
same, created with :meth:`JobID._generate`.
"""

from __future__ import annotations

import os

__all__ = ["JobID"]

_JOB_ID_BYTES = 16


class JobID:
    """A statistically unique job identifier: 16 bytes, printed as 32 lowercase hex chars.

    Two ids are equal when their bytes are equal; ids are hashable and immutable.
    """

    __slots__ = ("_bytes",)

    def __init__(self, j_job_id) -> None:
        """Wraps an id.

        Args:
            j_job_id: in kolk, the id's 16 bytes, or its 32-character hex text (PyFlink
                passes a Java ``JobID`` here). Use :meth:`_generate` for a new id.

        Raises:
            TypeError: ``j_job_id`` is neither bytes nor str.
            ValueError: it does not hold exactly 16 bytes.
        """
        if isinstance(j_job_id, str):
            try:
                raw = bytes.fromhex(j_job_id)
            except ValueError:
                raise ValueError(f"not a job id (32 hex characters): {j_job_id!r}") from None
        elif isinstance(j_job_id, (bytes, bytearray)):
            raw = bytes(j_job_id)
        else:
            raise TypeError(
                "JobID takes the id's 16 bytes or 32 hex characters in kolk (there is no JVM); "
                f"got {type(j_job_id).__name__}"
            )
        if len(raw) != _JOB_ID_BYTES:
            raise ValueError(f"a job id has {_JOB_ID_BYTES} bytes, got {len(raw)}")
        self._bytes = raw

    @classmethod
    def _generate(cls) -> JobID:
        """Returns a new random id (Flink's ``JobID.generate()``)."""
        return cls(os.urandom(_JOB_ID_BYTES))

    def _to_bytes(self) -> bytes:
        """The id's 16 bytes."""
        return self._bytes

    def __str__(self):
        return self._bytes.hex()

    def __repr__(self):
        return f"JobID('{self._bytes.hex()}')"

    def __eq__(self, other):
        return isinstance(other, JobID) and self._bytes == other._bytes

    def __hash__(self):
        return hash(self._bytes)
