"""The one error hierarchy of cultnet.

Every error a user can see is a :class:`CultnetError` with a ``user_message`` written for the
user. ``graph/`` translates driver errors into these at the boundary; the CLI prints the message
and exits non-zero; the UI shows it with ``st.error``. Neither shows a traceback to a user.
"""

from __future__ import annotations

from dataclasses import dataclass


class CultnetError(Exception):
    """Base class. ``user_message`` is what the user sees; ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True)
class Problem:
    """One validation problem at a place in an input file.

    ``line`` is 1-based and counts physical lines of the file (the header of a CSV is line 1);
    for Excel it is the sheet row number. ``column`` is the column name (or 1-based index for
    headerless formats), ``None`` when the problem is not tied to a column.
    """

    file: str
    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
        if self.column is not None:
            place += f":{self.column}"
        return f"{place}: {self.reason}"


class ValidationError(CultnetError):
    """Input data is invalid. Carries every problem found (file, line, column, reason)."""

    exit_code = 2

    def __init__(self, problems: list[Problem], max_shown: int = 20):
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:max_shown])
        more = len(self.problems) - max_shown
        if more > 0:
            shown += f"\n  ... and {more} more problem(s)"
        n = len(self.problems)
        super().__init__(
            f"{n} problem(s) found in the input; nothing was written to the store.\n{shown}"
        )


class StoreUnavailable(CultnetError):
    """The graph store cannot be reached or started."""

    exit_code = 3


class QueryRejected(CultnetError):
    """The database refused a query: a write in read-only mode, a syntax error, a forbidden call."""

    exit_code = 4


class QueryTimeout(CultnetError):
    """A query ran past its time limit and was stopped by the database."""

    exit_code = 5


class NotEnoughData(CultnetError):
    """The data cannot support the requested computation (too few observations, nodes, ...)."""

    exit_code = 6


class StudyNotFound(CultnetError):
    """No such study in the store, or no study chosen where the store holds several (or none)."""

    exit_code = 1


class LoadFailed(CultnetError):
    """A load failed after validation; the store holds the previous data and the dataset is marked failed."""

    exit_code = 7
