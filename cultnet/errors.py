"""The one error hierarchy of cultnet.

Every error a user can see is a :class:`CultnetError` with a ``user_message`` written for the
user. ``graph/`` translates driver errors into these at the boundary; the CLI prints the message
and exits non-zero; the UI shows it with ``st.error``. Neither shows a traceback to a user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping


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
    headerless formats), ``None`` when the problem is not tied to a column. ``kind`` groups
    problems of one sort in reports; by default it is the reason with its quoted values and
    numbers blanked (:func:`problem_kind`).
    """

    file: str
    line: int | None
    column: str | None
    reason: str
    kind: str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
        if self.column is not None:
            place += f":{self.column}"
        return f"{place}: {self.reason}"

    @property
    def group(self) -> str:
        return self.kind or problem_kind(self.reason)


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,.]*(?:e[-+]?\d+)?")


def problem_kind(reason: str) -> str:
    """The reason with quoted values and numbers blanked, so that problems of one sort group.

    >>> problem_kind("unknown city 'Atlantis' (not in the study); did you mean 'Anshan'?")
    "unknown city '…' (not in the study); did you mean '…'?"
    >>> problem_kind("weight 5e+13 is absurdly large (> 1e+12)")
    'weight … is absurdly large (> …)'
    """
    return _NUMBER.sub("…", _QUOTED.sub("'…'", reason))


@dataclass(frozen=True)
class InputContext:
    """What a :class:`ValidationError` says about the input it refuses.

    ``what`` names the input ("input" for a load, "analysis input" for a file an analysis
    command reads), ``outcome`` what did not happen, and ``flags`` maps a column name to the
    command-line option that names that column (``{"city": "--entity"}``): a problem about a
    missing column listed there gets a hint naming the option.
    """

    what: str = "input"
    outcome: str = "nothing was written to the store"
    flags: Mapping[str, str] = field(default_factory=dict)


LOAD_INPUT = InputContext()


def analysis_input(flags: Mapping[str, str] | None = None, *, outcome: str = "nothing was analysed") -> InputContext:
    """The context for files that analysis commands read (``cultnet network --edges F``,
    ``cultnet panel --data F``): "N problem(s) found in the analysis input; nothing was analysed."

    >>> analysis_input({"city": "--entity"}).what
    'analysis input'
    """
    return InputContext("analysis input", outcome, dict(flags or {}))


_MISSING_COLUMN = re.compile(r"(missing column|column '[^']*' not found|not found)")


class ValidationError(CultnetError):
    """Input data is invalid. Carries every problem found (file, line, column, reason).

    ``problems`` are the problems listed (at most a few hundred per file and sort);
    ``omitted`` counts, per ``(file, kind)``, the problems found beyond those; ``count`` is the
    total. :meth:`lines` gives the report grouped by file and sort, capped with counts; the
    message (``user_message``) is its first lines under the summary line.
    """

    exit_code = 2

    def __init__(self, problems: Iterable[Problem], max_shown: int = 20, *,
                 omitted: Mapping[tuple[str, str], int] | None = None,
                 context: InputContext = LOAD_INPUT):
        self.problems = list(problems)
        self.omitted = {k: int(v) for k, v in (omitted or {}).items() if v}
        self.context = context
        self.max_shown = max_shown
        super().__init__(self._message())

    @property
    def count(self) -> int:
        return len(self.problems) + sum(self.omitted.values())

    @property
    def summary(self) -> str:
        """``"3 problem(s) found in the input; nothing was written to the store."``"""
        return f"{self.count} problem(s) found in the {self.context.what}; {self.context.outcome}."

    def with_context(self, context: InputContext) -> "ValidationError":
        """The same problems, told for another context (e.g. :func:`analysis_input`)."""
        return ValidationError(self.problems, self.max_shown, omitted=self.omitted, context=context)

    def hints(self) -> list[str]:
        """One line per option that would fix a missing column (``context.flags``)."""
        out = []
        for p in self.problems:
            flag = self.context.flags.get(p.column or "")
            if flag and _MISSING_COLUMN.search(p.reason):
                h = (f"hint: if the file calls the {p.column!r} column something else, name it "
                     f"with {flag} COLUMN")
                if h not in out:
                    out.append(h)
        return out

    def lines(self, per_kind: int | None = None) -> list[str]:
        """The report: problems grouped by file, then by sort (in order of first appearance),
        each group showing at most ``per_kind`` problems (all when None) and then
        ``"FILE: ... and N more like this: <sort>"`` for the rest."""
        files: dict[str, dict[str, list[Problem]]] = {}
        for p in self.problems:
            files.setdefault(p.file, {}).setdefault(p.group, []).append(p)
        for (f, kind) in self.omitted:
            files.setdefault(f, {}).setdefault(kind, [])
        out: list[str] = []
        for f, kinds in files.items():
            for kind, ps in kinds.items():
                shown = ps if per_kind is None else ps[:per_kind]
                out.extend(str(p) for p in shown)
                more = len(ps) - len(shown) + self.omitted.get((f, kind), 0)
                if more:
                    out.append(f"{f}: ... and {more:,} more like this: {kind}")
        return out

    def _message(self) -> str:
        lines = self.lines(per_kind=5)
        shown = lines[: self.max_shown]
        text = "\n".join(f"  {s}" for s in shown)
        if len(lines) > len(shown):
            text += f"\n  ... and {len(lines) - len(shown)} more line(s) of problems"
        hints = self.hints()
        if hints:
            text += "\n" + "\n".join(hints)
        return f"{self.summary}\n{text}"


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
