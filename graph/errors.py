"""The CreditGraph error tree.

::

    CreditGraphError
    ├── NotFound                 an entity, listing or record does not exist
    ├── InvalidInput             bad input: names the file, row and field where known
    ├── RuleError                a rules file is malformed or would propagate without limit
    ├── ConfigError              settings that do not fit together
    ├── StoreError               a graph store failed
    │   └── StoreUnavailable     the store cannot be reached (retryable)
    └── AlgorithmError           an algorithm could not produce an answer
        ├── NoPath               no path joins two entities within the limits asked
        └── DidNotConverge       an iterative method ran out of iterations

HTTP status codes are mapped from this tree in ``api/`` only.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AlgorithmError",
    "ConfigError",
    "CreditGraphError",
    "DidNotConverge",
    "InvalidInput",
    "NoPath",
    "NotFound",
    "RuleError",
    "StoreError",
    "StoreUnavailable",
]


class CreditGraphError(Exception):
    """Root of every error CreditGraph raises on purpose."""


class NotFound(CreditGraphError):
    """An entity, listing or record does not exist."""


class InvalidInput(CreditGraphError):
    """Input that fails validation, located by file, row and field where known."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.field = field
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"field {field!r}" if field else "",
            )
            if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with file, row and field kept (the store worker sends errors back)."""
        return (_invalid_input, (self.reason, self.file, self.row, self.field))


def _invalid_input(
    reason: str, file: str | None, row: int | None, field: str | None
) -> InvalidInput:
    return InvalidInput(reason, file=file, row=row, field=field)


class RuleError(CreditGraphError):
    """A rules file is malformed, inconsistent or would propagate without limit."""


class ConfigError(CreditGraphError):
    """Settings that cannot work together."""


class StoreError(CreditGraphError):
    """A graph store failed to carry out an operation."""

    def is_retryable(self) -> bool:
        """Whether the same call may succeed if tried again."""
        return False


class StoreUnavailable(StoreError):
    """The store cannot be reached right now."""

    def is_retryable(self) -> bool:
        """Reaching the store may succeed later."""
        return True


class AlgorithmError(CreditGraphError):
    """An algorithm could not produce an answer."""


class NoPath(AlgorithmError):
    """No path joins the two entities within the limits asked."""


class DidNotConverge(AlgorithmError):
    """An iterative method stopped at its iteration limit without converging."""
